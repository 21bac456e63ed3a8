"""Issue 19, items 13–17: organisers read and review in one place."""

import re

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from applications import queries, services
from applications.admin.forms import shifted_order
from applications.models import Application, AuditEntry, Review
from applications.services.files import NewFile
from tests.factories import (
    UserFactory,
    application_in_status,
    create_application,
    decide_final,
    fixture_bytes,
    pdf_file,
    recommend,
    review_post,
    reviewer_for,
    seal_file,
    selector,
)

CHANGELIST = "/admin/applications/application/"


def change_url(application):
    return f"{CHANGELIST}{application.pk}/change/"


def text(response):
    return re.sub(r"\s+", " ", response.content.decode())


def file_url(application, field, *, inline=False):
    url = reverse("applications:organiser_file", args=[application.pk, field])
    return f"{url}?inline=1" if inline else url


def doc_file(name="单位简介.doc") -> NewFile:
    upload = SimpleUploadedFile(name, fixture_bytes("plan.doc"), content_type="application/msword")
    return NewFile(upload=upload, original_name=name, extension=".doc")


# --- 13: images and PDFs in the page ----------------------------------------------------
def test_checked_images_and_pdfs_are_served_inline_sandboxed(admin_client, call):
    application, _ = create_application(
        call, 1, files={"seal_scan": seal_file(), "unit_profile_file": pdf_file()}
    )
    for field, kind in (("seal_scan", "image/png"), ("unit_profile_file", "application/pdf")):
        with getattr(application, field).open("rb") as stored:
            body = stored.read()
        response = admin_client.get(file_url(application, field, inline=True))
        assert response.status_code == 200
        assert response["Content-Type"] == kind
        assert response["Content-Disposition"].startswith("inline")
        policy = response["Content-Security-Policy"]
        assert policy.startswith("sandbox;") and "frame-ancestors 'self'" in policy
        assert "script-src" not in policy and "default-src 'none'" in policy
        assert response["X-Frame-Options"] == "SAMEORIGIN"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert b"".join(response.streaming_content) == body
        # The download is kept, as before: an attachment.
        download = admin_client.get(file_url(application, field))
        assert download["Content-Disposition"].startswith("attachment")
        assert download["X-Frame-Options"] == "DENY"
        b"".join(download.streaming_content)


def test_a_word_file_is_never_sent_inline(admin_client, call):
    application, _ = create_application(
        call, 1, files={"seal_scan": seal_file(), "unit_profile_file": doc_file()}
    )
    inline = admin_client.get(file_url(application, "unit_profile_file", inline=True))
    assert inline.status_code == 404
    download = admin_client.get(file_url(application, "unit_profile_file"))
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment")
    b"".join(download.streaming_content)
    page = text(admin_client.get(change_url(application)))
    assert "单位简介.doc" in page
    assert file_url(application, "unit_profile_file", inline=True) not in page


def test_the_inline_view_has_the_downloads_checks(client, call):
    application, _ = create_application(call, 1)
    url = file_url(application, "seal_scan", inline=True)
    assert client.get(url).status_code == 302  # to the admin's login
    staff = UserFactory(is_staff=True)
    client.force_login(staff)
    assert client.get(url).status_code == 403
    staff.user_permissions.add(Permission.objects.get(codename="view_application"))
    response = client.get(url)
    assert response.status_code == 200
    b"".join(response.streaming_content)


def test_the_application_page_shows_the_image_and_the_pdf(admin_client, call):
    application, _ = create_application(
        call, 1, files={"seal_scan": seal_file(), "unit_profile_file": pdf_file()}
    )
    page = admin_client.get(change_url(application)).content.decode()
    seal = re.escape(file_url(application, "seal_scan", inline=True))
    profile = re.escape(file_url(application, "unit_profile_file", inline=True))
    assert re.search(rf'<img src="{seal}" alt="盖章扫描件.png"', page)
    assert re.search(rf'<iframe src="{profile}" title="单位简介.pdf"', page)
    # The download link stays beside each.
    assert f'href="{file_url(application, "seal_scan")}" download' in page
    assert f'href="{file_url(application, "unit_profile_file")}" download' in page


