"""HEIC/HEIF photos (iPhones): accepted as the seal scan, read for the version stamp, kept as
uploaded, and shown to organisers as a JPEG rendition."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from PIL import Image

from applications import stamp, uploads
from applications.documents import pdf
from applications.enums import ScanCheck
from applications.models import Application
from applications.uploads import formats, images, qr
from tests.factories import create_application, form_data, selector, shown_in_admin_page
from tests.factories import scans as s

pytestmark = pytest.mark.django_db

SHORT = "本单位推行首席质量官制度。"


def heic_bytes(img: Image.Image) -> bytes:
    out = io.BytesIO()
    img.save(out, format="HEIF", quality=85)
    return out.getvalue()


def post_photo(client, call, number, application, token, name, photo, action) -> Application:
    """The photo as the seal scan of the edit form, with the answers the factory gave the
    application (its ``number``): the page photographed is the one printed."""
    first = str(call.standards.first().pk)
    data = form_data(call, number, unit_profile=SHORT, drafter_resume=SHORT, standards=[first])
    data = {k: v for k, v in data.items() if k != "idempotency_key"}
    data["action"] = action
    data["seal_scan"] = SimpleUploadedFile(name, photo, content_type="image/heic")
    response = client.post(f"/a/{application.reference}/{token}/edit/", data)
    assert response.status_code == 303, response.content.decode()[:2000]
    return Application.objects.get(pk=application.pk)


def test_a_heic_is_a_seal_kind_judged_by_its_content():
    data = heic_bytes(Image.new("RGB", (64, 48), "white"))
    photo = SimpleUploadedFile("IMG_0001.HEIC", data, content_type="image/heic")
    assert uploads.inspect_upload(photo, allowed=uploads.SEAL_KINDS).kind == "heif"
    renamed = SimpleUploadedFile("IMG_0001.jpg", data, content_type="image/jpeg")
    with pytest.raises(ValidationError) as refused:
        uploads.inspect_upload(renamed, allowed=uploads.SEAL_KINDS)
    assert refused.value.code == "extension_mismatch"
    with pytest.raises(ValidationError) as not_here:
        uploads.inspect_upload(photo, allowed=uploads.ATTACHMENT_KINDS)
    assert not_here.value.code == "not_allowed"


def test_an_iphone_photo_of_the_form_matches_and_organisers_get_a_jpeg(call, client):
    application, token = create_application(call, 51, unit_profile=SHORT, drafter_resume=SHORT)
    application = Application.objects.get(pk=application.pk)
    pages = s.pdf_pages(pdf.application_form_pdf(application), dpi=100)
    # Every page laid side by side on the table, in one photo.
    spread = Image.new("RGB", (sum(p.width + 20 for p in pages), pages[0].height), "white")
    for number, page in enumerate(pages):
        spread.paste(page, (number * (page.width + 20), 0))
    photo = heic_bytes(s.on_table(spread, size=(2400, 1800), fill=0.95))

    saved = post_photo(client, call, 51, application, token, "IMG_0002.HEIC", photo, "submit")
    assert saved.scan_check == ScanCheck.MATCHES
    code = stamp.digest(saved)
    assert saved.scan_stamps == [
        stamp.qr_text(saved.reference, code, n, len(pages)) for n in range(1, len(pages) + 1)
    ]
    assert saved.seal_scan.name.endswith(".heic")
    with saved.seal_scan.open("rb") as stored:
        assert stored.read() == photo  # kept as uploaded

    organiser = Client()
    organiser.force_login(selector())
    rendition = organiser.get(f"/organiser/files/{saved.pk}/seal_scan/")
    assert rendition["Content-Type"] == "image/jpeg"
    assert 'filename="IMG_0002.jpg"' in rendition["Content-Disposition"]
    with Image.open(io.BytesIO(rendition.content)) as jpeg:
        assert (jpeg.format, jpeg.size) == ("JPEG", (2400, 1800))
    original = organiser.get(f"/organiser/files/{saved.pk}/seal_scan/?original=1")
    assert b"".join(original.streaming_content) == photo
    # The application's admin page shows the photo, as its JPEG, in the page.
    shown = shown_in_admin_page(organiser, saved, f"/organiser/files/{saved.pk}/seal_scan/")
    with Image.open(io.BytesIO(shown)) as jpeg:
        assert jpeg.format == "JPEG"


def test_a_heic_over_the_pillow_budget_is_read_by_strips_and_refused_only_past_its_limit(call):
    """A 24 or 48 MP iPhone photo: accepted, read for its stamp, its JPEG rendition made, all
    from a picture at most PHOTO_SIDE a side (bench/qr_check.py measures a 48 MP one); a HEIF
    over UPLOAD_MAX_HEIF_PIXELS is refused before any pixel is decoded."""
    application, _ = create_application(call, 52, unit_profile=SHORT, drafter_resume=SHORT)
    application = Application.objects.get(pk=application.pk)
    pages = s.pdf_pages(pdf.application_form_pdf(application), dpi=150)
    page = pages[0]
    photo = heic_bytes(s.on_table(page, size=(5000, 3750)))  # 18.75 MP: over 64 MB at 4 B/px
    upload = SimpleUploadedFile("IMG_0003.HEIC", photo, content_type="image/heic")

    inspected = uploads.inspect_upload(upload, allowed=uploads.SEAL_KINDS)
    assert inspected.kind == "heif"
    code = stamp.digest(application)
    assert uploads.read_stamps(upload, "heif") == [
        stamp.qr_text(application.reference, code, 1, len(pages))
    ]
    with Image.open(io.BytesIO(uploads.jpeg_rendition(upload, "heif"))) as jpeg:
        assert (jpeg.format, jpeg.size) == ("JPEG", (2500, 1875))  # half: 4,200 px at most
        assert jpeg.getpixel((10, 10)) == pytest.approx((118, 92, 70), abs=6)  # the table

    with (
        override_settings(UPLOAD_MAX_HEIF_PIXELS=18_000_000),
        pytest.raises(ValidationError) as refused,
    ):
        uploads.inspect_upload(upload, allowed=uploads.SEAL_KINDS)
    assert refused.value.code == "image_bomb"
    assert "1800 万像素" in refused.value.messages[0]


@pytest.mark.parametrize(
    "size",
    [(2400, 1800), (5000, 3750)],
    ids=["decoded-by-pillow", "decoded-by-strips"],
)
def test_a_heic_seal_scan_is_decoded_once_for_the_check_and_the_qr_reader(
    call, client, monkeypatch, size
):
    """The upload check decodes every pixel of the photo; the QR reader reads that picture
    rather than decoding the HEIC again (about a second for 24 MP: docs/performance.md)."""
    opened, decoded = [], []

    def counting(module, name, seen):
        real = getattr(module, name)

        def spy(*args, **kwargs):
            seen.append(name)
            return real(*args, **kwargs)

        monkeypatch.setattr(module, name, spy)

    for module in (formats, qr):
        counting(module, "opened_image", opened)
    counting(images, "open_heif", decoded)

    application, token = create_application(call, 53, unit_profile=SHORT, drafter_resume=SHORT)
    application = Application.objects.get(pk=application.pk)
    pages = s.pdf_pages(pdf.application_form_pdf(application), dpi=150)
    photo = heic_bytes(s.on_table(pages[0], size=size))
    saved = post_photo(client, call, 53, application, token, "IMG_0004.HEIC", photo, "draft")
    expected = ScanCheck.MATCHES if len(pages) == 1 else ScanCheck.PARTIAL
    assert saved.scan_check == expected
    assert saved.scan_stamps == [stamp.qr_text(saved.reference, stamp.digest(saved), 1, len(pages))]
    assert opened == ["opened_image"]  # the check's; the reader used its picture
    assert len(decoded) == (1 if max(size) > images.PHOTO_SIDE else 0)
