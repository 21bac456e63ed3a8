"""Uploads cost what they weigh: files built to make the check work far beyond their size are
refused, quickly, with a message that says what to do (figures: bench/uploads.py and
docs/performance.md). The time bounds are loose on purpose (a shared machine): before the
limits each of these checks took from several to tens of seconds."""

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from applications.uploads import ATTACHMENT_KINDS, SEAL_KINDS, inspect_upload
from applications.uploads.kinds import DOCX_MAX_ENTRIES, PDF_MAX_OBJECTS, PDF_MAX_PAGES
from tests.factories import hostile
from tests.uploads.test_inspect import refusal


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def timed_refusal(name, content, allowed=ATTACHMENT_KINDS, *, seconds: float):
    started = time.perf_counter()
    error = refusal(upload(name, content), allowed)
    assert time.perf_counter() - started < seconds
    return error


@pytest.fixture(scope="module")
def many_pages() -> bytes:
    return hostile.pdf_with_pages(99_000)


def test_a_pdf_of_99000_pages_is_refused_before_its_pages_are_read(many_pages):
    assert len(many_pages) < 8 * 1024 * 1024
    error = timed_refusal("简介.pdf", many_pages, seconds=5)
    assert error.code == "pdf_too_complex"
    assert f"上限为 {PDF_MAX_OBJECTS} 个" in error.messages[0]


def test_a_pdf_whose_trailer_understates_its_objects_is_refused_by_its_table(many_pages):
    lying = many_pages.replace(b"/Size 99003", b"/Size 3")
    assert lying != many_pages
    assert timed_refusal("简介.pdf", lying, seconds=5).code == "pdf_too_complex"


def test_a_pdf_with_more_pages_than_the_limit_is_refused_with_its_page_count():
    error = timed_refusal("简介.pdf", hostile.pdf_with_pages(PDF_MAX_PAGES + 1), seconds=5)
    assert error.code == "pdf_too_many_pages"
    assert f"共 {PDF_MAX_PAGES + 1} 页，超过了 {PDF_MAX_PAGES} 页的上限" in error.messages[0]


def test_a_pdf_at_the_page_limit_is_accepted():
    content = hostile.pdf_with_pages(PDF_MAX_PAGES)
    assert inspect_upload(upload("简介.pdf", content), allowed=ATTACHMENT_KINDS).kind == "pdf"


@pytest.fixture(scope="module")
def many_entries() -> bytes:
    return hostile.docx_with_entries(150_000)


def test_a_docx_of_150000_entries_is_refused_before_its_directory_is_parsed(many_entries):
    error = timed_refusal("计划.docx", many_entries, seconds=2)
    assert error.code == "docx_too_many_parts"
    assert f"超过了 {DOCX_MAX_ENTRIES} 个的上限" in error.messages[0]


def test_a_docx_just_over_the_entry_limit_is_refused_and_one_within_it_accepted():
    over = hostile.docx_with_entries(DOCX_MAX_ENTRIES)  # with its two parts: 2 over
    assert refusal(upload("计划.docx", over)).code == "docx_too_many_parts"
    within = hostile.docx_with_entries(DOCX_MAX_ENTRIES - 2)
    assert inspect_upload(upload("计划.docx", within), allowed=ATTACHMENT_KINDS).kind == "docx"


def test_a_pdf_with_a_huge_zip_appended_is_a_polyglot_without_parsing_the_zip(many_entries):
    content = hostile.pdf_with_pages(1) + many_entries
    assert timed_refusal("扫描件.pdf", content, SEAL_KINDS, seconds=2).code == "polyglot"


def test_a_colour_png_of_40_megapixels_is_refused_for_the_memory_it_would_take(settings):
    content = hostile.png_with_pixels(6317, 6317)  # 39.9 MP, under UPLOAD_MAX_PIXELS
    assert len(content) < 200 * 1024
    error = timed_refusal("盖章件.png", content, SEAL_KINDS, seconds=2)
    assert error.code == "image_bomb"
    limit = settings.UPLOAD_MAX_DECODED_BYTES // 4 // 10_000
    assert f"上限为 {limit} 万像素" in error.messages[0]


def test_a_grey_png_of_40_megapixels_takes_a_quarter_of_the_memory_and_is_accepted():
    content = hostile.png_with_pixels(6317, 6317, mode="L")
    assert inspect_upload(upload("盖章件.png", content), allowed=SEAL_KINDS).kind == "png"


def test_a_progressive_jpeg_is_limited_by_its_coefficients_a_baseline_one_is_not():
    progressive = hostile.jpeg_with_pixels(6317, 6317, progressive=True)
    assert refusal(upload("盖章件.jpg", progressive), SEAL_KINDS).code == "image_bomb"
    baseline = hostile.jpeg_with_pixels(6317, 6317)
    assert inspect_upload(upload("盖章件.jpg", baseline), allowed=SEAL_KINDS).kind == "jpeg"


def test_the_seal_hint_leaves_a_pdf_image_too_large_to_decode_alone():
    """A 40 MP image in a 120 KB PDF: accepted (it is a valid PDF), no hint rather than
    decoding some 300 MB of pixels; an ordinary scan still gets its hint."""
    huge = inspect_upload(
        upload("扫描件.pdf", hostile.pdf_with_image(6317, 6317)),
        allowed=SEAL_KINDS,
        seal_hint=True,
    )
    assert (huge.kind, huge.seal_detected) == ("pdf", None)
    scan = inspect_upload(
        upload("扫描件.pdf", hostile.pdf_with_image(1240, 1754)), allowed=SEAL_KINDS, seal_hint=True
    )
    assert (scan.kind, scan.seal_detected) == ("pdf", False)