# --- 14: the review form in the application page, and "the next one" ------------------------
def review_url(application):
    return f"{CHANGELIST}{application.pk}/review/"


def test_the_review_form_is_in_the_application_page(client, call):
    body = call.organising_bodies.first()
    application, _ = create_application(call, 1)
    client.force_login(reviewer_for(body))
    page = client.get(change_url(application)).content.decode()
    assert f'<form method="post" action="{review_url(application)}" id="review-form"' in page
    for criterion in queries.rubric_criteria(call):  # each 0–10: a list of whole numbers
        assert re.search(rf'<select name="{criterion.field_name}"[^>]* form="review-form"', page)
    assert re.search(r'<textarea name="comment"[^>]* form="review-form"', page)
    assert "保存并评审下一家未评审" in page
    # The old separate page leads to the form in the application page.
    moved = client.get(review_url(application))
    assert moved.status_code == 302 and moved["Location"] == change_url(application) + "#review"


def test_a_refused_review_is_shown_again_in_the_application_page_as_typed(client, call):
    body = call.organising_bodies.first()
    application, _ = create_application(call, 1)
    client.force_login(reviewer_for(body))
    first, second = queries.rubric_criteria(call)[:2]
    response = client.post(
        review_url(application),
        review_post(call, 80, comment="材料齐全", **{first.field_name: "", second.field_name: "3"}),
    )
    assert response.status_code == 200
    page = text(response)
    assert application.unit_name in page and 'id="reviews"' in page  # the application page
    assert "评审意见未保存" in page and "材料齐全" in page
    assert f"请为“{first.label}”打分（0–10 分）。" in page
    kept = rf'<select name="{second.field_name}"[^>]*>.*?<option value="3" selected>'
    assert re.search(kept, page, re.S)
    assert not Review.objects.exists()


def test_save_and_review_the_next_unreviewed(client, call):
    bodies = list(call.organising_bodies.all())
    first, second, third, fourth = (create_application(call, n)[0] for n in range(1, 5))
    draft, _ = create_application(call, 5, action="draft")
    recommend(second, bodies[:1])  # already reviewed by this body: skipped
    recommend(third, bodies[1:2])  # reviewed by another body only: still to do
    reviewer = reviewer_for(bodies[0], "szu")
    client.force_login(reviewer)
    verdict = review_post(call, 88, comment="同意", save_next="1")

    done = client.post(review_url(first), verdict)
    assert done.status_code == 302 and done["Location"] == change_url(third)
    assert Review.objects.get(application=first, body=bodies[0]).score == 88
    # From the last one it wraps round to the first still waiting.
    done = client.post(review_url(fourth), verdict)
    assert done["Location"] == change_url(third)
    done = client.post(review_url(third), verdict)
    assert done["Location"] == f"{CHANGELIST}?call__id__exact={call.pk}"
    assert "深圳大学已评审完所有待决定的申报。" in [str(m) for m in get_messages(done.wsgi_request)]
    assert not Review.objects.filter(application=draft).exists()
    # Without "next", the reviewer stays on the page.
    stay = {key: value for key, value in verdict.items() if key != "save_next"}
    again = client.post(review_url(first), {**stay, **review_post(call, 90)})
    assert again["Location"] == change_url(first)
    assert Review.objects.get(application=first, body=bodies[0]).score == 90


# --- 15: the list opens on what needs a decision; search by the drafter's mobile and e-mail --
def result_refs(response) -> list[str]:
    return re.findall(r"CQO-2021-\d{4}(?=</a></th>)", response.content.decode())


