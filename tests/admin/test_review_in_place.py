"""Issue 19, items 13–17: organisers read and review in one place."""

import re

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from applications.models import Review
from applications.services.files import NewFile
from tests.factories import (
    UserFactory,
    application_in_status,
    create_application,
    fixture_bytes,
    pdf_file,
    recommend,
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
    assert re.search(r'<input type="number" name="score"[^>]* form="review-form"', page)
    assert re.search(r'<textarea name="comment"[^>]* form="review-form"', page)
    assert "保存并评审下一家未评审" in page
    # The old separate page leads to the form in the application page.
    moved = client.get(review_url(application))
    assert moved.status_code == 302 and moved["Location"] == change_url(application) + "#review"


def test_a_refused_review_is_shown_again_in_the_application_page_as_typed(client, call):
    body = call.organising_bodies.first()
    application, _ = create_application(call, 1)
    client.force_login(reviewer_for(body))
    response = client.post(
        review_url(application),
        {"recommendation": "recommend", "score": "130", "comment": "材料齐全"},
    )
    assert response.status_code == 200
    page = text(response)
    assert application.unit_name in page and 'id="reviews"' in page  # the application page
    assert "评审意见未保存" in page and 'value="130"' in page and "材料齐全" in page
    assert not Review.objects.exists()


def test_save_and_review_the_next_unreviewed(client, call):
    bodies = list(call.organising_bodies.all())
    first, second, third, fourth = (create_application(call, n)[0] for n in range(1, 5))
    draft, _ = create_application(call, 5, action="draft")
    recommend(second, bodies[:1])  # already reviewed by this body: skipped
    recommend(third, bodies[1:2])  # reviewed by another body only: still to do
    reviewer = reviewer_for(bodies[0], "szu")
    client.force_login(reviewer)
    verdict = {"recommendation": "recommend", "score": "88", "comment": "同意", "save_next": "1"}

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
    again = client.post(review_url(first), {**stay, "score": "90"})
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
