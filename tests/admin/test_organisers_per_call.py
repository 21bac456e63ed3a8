"""Organisers per call: a reviewer sees only the calls of their body, a call's selectors
decide on it alone, and the change list shows one call at a time (the open one by default)."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from applications import services
from applications.models import Application
from applications.roles import roles_ensure
from tests.factories import create_application, other_call, reviewer_for, selector

pytestmark = pytest.mark.django_db

LIST = "/admin/applications/application/"


@pytest.fixture
def two_calls(call):
    """Call A (the seeded one, 30 days left) with one application, call B (20 days left,
    a body of its own) with one application."""
    b = other_call()
    roles_ensure()  # B's body gets its reviewer group
    a_app, _token = create_application(call, 1)
    b_app, b_token = create_application(b, 2)
    return {"a": call, "b": b, "a_app": a_app, "b_app": b_app, "b_token": b_token}


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page(response) -> str:
    if hasattr(response, "streaming_content"):
        return b"".join(response.streaming_content).decode("utf-8-sig")
    return response.content.decode()


def test_a_reviewer_of_a_body_not_in_call_b_sees_nothing_of_b(two_calls):
    a, b, b_app = two_calls["a"], two_calls["b"], two_calls["b_app"]
    reviewer = reviewer_for(a.organising_bodies.first(), "reviewer-a")
    client = logged_in(reviewer)
    everything = page(client.get(f"{LIST}?call__id__exact=all"))
    assert two_calls["a_app"].reference in everything
    assert b_app.reference not in everything and b.series not in everything
    assert page(client.get(f"{LIST}?call__id__exact={b.pk}")).count(b_app.reference) == 0
    change = client.get(f"{LIST}{b_app.pk}/change/")
    assert change.status_code == 302 and b_app.unit_name not in page(client.get(change["Location"]))
    for url in (
        f"{LIST}{b_app.pk}/review/",
        f"{LIST}selected/{b.pk}/",
        f"/organiser/files/{b_app.pk}/seal_scan/",
        f"/organiser/applications/{b_app.pk}/form.pdf",
        f"/organiser/calls/{b.code}/selected.pdf",
    ):
        assert client.get(url).status_code == 404, url
    rows = page(client.get("/organiser/applications.csv?call__id__exact=all"))
    assert two_calls["a_app"].reference in rows and b_app.reference not in rows
    for trail in ("/admin/applications/auditentry/", "/admin/applications/review/"):
        listing = page(client.get(trail))
        assert b_app.reference not in listing, trail
    assert two_calls["a_app"].reference in page(client.get("/admin/applications/auditentry/"))
    # and B's own reviewer sees B, not A
    other = logged_in(reviewer_for(b.organising_bodies.get(), "reviewer-b"))
    listing = page(other.get(f"{LIST}?call__id__exact=all"))
    assert b_app.reference in listing and two_calls["a_app"].reference not in listing
    assert other.get(f"/organiser/applications/{two_calls['a_app'].pk}/form.pdf").status_code == 404


def test_a_calls_selectors_alone_decide_on_it(two_calls):
    b = two_calls["b"]
    chosen, outsider = selector("chosen"), selector("outsider")
    b.selectors.add(chosen)
    with pytest.raises(ValidationError) as refused:
        services.decide(application=two_calls["b_app"], decision="waitlist", actor=outsider)
    assert refused.value.messages == ["您不是本征集的遴选人，不能对其申报作出决定或调整名单。"]
    assert Application.objects.get(pk=two_calls["b_app"].pk).status == "submitted"
    decided = services.decide(application=two_calls["b_app"], decision="waitlist", actor=chosen)
    assert decided.pending_decision == "waitlist"
    with pytest.raises(ValidationError, match="您不是本征集的遴选人"):  # nor release it
        services.decisions_release(call=b, actor=outsider)
    [released] = services.decisions_release(call=b, actor=chosen)
    assert released.status == "waitlisted"
    # A lists nobody: every selector decides on it
    assert (
        services.decide(
            application=two_calls["a_app"], decision="waitlist", actor=outsider
        ).pending_decision
        == "waitlist"
    )
    # the outsider neither sees B's applications nor gets its buttons
    client = logged_in(outsider)
    assert two_calls["b_app"].reference not in page(client.get(f"{LIST}?call__id__exact=all"))
    assert client.get(f"{LIST}{two_calls['b_app'].pk}/decide/reopen/").status_code == 404
    chosen_page = page(logged_in(chosen).get(f"{LIST}{two_calls['b_app'].pk}/change/"))
    assert "/decide/reopen/" in chosen_page


def test_the_change_list_shows_the_open_call_first_with_its_own_counter(two_calls, admin_client):
    a, b = two_calls["a"], two_calls["b"]
    listing = re.sub(r"\s+", " ", page(admin_client.get(LIST)))
    # B closes first: it is the default; the counter and the list are B's alone
    assert two_calls["b_app"].reference in listing
    assert two_calls["a_app"].reference not in listing
    assert "已入选 0 / 10" in listing and "已入选 0 / 30" not in listing
    assert f'href="/organiser/calls/{b.code}/selected.pdf"' in listing
    both = re.sub(r"\s+", " ", page(admin_client.get(f"{LIST}?call__id__exact=all")))
    assert two_calls["a_app"].reference in both and two_calls["b_app"].reference in both
    assert "已入选 0 / 10" in both and "已入选 0 / 30" in both
    only_a = page(admin_client.get(f"{LIST}?call__id__exact={a.pk}"))
    assert two_calls["a_app"].reference in only_a and two_calls["b_app"].reference not in only_a
    # an export follows the same filter
    rows = page(admin_client.get("/organiser/applications.csv"))
    assert two_calls["b_app"].reference in rows and two_calls["a_app"].reference not in rows
    assert admin_client.get(f"{LIST}?call__id__exact=x").status_code in (200, 302)


def test_one_drafter_serves_one_unit_per_call_but_may_serve_another_call(two_calls):
    a, b = two_calls["a"], two_calls["b"]
    first = two_calls["a_app"]
    same = {"drafter_name": first.drafter_name, "drafter_mobile": first.drafter_mobile}
    in_b, _ = create_application(b, 7, **same)
    assert in_b.call == b
    with pytest.raises(ValidationError) as refused:
        create_application(a, 8, **same)
    assert refused.value.message_dict == {
        "drafter_mobile": [
            "不能推荐此起草人（按姓名与手机号）：同一人在本次征集中只能被一家单位推荐。"
            "如该起草人已被推荐，专属链接已发送到推荐单位的联系邮箱；"
            "请推荐本单位的其他人员，或联系通知中的联系人。"
        ]
    }