def test_the_change_list_opens_on_the_applications_that_need_a_decision(client, call):
    chief = selector("chief")
    client.force_login(chief)
    waiting = create_application(call, 1)[0]
    draft = application_in_status(call, "draft", chief, 2)
    withdrawn = application_in_status(call, "withdrawn", chief, 3)
    rejected = application_in_status(call, "rejected", chief, 4)

    default = client.get(CHANGELIST)
    assert result_refs(default) == [waiting.reference]
    page = text(default)
    assert "待决定（1）" in page and "全部状态（4）" in page
    assert "草稿（1）" in page and "已撤回（1）" in page and "未入选（1）" in page
    every = client.get(CHANGELIST, {"status__exact": "all"})
    assert sorted(result_refs(every)) == sorted(
        a.reference for a in (waiting, draft, withdrawn, rejected)
    )
    assert result_refs(client.get(CHANGELIST, {"status__exact": "draft"})) == [draft.reference]
    assert client.get(CHANGELIST, {"status__exact": "nonsense"}).status_code in (200, 302)


@pytest.mark.parametrize(
    "typed",
    [
        "13912345678",
        "+86 139 1234 5678",
        "139-1234-5678",
        "0086 13912345678",
        "Drafter7@EXAMPLE.com",
    ],
)
def test_search_by_the_drafters_mobile_however_typed_and_by_e_mail(admin_client, call, typed):
    wanted = create_application(
        call, 7, drafter_mobile="13912345678", drafter_email="drafter7@example.com"
    )[0]
    create_application(call, 8)
    found = admin_client.get(CHANGELIST, {"q": typed})
    assert result_refs(found) == [wanted.reference]


# --- 16: the list order shifts, a reopen closes the gap, a full list offers no selection ----
def holders_in_order(call) -> list[tuple[int, int]]:
    return list(
        Application.objects.filter(call=call, list_order__isnull=False)
        .order_by("list_order")
        .values_list("pk", "list_order")
    )


@pytest.fixture
def three_selected(call):
    call.required_recommendations = 0
    call.save()
    boss = selector("boss")
    selected = [create_application(call, n)[0] for n in (1, 2, 3)]
    for application in selected:
        decide_final(application, "select", boss)
    return boss, selected


def test_typing_1_for_the_third_unit_makes_it_first_and_shifts_the_others(
    client, call, three_selected
):
    _boss, (a, b, c) = three_selected
    client.force_login(selector("chief"))
    url = f"{CHANGELIST}selected/{call.pk}/"
    page = text(client.get(url))
    assert "其余各家依次顺延" in page and "原来靠前的仍在前" in page  # the rule, stated
    client.post(
        url, {"do": "reorder", f"order_{a.pk}": "1", f"order_{b.pk}": "2", f"order_{c.pk}": "1"}
    )
    assert holders_in_order(call) == [(c.pk, 1), (a.pk, 2), (b.pk, 3)]
    # Moving down: typing 3 for the first puts it last.
    client.post(
        url, {"do": "reorder", f"order_{c.pk}": "3", f"order_{a.pk}": "2", f"order_{b.pk}": "3"}
    )
    assert holders_in_order(call) == [(a.pk, 1), (b.pk, 2), (c.pk, 3)]


def test_shifted_order_ties_keep_the_earlier_order():
    assert shifted_order([1, 2, 3, 4], {1: 1, 2: 2, 3: 1, 4: 1}) == [3, 4, 1, 2]
    assert shifted_order([1, 2, 3], {1: 2, 2: 1, 3: 3}) == [2, 1, 3]  # a swap
    assert shifted_order([1, 2, 3], {1: 99, 2: 2, 3: 3}) == [2, 3, 1]  # past the end: last
    assert shifted_order([1, 2, 3], {1: 1, 2: 2, 3: 3}) == [1, 2, 3]


def test_a_reopen_and_an_undone_proposal_close_the_gap(call, three_selected):
    boss, (a, b, c) = three_selected
    services.decide(application=b, decision="reopen", actor=boss, correction="")
    assert holders_in_order(call) == [(a.pk, 1), (c.pk, 2)]
    d = create_application(call, 4)[0]
    services.decide(application=d, decision="select", actor=boss)  # 拟入选: place 3
    assert holders_in_order(call)[-1] == (d.pk, 3)
    services.decide(application=a, decision="reopen", actor=boss, correction="")
    assert holders_in_order(call) == [(c.pk, 1), (d.pk, 2)]
    services.decide(application=d, decision="reopen", actor=boss)  # undo the 拟入选
    assert holders_in_order(call) == [(c.pk, 1)]
    moves = AuditEntry.objects.filter(application=c, action="application.reorder")
    assert [(m.data["from"], m.data["to"]) for m in moves.order_by("pk")] == [(3, 2), (2, 1)]
    assert all(m.actor == boss for m in moves)


