"""Several photos of the stamped form, one per page, added one by one and removable: the
pages' version stamps are judged together with the seal scan's."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from applications import form_schema, services, uploads
from applications.documents import pdf
from applications.enums import ScanCheck
from applications.management.commands.cleanup_orphan_files import referenced_names
from applications.models import Application, SealPage
from tests.factories import create_application, selector, shown_in_admin_page
from tests.factories import scans as s

pytestmark = pytest.mark.django_db

LONG_PROFILE = "本单位推行首席质量官制度，质量管理成效显著。" * 110  # several pages


def photo_upload(page, name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(
        name, s.jpeg_bytes(s.on_table(page, size=(2400, 1800))), content_type="image/jpeg"
    )


def new_file(upload) -> services.NewFile:
    inspected = uploads.inspect_upload(upload, allowed=uploads.SEAL_KINDS)
    stamps = uploads.read_stamps(upload, inspected.kind)
    return services.NewFile(upload, upload.name, inspected.extension, stamps=tuple(stamps))


def set_scan(application, upload):
    application = Application.objects.get(pk=application.pk)
    services.application_update(
        application=application,
        values={n: getattr(application, n) for n in form_schema.VALUE_FIELDS},
        standards=list(application.standards.all()),
        files={"seal_scan": new_file(upload)},
        action="submit",
    )


def check_of(application) -> str:
    return Application.objects.get(pk=application.pk).scan_check


@pytest.fixture
def long_form(call):
    application, token = create_application(call, 61, unit_profile=LONG_PROFILE)
    pages = s.pdf_pages(pdf.application_form_pdf(Application.objects.get(pk=application.pk)))
    assert len(pages) >= 2
    return application, token, pages


def test_pages_added_one_by_one_complete_the_scan_and_removing_one_does_not(long_form):
    application, _token, pages = long_form
    set_scan(application, photo_upload(pages[0], "IMG_1.jpg"))
    assert check_of(application) == ScanCheck.PARTIAL

    added = [
        services.seal_page_add(
            application=application, page=new_file(photo_upload(page, f"IMG_{n}.jpg"))
        )
        for n, page in enumerate(pages[1:], start=2)
    ]
    assert check_of(application) == ScanCheck.MATCHES
    assert [p.original_name for p in SealPage.objects.filter(application=application)] == [
        f"IMG_{n}.jpg" for n in range(2, len(pages) + 1)
    ]
    assert {p.file.name for p in added} <= referenced_names()

    services.seal_page_remove(application=application, page_id=added[-1].pk)
    assert check_of(application) == ScanCheck.PARTIAL
    assert not SealPage.objects.filter(pk=added[-1].pk).exists()

    # A whole new scan replaces the pages added to the old one.
    whole = pdf.application_form_pdf(Application.objects.get(pk=application.pk))
    set_scan(application, SimpleUploadedFile("scan.pdf", whole, content_type="application/pdf"))
    assert check_of(application) == ScanCheck.MATCHES
    assert not SealPage.objects.filter(application=application).exists()


def test_a_page_needs_a_seal_scan_first(call):
    draft, _ = create_application(call, 62, action="draft")
    page = s.pdf_pages(pdf.application_form_pdf(draft))[0]
    with pytest.raises(ValidationError) as refused:
        services.seal_page_add(application=draft, page=new_file(photo_upload(page, "a.jpg")))
    assert refused.value.code == "no_seal_scan"
    assert not SealPage.objects.exists()


def test_the_applicant_adds_and_removes_a_page_on_the_private_page(long_form, client):
    application, token, pages = long_form
    set_scan(application, photo_upload(pages[0], "IMG_1.jpg"))
    private = f"/a/{application.reference}/{token}/"
    html = client.get(private).content.decode()
    assert "缺少第 2" in html and 'action="' + private + 'pages/"' in html

    response = client.post(private + "pages/", {"page": photo_upload(pages[1], "IMG_2.jpg")})
    assert response.status_code == 303
    page = SealPage.objects.get(application=application)
    assert page.stamps and page.original_name == "IMG_2.jpg"
    html = client.get(private).content.decode()
    assert "IMG_2.jpg" in html

    # Only this application's link and its organisers get the photo.
    download = client.get(f"{private}pages/{page.pk}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"\xff\xd8")  # the JPEG as sent
    other, other_token = create_application(application.call, 63)
    assert client.get(f"/a/{other.reference}/{other_token}/pages/{page.pk}/").status_code == 404
    assert Client().get(f"/organiser/pages/{application.pk}/{page.pk}/").status_code == 302
    organiser = Client()
    organiser.force_login(selector())
    got = organiser.get(f"/organiser/pages/{application.pk}/{page.pk}/")
    assert got.status_code == 200 and b"".join(got.streaming_content).startswith(b"\xff\xd8")
    # The application's admin page shows the added page itself, beside the scan.
    shown = shown_in_admin_page(
        organiser, application, f"/organiser/pages/{application.pk}/{page.pk}/"
    )
    assert shown.startswith(b"\xff\xd8")

    # A file that is not a picture or PDF is refused with a message, nothing stored.
    bad = SimpleUploadedFile("page.txt", b"hello", content_type="text/plain")
    response = client.post(private + "pages/", {"page": bad}, follow=True)
    assert "无法识别文件" in response.content.decode()
    assert SealPage.objects.filter(application=application).count() == 1

    response = client.post(f"{private}pages/{page.pk}/remove/")
    assert response.status_code == 303
    assert not SealPage.objects.filter(application=application).exists()


def test_the_purge_removes_the_pages(long_form):
    application, _token, pages = long_form
    set_scan(application, photo_upload(pages[0], "IMG_1.jpg"))
    page = services.seal_page_add(
        application=application, page=new_file(photo_upload(pages[1], "IMG_2.jpg"))
    )
    name = page.file.name
    application = Application.objects.get(pk=application.pk)
    Application.objects.filter(pk=application.pk).update(
        updated_at=application.updated_at.replace(year=2000)
    )
    services.personal_data_purge(call=application.call, older_than_days=1)
    assert not SealPage.objects.filter(application=application).exists()
    assert name not in referenced_names()
