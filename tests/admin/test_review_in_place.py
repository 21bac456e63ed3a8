"""Issue 19, items 13–17: organisers read and review in one place."""

import re

from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from applications import demo
from applications.services.files import NewFile
from tests.factories import (
    UserFactory,
    create_application,
    fixture_bytes,
    pdf_file,
    seal_file,
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
    for field, kind, body in (
        ("seal_scan", "image/png", demo.seal_scan_png()),
        ("unit_profile_file", "application/pdf", demo.profile_pdf()),
    ):
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
