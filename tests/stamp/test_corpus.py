"""The corpus: real rendered 申报表 pages, photographed-looking, read back by the upload's QR
check. Reports the detection rate per distortion and asserts the targets: every stamp still
legible to a person is found (>= 95 %), and a stale or another application's form is never
judged ``matches``."""

import io

import pytest

from applications import stamp, uploads
from applications.documents import pdf
from applications.enums import ScanCheck
from applications.models import Application
from tests.factories import create_application
from tests.factories import scans as s

pytestmark = pytest.mark.django_db

DISTORTIONS = {
    "upright photo": lambda p: s.on_table(p),
    "rotated 7°": lambda p: s.on_table(s.rotate(p, 7)),
    "skewed": lambda p: s.on_table(s.skew(p)),
    "perspective": lambda p: s.on_table(s.perspective(p)),
    "blurred half a module": lambda p: s.blur(s.on_table(p), 2.0),
    "hard JPEG (q 12)": lambda p: s.hard_jpeg(s.on_table(p), 12),
    "dark on one side": lambda p: s.dark_side(s.on_table(p), 0.25),
    "seal over the QR's corner": lambda p: s.on_table(s.seal_over_qr(p, "corner")),
    "seal across the QR's lower edge": lambda p: s.on_table(s.seal_over_qr(p, "edge")),
    "seal across the QR's middle": lambda p: s.on_table(s.seal_over_qr(p, "centre")),
    "noise and vignette": lambda p: s.photo_look(s.on_table(p)),
}
ORIENTATIONS = (1, 6, 3, 8)


def test_detection_rate_per_distortion_and_no_false_match(call):
    application, _ = create_application(
        call, 11, unit_profile="本单位推行首席质量官制度，质量管理成效显著。" * 60
    )
    application = Application.objects.get(pk=application.pk)
    code = stamp.digest(application)
    data = pdf.application_form_pdf(application)
    pages = s.pdf_pages(data, dpi=130)
    other, _ = create_application(call, 12)
    other_page = s.pdf_pages(pdf.application_form_pdf(other), dpi=130)[0]

    table = {}
    for name, distort in DISTORTIONS.items():
        found = 0
        for number, page in enumerate(pages, start=1):
            photo = distort(page).resize((3024, 2268))  # 7 MP: a 12 MP photo would take longer
            orientation = ORIENTATIONS[number % len(ORIENTATIONS)]
            texts = uploads.read_stamps(
                io.BytesIO(s.jpeg_bytes(photo, orientation=orientation)), "jpeg"
            )
            expected = stamp.qr_text(application.reference, code, number, len(pages))
            found += texts == [expected]
        table[name] = found / len(pages)
    print("\n".join(f"{name}: {rate:.0%}" for name, rate in table.items()))
    assert table == dict.fromkeys(DISTORTIONS, 1.0)

    # The whole form, one page per photo, judged together: matches.
    texts = [
        t
        for page in pages
        for t in uploads.read_stamps(io.BytesIO(s.jpeg_bytes(s.on_table(page))), "jpeg")
    ]
    assert stamp.judge(texts, application.reference, code).outcome == ScanCheck.MATCHES
    # A scanned multi-page PDF of the same pages.
    scanned = uploads.read_stamps(io.BytesIO(s.scanned_pdf(pages)), "pdf")
    assert stamp.judge(scanned, application.reference, code).outcome == ScanCheck.MATCHES

    # Never a false match: the same photos after a printed field changed, another form.
    application.address += "（新址）"
    assert stamp.judge(texts, application.reference, stamp.digest(application)).outcome == (
        ScanCheck.STALE
    )
    other_texts = uploads.read_stamps(io.BytesIO(s.jpeg_bytes(s.on_table(other_page))), "jpeg")
    assert stamp.judge(other_texts, application.reference, code).outcome == ScanCheck.OTHER
    # A page with no QR at all (retyped by hand): unreadable, a hint.
    blank = s.on_table(s.red_marks(pages[0].crop((0, 300, pages[0].width, pages[0].height))))
    none = uploads.read_stamps(io.BytesIO(s.png_bytes(blank.resize((1600, 1200)))), "png")
    assert stamp.judge(none, application.reference, code).outcome == ScanCheck.UNREADABLE


def test_a_12_mp_photo_blurred_by_half_a_module_or_sealed_over_its_qr_is_read(call):
    """The hardest pages still legible to a person, as a phone takes them (bench/qr_check.py):
    blurred by half a module, and the seal's ring across the code's corner or edge; a blur
    of three quarters of a module, which no one can read either, stays unreadable (a hint)."""
    application, _ = create_application(
        call, 13, unit_profile="本单位推行首席质量官制度，成效显著。" * 200
    )
    application = Application.objects.get(pk=application.pk)
    code = stamp.digest(application)
    pages = s.pdf_pages(pdf.application_form_pdf(application), dpi=200)
    assert len(pages) == 3
    hard = {
        "blurred 2 px": lambda p: s.blur(s.on_table(p), 2.0),
        "seal over the corner": lambda p: s.on_table(s.seal_over_qr(p, "corner")),
        "seal across the edge": lambda p: s.on_table(s.seal_over_qr(p, "edge")),
    }
    missed = []
    for name, distort in hard.items():
        for number, page in enumerate(pages, start=1):
            photo = s.jpeg_bytes(distort(page), orientation=ORIENTATIONS[number % 4])
            texts = uploads.read_stamps(io.BytesIO(photo), "jpeg")
            if texts != [stamp.qr_text(application.reference, code, number, len(pages))]:
                missed.append((name, number))
    assert missed == []

    unreadable = s.jpeg_bytes(s.blur(s.on_table(pages[0]), 3.0))
    texts = uploads.read_stamps(io.BytesIO(unreadable), "jpeg")
    assert stamp.judge(texts, application.reference, code).outcome == ScanCheck.UNREADABLE