def test_a_full_list_offers_no_selection_anywhere(client, call, three_selected):
    call.refresh_from_db()  # the references' counter moved on
    call.max_selected = 3
    call.save()
    boss, _selected = three_selected
    waiting = create_application(call, 4)[0]
    listed = create_application(call, 5)[0]
    decide_final(listed, "waitlist", boss)
    client.force_login(selector("chief"))

    page = client.get(change_url(waiting)).content.decode()
    assert f"{waiting.pk}/decide/select/" not in page
    assert 'aria-disabled="true">入选</span>' in page and "入选名额已满（3 / 3）" in page
    assert f"{waiting.pk}/decide/reject/" in page  # other decisions stay offered

    decide = f"{CHANGELIST}{waiting.pk}/decide/select/"
    for response in (client.get(decide), client.post(decide, {"reason": "补充"})):
        assert response.status_code == 200
        assert "达到上限 3 家" in text(response) and "确认入选" not in text(response)
    assert Application.objects.get(pk=waiting.pk).pending_decision == ""

    selected_page = client.get(f"{CHANGELIST}selected/{call.pk}/").content.decode()
    assert re.search(r'value="递补下一家（候补第 1 名）" disabled', selected_page)
    assert re.search(r'value="按评分拟定名单" disabled', selected_page)
    assert "名额已满：请先撤销一家的入选决定，再递补。" in selected_page


# --- issue 16: a bulk decision is confirmed on a page that says what will happen --------------
def bulk(client, action, chosen, **extra):
    return client.post(
        f"{CHANGELIST}?status__exact=all",
        {"action": action, "_selected_action": [a.pk for a in chosen], **extra},
    )


def test_a_bulk_decision_first_shows_what_will_happen_then_takes_it(client, call):
    bodies = list(call.organising_bodies.all())
    chief = selector("chief")
    client.force_login(chief)
    ready = [create_application(call, n)[0] for n in (1, 2)]
    for application in ready:
        recommend(application, bodies[:2], score=85)
    lacking = create_application(call, 3)[0]  # no joint sign-off
    draft = create_application(call, 4, action="draft")[0]

    page = bulk(client, "select_applications", [*ready, lacking, draft])
    assert page.status_code == 200
    shown = text(page)
    assert "共勾选 4 家；确认后 2 家将记为“拟入选”" in shown
    assert "发布时将发送 2 封结果通知邮件" in shown
    assert "不变：未达会签要求" in shown and "不变：仍是草稿" in shown
    order = [shown.index(a.reference) for a in (*ready, lacking, draft)]
    assert order == sorted(order)  # the order the service takes them, by reference
    assert "85.0" in shown
    assert 'value="确认：2 家记为“拟入选”"' in page.content.decode()
    assert not Application.objects.exclude(pending_decision="").exists()  # nothing yet

    done = bulk(client, "select_applications", [*ready, lacking, draft], confirmed="yes")
    assert done.status_code == 302
    assert sorted(
        Application.objects.filter(pending_decision="select").values_list("pk", flat=True)
    ) == sorted(a.pk for a in ready)


def test_a_bulk_selection_beyond_the_free_places_offers_nothing_to_confirm(client, call):
    call.refresh_from_db()
    call.max_selected = 1
    call.required_recommendations = 0
    call.save()
    client.force_login(selector("chief"))
    chosen = [create_application(call, n)[0] for n in (1, 2)]
    page = bulk(client, "select_applications", chosen)
    shown = text(page)
    assert "有 2 家将占用入选名额，但名额只剩 1 个" in shown
    confirm_page = page.content.decode().split('class="bulk-confirm"')[1]
    assert 'type="submit"' not in confirm_page  # nothing to confirm
    assert "返回列表，不作任何决定" in confirm_page
    assert not Application.objects.exclude(pending_decision="").exists()
