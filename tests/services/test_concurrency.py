"""Races on real PostgreSQL connections: one thread, one connection, all started together."""

import random
import re
import threading
import time
import uuid
from collections import Counter

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.db.models import Q
from django.test import Client

from applications import services
from applications.demo import create_demo_applications
from applications.models import Application, AuditEntry, Call, PendingUpload
from tests.factories import (
    create_application,
    decide_final,
    form_data,
    seal_upload,
    selector,
    values,
)

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="concurrency is proven on PostgreSQL (CI sets DATABASE_URL)",
    ),
]


def run_together(workers):
    """Run each callable in its own thread and connection, released at the same instant."""
    barrier = threading.Barrier(len(workers))
    results = [None] * len(workers)

    def target(index, work):
        try:
            barrier.wait(timeout=30)
            results[index] = ("ok", work())
        except Exception as exc:  # collected and asserted on by the test
            results[index] = ("error", exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=target, args=(i, w)) for i, w in enumerate(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a worker hung (deadlock?)"
    return results


def test_references_stay_unique_and_gap_free_under_concurrent_submissions(call):
    def submit_five(worker):
        def work():
            return [create_application(call, worker * 10 + i)[0].reference for i in range(5)]

        return work

    results = run_together([submit_five(w) for w in range(8)])
    assert [kind for kind, _ in results] == ["ok"] * 8, results
    references = sorted(ref for _, refs in results for ref in refs)
    assert references == [f"CQO-2021-{n:04d}" for n in range(1, 41)]
    assert Call.objects.get(pk=call.pk).last_reference_number == 40


def test_racing_confirmations_take_distinct_consecutive_references(call):
    """Issue 20 item 5: the gap-free reference is given when the address is confirmed, under
    the call's lock; drafts that were never confirmed use none."""
    tokens = [
        create_application(call, number, action="draft", confirmed=False)[1]
        for number in range(1, 7)
    ]
    create_application(call, 7, action="draft", confirmed=False)  # never confirmed

    def confirm(token):
        return lambda: services.application_confirm_email(token=token).application.reference

    results = run_together([confirm(token) for token in tokens])
    assert [kind for kind, _ in results] == ["ok"] * 6, results
    assert sorted(reference for _, reference in results) == [
        f"CQO-2021-{n:04d}" for n in range(1, 7)
    ]
    assert Call.objects.get(pk=call.pk).last_reference_number == 6


def test_the_same_link_opened_twice_at_once_confirms_once(call):
    _application, token = create_application(call, 1, action="draft", confirmed=False)
    results = run_together([lambda: services.application_confirm_email(token=token)] * 2)
    assert sorted(kind for kind, _ in results) == ["ok", "ok"], results
    assert sorted(done is None for _, done in results) == [False, True]
    assert Call.objects.get(pk=call.pk).last_reference_number == 1
    assert AuditEntry.objects.filter(action="application.email_confirm").count() == 1


def test_a_unit_racing_itself_gets_one_application_and_no_gap(call):
    twin_code = values(999)["credit_code"]

    def same_unit(number):
        return lambda: create_application(call, number, credit_code=twin_code)[0].reference

    def other_unit(number):
        return lambda: create_application(call, number)[0].reference

    results = run_together([same_unit(1), same_unit(2), same_unit(3), other_unit(4), other_unit(5)])
    kinds = [kind for kind, _ in results]
    assert kinds[3:] == ["ok", "ok"]
    assert kinds[:3].count("ok") == 1
    for kind, value in results[:3]:
        if kind == "error":
            assert isinstance(value, ValidationError)
            assert "credit_code" in value.message_dict
    assert sorted(Application.objects.values_list("reference", flat=True)) == [
        "CQO-2021-0001",
        "CQO-2021-0002",
        "CQO-2021-0003",
    ]


def select_all(pks, user, seed: int):
    """A thread's work: ``user`` selects each of ``pks``, in an order of their own; the
    outcome of each ("staged", or the refusal's code)."""

    def work():
        order = list(pks)
        random.Random(seed).shuffle(order)
        outcomes = []
        for pk in order:
            try:
                services.decide(
                    decision="select", application=Application.objects.get(pk=pk), actor=user
                )
                outcomes.append("staged")
            except ValidationError as exc:
                outcomes.append(exc.code)
        return outcomes

    return work


def _forty_submitted(call):
    """40 submitted applications; the joint sign-off is off so that only the cap decides."""
    call.required_recommendations = 0
    call.save(update_fields=["required_recommendations"])
    create_demo_applications(call, 40)
    return list(Application.objects.filter(call=call).values_list("pk", flat=True))


def test_selectors_racing_with_a_release_never_pass_thirty_final_and_pending_together(call):
    """Ten already selected (released); eight selectors stage selections over the other
    thirty while a ninth keeps releasing: final and pending together stop at exactly 30."""
    pks = _forty_submitted(call)
    users = [selector(f"selector{i}") for i in range(9)]
    for pk in pks[:10]:
        decide_final(Application.objects.get(pk=pk), "select", users[8])
    rest = pks[10:]

    def release_now_and_then():
        released = 0
        for _ in range(10):
            try:
                released += len(services.decisions_release(call=call, actor=users[8]))
            except ValidationError as exc:
                assert exc.code == "nothing_pending"
            time.sleep(0.02)
        return released

    started = time.perf_counter()
    results = run_together(
        [*(select_all(rest, users[w], w) for w in range(8)), release_now_and_then]
    )
    elapsed = time.perf_counter() - started
    print(f"8 threads x 30 staged selections beside a releaser: {elapsed:.2f} s")
    assert [kind for kind, _ in results] == ["ok"] * 9, results
    outcomes = Counter(code for _, codes in results[:8] for code in codes)
    assert outcomes["staged"] == 20
    assert set(outcomes) <= {"staged", "cap_reached", "pending", "already", "already_decided"}
    assert sum(outcomes.values()) == 8 * 30
    holders = Application.objects.filter(Q(status="selected") | Q(pending_decision="select"))
    assert holders.count() == 30
    assert sorted(holders.values_list("list_order", flat=True)) == list(range(1, 31))
    if holders.exclude(pending_decision="").exists():  # what the releaser had not reached
        services.decisions_release(call=call, actor=users[8])
    assert Application.objects.filter(status="selected").count() == 30
    assert AuditEntry.objects.filter(action="application.select").count() == 30
    assert AuditEntry.objects.filter(action="application.propose").count() == 30


def test_eight_selectors_clicking_the_admin_action_at_once_get_messages_not_errors(call):
    pks = _forty_submitted(call)
    users = [selector(f"clicker{i}") for i in range(8)]

    def click(worker):
        def work():
            client = Client()
            client.force_login(users[worker])
            response = client.post(
                "/admin/applications/application/",
                {
                    "action": "select_applications",
                    "_selected_action": pks[:30],
                    "confirmed": "yes",
                },
            )
            return response.status_code, [str(m) for m in get_messages(response.wsgi_request)]

        return work

    results = run_together([click(w) for w in range(8)])
    assert [kind for kind, _ in results] == ["ok"] * 8, results
    staged_per_click = []
    for _, (status, messages) in results:
        assert status == 302
        assert len(messages) == 1
        staged = re.fullmatch(r"已拟入选（待发布） (\d+) 家。(\d+ 家未能操作：.+)?", messages[0])
        refused = re.search(r"勾选了 30 家，但入选名额只剩 \d+ 个", messages[0])
        assert staged or refused, messages
        staged_per_click.append(int(staged.group(1)) if staged else 0)
    assert sum(staged_per_click) == 30
    assert Application.objects.filter(pending_decision="select").count() == 30


def _post_with_seal(url: str, data: dict):
    """A browser's POST of the 申报表 with a seal scan (streamed to a temporary file)."""

    def work():
        response = Client().post(url, {**data, "seal_scan": seal_upload("我的盖章件.png")})
        return response.status_code, response.content.decode()

    return work


DUPLICATE_UNIT = "不能用此统一社会信用代码申报"
DUPLICATE_DRAFTER = "不能推荐此起草人"


def _errors(html: str) -> list[str]:
    return re.findall(r'class="invalid-feedback[^"]*"[^>]*>\s*(?:<strong>)?([^<]+)', html)


def _stored_files(media_root) -> list[str]:
    """The names, as the storage knows them, of every file under the private storage."""
    root = media_root / "private"
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


@pytest.mark.parametrize("racers", [2, 6])
def test_the_same_unit_submitted_at_once_the_losers_keep_their_form_and_file(
    call, racers, settings
):
    base = form_data(call, 7, action="submit")
    tries = [{**base, "idempotency_key": str(uuid.uuid4())} for _ in range(racers)]
    apply = f"/calls/{call.code}/apply/"
    results = run_together([_post_with_seal(apply, data) for data in tries])
    assert [kind for kind, _ in results] == ["ok"] * racers, results
    statuses = sorted(status for _, (status, _html) in results)
    assert statuses == [200] * (racers - 1) + [303]
    for _, (status, html) in results:
        if status == 200:
            # The duplicate answer next to its field (the unit's, or the drafter's when that
            # check saw the winner's row first), the typed data and the file kept.
            assert DUPLICATE_UNIT in html or DUPLICATE_DRAFTER in html, _errors(html)
            assert base["unit_name"] in html
            assert "我的盖章件.png" in html
    assert Application.objects.count() == 1
    application = Application.objects.get()
    # an anonymous visitor's application: no reference until its address is confirmed
    assert application.reference.startswith("CQO-2021-U")
    assert Call.objects.get(pk=call.pk).last_reference_number == 0
    assert PendingUpload.objects.filter(field_name="seal_scan").count() == racers - 1
    kept = {application.seal_scan.name, *PendingUpload.objects.values_list("file", flat=True)}
    assert _stored_files(settings.MEDIA_ROOT) == sorted(kept)


def test_two_units_edited_to_the_same_credit_code_at_once_the_loser_keeps_its_form(call, settings):
    first, first_token = create_application(call, 1, action="draft")
    second, second_token = create_application(call, 2, action="draft")
    code = values(3)["credit_code"]
    posts = [
        _post_with_seal(
            f"/a/{app.reference}/{token}/edit/",
            form_data(call, number, credit_code=code, action="draft"),
        )
        for app, token, number in ((first, first_token, 1), (second, second_token, 2))
    ]
    results = run_together(posts)
    assert [kind for kind, _ in results] == ["ok", "ok"], results
    assert sorted(status for _, (status, _html) in results) == [200, 303]
    loser_html = next(html for _, (status, html) in results if status == 200)
    assert DUPLICATE_UNIT in loser_html
    assert "我的盖章件.png" in loser_html
    assert sorted(Application.objects.values_list("credit_code", flat=True)).count(code) == 1
    assert PendingUpload.objects.count() == 1
    kept = {
        *(a.seal_scan.name for a in Application.objects.all() if a.seal_scan),
        *PendingUpload.objects.values_list("file", flat=True),
    }
    assert _stored_files(settings.MEDIA_ROOT) == sorted(kept)
