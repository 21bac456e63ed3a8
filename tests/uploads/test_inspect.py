"""Tests for applications.uploads: content checks, the red-seal hint and the upload handler.

Most files are generated here (Pillow, pypdf, zipfile, hand-built OLE2 and PNG
headers), so the tests show exactly which bytes are accepted or refused; the Word
97-2003 files, and the encrypted ones, come from LibreOffice and msoffcrypto-tool
(tests/fixtures/). Hostile OLE2 containers are in test_formats.py.
"""

from __future__ import annotations

import io
import os
import random
import re
import struct
import zipfile
import zlib

import olefile
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile
from django.http.multipartparser import MultiPartParser
from django.test import override_settings
from PIL import Image, ImageDraw
from pypdf import PdfWriter

from applications.uploads import (
    ALLOWED_KINDS,
    ATTACHMENT_KINDS,
    SEAL_KINDS,
    InspectedFile,
    SizeLimitedUploadHandler,
    detect_red_seal,
    inspect_upload,
)
from tests.factories import fixture_bytes

MB = 1024 * 1024
CJK = re.compile(r"[\u4e00-\u9fff]")
SEAL_RED = (205, 30, 40)


# --- builders ----------------------------------------------------------------------------


def image_bytes(img: Image.Image, fmt: str) -> bytes:
    buf = io.BytesIO()
    img.save(buf, fmt)
    return buf.getvalue()


def text_page(size: tuple[int, int] = (800, 1000)) -> Image.Image:
    """A white page with lines of black, character-sized strokes."""
    img = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(img)
    for top in range(80, size[1] - 300, 40):
        for left in range(60, size[0] - 60, 22):
            draw.rectangle((left, top, left + 14, top + 16), outline="black", width=2)
            draw.line((left + 2, top + 8, left + 12, top + 8), fill="black", width=2)
    return img


def draw_seal(draw: ImageDraw.ImageDraw, centre: tuple[int, int], radius: int) -> None:
    """A round official seal: a thick red ring, a star and an arc of characters."""
    x, y = centre
    draw.ellipse((x - radius, y - radius, x + radius, y + radius), outline=SEAL_RED, width=8)
    star = [(x, y - 30), (x + 9, y - 9), (x + 30, y - 9), (x + 13, y + 5), (x + 19, y + 27)]
    star += [(x, y + 13), (x - 19, y + 27), (x - 13, y + 5), (x - 30, y - 9), (x - 9, y - 9)]
    draw.polygon(star, fill=SEAL_RED)
    for step in range(-4, 5):
        left, top = x - 8 + step * 17, y - radius + 25 + abs(step) * 5
        draw.rectangle((left, top, left + 12, top + 14), outline=SEAL_RED, width=3)


def seal_page() -> Image.Image:
    img = text_page()
    draw_seal(ImageDraw.Draw(img), (560, 820), 100)
    return img


def red_noise_page() -> Image.Image:
    """Black text plus 2 % of the pixels turned red at random: no seal anywhere."""
    img = text_page()
    rng = random.Random(1)
    for _ in range(img.width * img.height // 50):
        img.putpixel((rng.randrange(img.width), rng.randrange(img.height)), SEAL_RED)
    return img


def red_header_page() -> Image.Image:
    """A 红头文件 layout: a red title row and a red rule, but no seal."""
    img = text_page()
    draw = ImageDraw.Draw(img)
    for left in range(120, 680, 60):
        draw.rectangle((left, 20, left + 44, 60), outline=SEAL_RED, width=6)
    draw.rectangle((40, 68, 760, 74), fill=SEAL_RED)
    return img


def electronic_seal() -> Image.Image:
    """An electronic seal as pasted into documents: the seal alone on a transparent canvas."""
    img = Image.new("RGBA", (240, 240), (0, 0, 0, 0))
    draw_seal(ImageDraw.Draw(img), (120, 120), 110)
    return img


def noise_image(size: tuple[int, int] = (400, 300)) -> Image.Image:
    """Random pixels: compresses badly, so cutting the file in half loses real image data."""
    return Image.frombytes("RGB", size, random.Random(2).randbytes(size[0] * size[1] * 3))


def pdf_bytes(*, pages: int = 1, password: str | None = None) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(595, 842)
    if password is not None:
        writer.encrypt(password)
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


CONTENT_TYPES_XML = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Override PartName="/word/document.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)
DOCUMENT_XML = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    "<w:body><w:p><w:r><w:t>首席质量官标准起草单位申请</w:t></w:r></w:p></w:body></w:document>"
)


def zip_bytes(members: dict[str, str | bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buf.getvalue()


def docx_bytes(**extra: str | bytes) -> bytes:
    """A minimal DOCX-like package; extra members are given as path=content."""
    return zip_bytes(
        {"[Content_Types].xml": CONTENT_TYPES_XML, "word/document.xml": DOCUMENT_XML, **extra}
    )


def docx_with_padding(megabytes: int) -> bytes:
    """A DOCX carrying `megabytes` MB of zeros, streamed in 1 MB pieces (compresses ~200:1)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES_XML)
        archive.writestr("word/document.xml", DOCUMENT_XML)
        with archive.open("word/media/padding.bin", "w") as member:
            zeros = bytes(MB)
            for _ in range(megabytes):
                member.write(zeros)
    return buf.getvalue()


def ole2_bytes(streams: dict[str, bytes]) -> bytes:
    """A minimal OLE2 compound file: header, one directory sector, each stream in whole sectors.

    It has no sector allocation table, so Word could not open it: it has only the parts a
    scanner for directory entries would look at (the signature, the sector size, the
    mini-stream cutoff and 128-byte entries pointing at the streams).
    """
    no_sector = 0xFFFFFFFE
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(16)
    # version 3.62, little-endian, 512-byte sectors (shift 9), 64-byte mini sectors,
    # directory in sector 0, mini-stream cutoff 4096, no mini FAT, no extra DIFAT.
    header += struct.pack(
        "<HHHHH6xIIIIIIIII", 0x3E, 3, 0xFFFE, 9, 6, 0, 0, 0, 0, 4096, no_sector, 0, no_sector, 0
    )
    header = header.ljust(512, b"\xff")  # the 109 DIFAT slots: all free

    def entry(name: str, kind: int, start: int, size: int) -> bytes:
        encoded = (name.encode("utf-16-le") + b"\0\0").ljust(64, b"\0")
        return encoded + struct.pack(
            "<HBBIII16sIQQIQ",
            len(name) * 2 + 2,
            kind,
            1,
            0xFFFFFFFF,
            0xFFFFFFFF,
            0xFFFFFFFF if kind == 2 else 1,
            bytes(16),
            0,
            0,
            0,
            start,
            size,
        )

    directory = entry("Root Entry", 5, no_sector, 0)
    data = b""
    for name, content in streams.items():
        directory += entry(name, 2, 1 + len(data) // 512, len(content))
        data += content.ljust(-(-len(content) // 512) * 512, b"\0")
    assert len(directory) <= 512, "one directory sector holds four entries"
    return header + directory.ljust(512, b"\0") + data


def word_stream() -> bytes:
    """A WordDocument stream: the start of a FIB (wIdent, ..., flags word at 0x0A), padded."""
    return struct.pack("<HHHHHH", 0xA5EC, 0x00C1, 0, 0x0804, 0, 0).ljust(4096, b"\0")


# The start of the WordDocument stream LibreOffice writes: wIdent (Word 97-2003), nFib.
FIB_START = b"\xec\xa5\x01\x01"


def with_fib_ident(doc: bytes, ident: int) -> bytes:
    """A real .doc whose FIB says another program than Word wrote it."""
    assert doc.count(FIB_START) == 1
    return doc.replace(FIB_START, struct.pack("<H", ident) + FIB_START[2:])


# The start of an EncryptionInfo stream: version 4.4 (agile), flags 0x40, then the XML.
ENCRYPTION_INFO_START = b"\x04\x00\x04\x00\x40\x00\x00\x00<?xml"


def with_encryption_info_start(docx: bytes, start: bytes) -> bytes:
    """An encrypted .docx whose EncryptionInfo begins otherwise."""
    assert docx.count(ENCRYPTION_INFO_START) == 1 and len(start) == len(ENCRYPTION_INFO_START)
    return docx.replace(ENCRYPTION_INFO_START, start)


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that declares width x height pixels but carries almost no data (bomb header)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + crc

    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(bytes(64)))
        + chunk(b"IEND", b"")
    )


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def refusal(f, allowed: frozenset[str] = ATTACHMENT_KINDS) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        inspect_upload(f, allowed=allowed)
    [message] = caught.value.messages
    assert CJK.search(message), message
    return caught.value


# --- inspect_upload: accepted files ------------------------------------------------------


ACCEPTED = [
    ("seal.png", lambda: image_bytes(seal_page(), "PNG"), SEAL_KINDS, "png", ".png"),
    ("SEAL.PNG", lambda: image_bytes(seal_page(), "PNG"), SEAL_KINDS, "png", ".png"),
    ("seal.jpg", lambda: image_bytes(seal_page(), "JPEG"), SEAL_KINDS, "jpeg", ".jpg"),
    ("seal.jpeg", lambda: image_bytes(seal_page(), "JPEG"), SEAL_KINDS, "jpeg", ".jpg"),
    ("form.pdf", pdf_bytes, SEAL_KINDS, "pdf", ".pdf"),
    ("scan.pdf", lambda: image_bytes(seal_page(), "PDF"), SEAL_KINDS, "pdf", ".pdf"),
    ("plan.docx", docx_bytes, ATTACHMENT_KINDS, "docx", ".docx"),
    ("plan.doc", lambda: fixture_bytes("plan.doc"), ATTACHMENT_KINDS, "doc", ".doc"),
    ("申报说明.DOC", lambda: fixture_bytes("plan.doc"), ATTACHMENT_KINDS, "doc", ".doc"),
    ("attachment.pdf", lambda: pdf_bytes(pages=3), ATTACHMENT_KINDS, "pdf", ".pdf"),
]


@pytest.mark.parametrize(
    ("name", "build", "allowed", "kind", "extension"),
    ACCEPTED,
    ids=[case[0] + "-" + case[3] for case in ACCEPTED],
)
def test_accepts_real_files(name, build, allowed, kind, extension):
    content = build()
    f = upload(name, content)

    inspected = inspect_upload(f, allowed=allowed)

    assert inspected == InspectedFile(
        kind=kind,
        content_type=ALLOWED_KINDS[kind].content_type,
        extension=extension,
        size=len(content),
    )
    assert f.tell() == 0
    assert f.read() == content


def test_allowed_kind_sets():
    assert set(ALLOWED_KINDS) == {"pdf", "png", "jpeg", "heif", "doc", "docx"}
    assert {"pdf", "png", "jpeg", "heif"} == SEAL_KINDS  # HEIC: phone photos of the stamped form
    assert set(ALLOWED_KINDS) == ATTACHMENT_KINDS | {"heif"}
    assert ALLOWED_KINDS["jpeg"].extensions == (".jpg", ".jpeg")


# --- inspect_upload: refused files -------------------------------------------------------


def truncated(content: bytes) -> bytes:
    return content[: len(content) // 2]


def corrupt_member(archive: bytes) -> bytes:
    """Flip one byte inside word/document.xml's compressed data, so its CRC fails."""
    with zipfile.ZipFile(io.BytesIO(archive)) as parsed:
        info = parsed.getinfo("word/document.xml")
    data_start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    damaged = bytearray(archive)
    damaged[data_start + info.compress_size // 2] ^= 0xFF
    return bytes(damaged)


REFUSED = [
    ("empty.pdf", lambda: b"", ATTACHMENT_KINDS, "empty"),
    (
        "page.png",
        lambda: b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>",
        SEAL_KINDS,
        "unknown_type",
    ),
    (
        "vector.png",
        lambda: (
            b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><circle r="9"/></svg>'
        ),
        SEAL_KINDS,
        "unknown_type",
    ),
    ("notes.png", lambda: "申请书正文".encode(), SEAL_KINDS, "unknown_type"),
    ("setup.pdf", lambda: b"MZ\x90\x00" + bytes(range(256)) * 4, SEAL_KINDS, "unknown_type"),
    ("archive.docx", lambda: zip_bytes({"readme.txt": "hi"}), ATTACHMENT_KINDS, "unknown_type"),
    ("sheet.doc", lambda: fixture_bytes("sheet.xls"), ATTACHMENT_KINDS, "unknown_type"),
    ("seal.png", pdf_bytes, SEAL_KINDS, "extension_mismatch"),
    ("seal.jpg", lambda: image_bytes(seal_page(), "PNG"), SEAL_KINDS, "extension_mismatch"),
    ("seal", lambda: image_bytes(seal_page(), "PNG"), SEAL_KINDS, "extension_mismatch"),
    ("plan.doc", docx_bytes, ATTACHMENT_KINDS, "extension_mismatch"),
    ("plan.docx", docx_bytes, SEAL_KINDS, "not_allowed"),
    ("seal.png", lambda: image_bytes(seal_page(), "PNG"), frozenset({"pdf"}), "not_allowed"),
    ("plan.doc", lambda: fixture_bytes("plan.doc"), SEAL_KINDS, "not_allowed"),
    ("cut.jpg", lambda: truncated(image_bytes(noise_image(), "JPEG")), SEAL_KINDS, "corrupt_image"),
    ("cut.png", lambda: truncated(image_bytes(noise_image(), "PNG")), SEAL_KINDS, "corrupt_image"),
    # 49 Mpx: over UPLOAD_MAX_PIXELS (40 M) but under Pillow's own limit (89 M).
    ("big.png", lambda: png_header_only(7000, 7000), SEAL_KINDS, "image_bomb"),
    # 100 Mpx: Pillow's DecompressionBombWarning, turned into an error.
    ("bigger.png", lambda: png_header_only(10_000, 10_000), SEAL_KINDS, "image_bomb"),
    # 400 Mpx: Pillow's DecompressionBombError.
    ("bomb.png", lambda: png_header_only(20_000, 20_000), SEAL_KINDS, "image_bomb"),
    ("locked.pdf", lambda: pdf_bytes(password="pw"), SEAL_KINDS, "encrypted_pdf"),
    ("owner-only.pdf", lambda: pdf_bytes(password=""), SEAL_KINDS, "encrypted_pdf"),
    ("broken.pdf", lambda: b"%PDF-1.7\n" + bytes(range(256)) * 8, SEAL_KINDS, "corrupt_pdf"),
    ("cut.pdf", lambda: pdf_bytes()[:40], SEAL_KINDS, "corrupt_pdf"),
    ("nothing.pdf", lambda: pdf_bytes(pages=0), SEAL_KINDS, "empty_pdf"),
    (
        "zip-as-pdf.pdf",
        lambda: b"%PDF-1.7\n" + zip_bytes({"payload.exe": b"MZ" * 100}),
        SEAL_KINDS,
        "polyglot",
    ),
    (
        "appended.pdf",
        lambda: pdf_bytes() + zip_bytes({"payload.js": "alert(1)"}),
        SEAL_KINDS,
        "polyglot",
    ),
    (
        "appended.jpg",
        lambda: image_bytes(seal_page(), "JPEG") + zip_bytes({"payload.js": "alert(1)"}),
        SEAL_KINDS,
        "polyglot",
    ),
    ("cut.docx", lambda: truncated(docx_bytes()), ATTACHMENT_KINDS, "corrupt_docx"),
    (
        "no-types.docx",
        lambda: zip_bytes({"word/document.xml": DOCUMENT_XML}),
        ATTACHMENT_KINDS,
        "corrupt_docx",
    ),
    ("bad-crc.docx", lambda: corrupt_member(docx_bytes()), ATTACHMENT_KINDS, "corrupt_docx"),
    (
        "macro.docx",
        lambda: docx_bytes(**{"word/vbaProject.bin": b"\xd0\xcf\x11\xe0"}),
        ATTACHMENT_KINDS,
        "docx_macro",
    ),
    # 20 MB of zeros in ~100 KB: within the 100 MB cap, but the ratio is absurd.
    ("ratio.docx", lambda: docx_with_padding(20), ATTACHMENT_KINDS, "docx_bomb"),
    ("locked.docx", lambda: fixture_bytes("locked.docx"), ATTACHMENT_KINDS, "encrypted_docx"),
    # Version 4.3: an encryption msoffcrypto does not support is still one.
    (
        "extensible.docx",
        lambda: with_encryption_info_start(
            fixture_bytes("locked.docx"), b"\x04\x00\x03\x00" + ENCRYPTION_INFO_START[4:]
        ),
        ATTACHMENT_KINDS,
        "encrypted_docx",
    ),
    # An EncryptedPackage whose EncryptionInfo is not XML: nothing says how to open it.
    (
        "garbled.docx",
        lambda: with_encryption_info_start(
            fixture_bytes("locked.docx"), ENCRYPTION_INFO_START[:8] + b"\0\0\0\0\0"
        ),
        ATTACHMENT_KINDS,
        "corrupt_docx",
    ),
    ("locked.doc", lambda: fixture_bytes("locked.doc"), ATTACHMENT_KINDS, "encrypted_doc"),
    (
        "not-word.doc",
        lambda: with_fib_ident(fixture_bytes("plan.doc"), 0x1234),
        ATTACHMENT_KINDS,
        "corrupt_doc",
    ),
    ("cut.doc", lambda: truncated(fixture_bytes("plan.doc")), ATTACHMENT_KINDS, "corrupt_doc"),
    # No sector allocation table: olefile cannot read it, nor could Word.
    (
        "no-fat.doc",
        lambda: ole2_bytes({"WordDocument": word_stream()}),
        ATTACHMENT_KINDS,
        "corrupt_doc",
    ),
]


@pytest.mark.parametrize(
    ("name", "build", "allowed", "code"),
    REFUSED,
    ids=[f"{case[0]}-{case[3]}" for case in REFUSED],
)
def test_refuses_with_code_and_chinese_message(name, build, allowed, code):
    f = upload(name, build())

    error = refusal(f, allowed)

    assert error.code == code
    assert f.tell() == 0


@pytest.fixture(scope="module")
def docx_bomb() -> bytes:
    """200 MB of zeros in under 1 MB: over the 100 MB uncompressed cap."""
    return docx_with_padding(200)


def test_refuses_docx_bomb_without_inflating_it(docx_bomb):
    assert len(docx_bomb) < MB

    assert refusal(upload("bomb.docx", docx_bomb)).code == "docx_bomb"


def test_exe_message_names_the_real_format():
    error = refusal(upload("setup.pdf", b"MZ\x90\x00" + bytes(1024)))

    assert "EXE" in error.messages[0]


def test_excel_file_message_names_the_real_format():
    error = refusal(upload("sheet.doc", fixture_bytes("sheet.xls")))

    assert error.code == "unknown_type"
    assert "XLS" in error.messages[0]


def test_the_real_doc_files_differ_in_their_fib_encryption_flag():
    """Both FIBs start with Word's wIdent; fEncrypted (0x0100 of the word at 0x0A) is set
    only in locked.doc."""
    fibs = []
    for name in ("plan.doc", "locked.doc"):
        with olefile.OleFileIO(fixture_bytes(name)) as container:
            fibs.append(container.openstream("WordDocument").read(12))

    assert [fib[:4] for fib in fibs] == [FIB_START, FIB_START]
    assert [struct.unpack_from("<H", fib, 0x0A)[0] & 0x0100 for fib in fibs] == [0, 0x0100]


def test_not_allowed_message_lists_what_the_field_accepts():
    error = refusal(upload("plan.docx", docx_bytes()), SEAL_KINDS)

    assert error.code == "not_allowed"
    for kind in SEAL_KINDS:
        assert str(ALLOWED_KINDS[kind].label) in error.messages[0]


def test_too_large_flag_from_the_handler_is_refused_first():
    """The handler emptied the file; the message names the limit and the received size."""
    f = upload("scan.pdf", b"")
    f.too_large = True
    f.size = 26_528_972

    error = refusal(f)

    assert error.code == "too_large"
    assert "20 MB" in error.messages[0]
    assert "25.3 MB" in error.messages[0]


@override_settings(UPLOAD_MAX_BYTES=1024)
def test_too_large_by_size():
    assert refusal(upload("scan.pdf", pdf_bytes() + bytes(2048))).code == "too_large"


@override_settings(UPLOAD_MAX_PIXELS=1000)
def test_pixel_limit_comes_from_settings():
    error = refusal(upload("seal.png", image_bytes(Image.new("RGB", (40, 40)), "PNG")))

    assert error.code == "image_bomb"


# --- detect_red_seal ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("build", "kind", "expected"),
    [
        (lambda: image_bytes(seal_page(), "PNG"), "png", True),
        (lambda: image_bytes(seal_page(), "JPEG"), "jpeg", True),
        (lambda: image_bytes(electronic_seal(), "PNG"), "png", True),
        (lambda: image_bytes(text_page(), "PNG"), "png", False),
        (lambda: image_bytes(text_page(), "JPEG"), "jpeg", False),
        (lambda: image_bytes(red_noise_page(), "PNG"), "png", False),
        (lambda: image_bytes(red_header_page(), "PNG"), "png", False),
        (lambda: image_bytes(seal_page(), "PDF"), "pdf", True),
        (lambda: image_bytes(text_page(), "PDF"), "pdf", False),
        (pdf_bytes, "pdf", None),
        (lambda: pdf_bytes(password="pw"), "pdf", None),
        (docx_bytes, "docx", None),
        (lambda: fixture_bytes("plan.doc"), "doc", None),
        (lambda: b"not an image at all", "png", None),
        (lambda: truncated(image_bytes(noise_image(), "JPEG")), "jpeg", None),
        (lambda: png_header_only(20_000, 20_000), "png", None),
    ],
    ids=[
        "seal-png",
        "seal-jpeg",
        "electronic-seal-transparent-png",
        "text-png",
        "text-jpeg",
        "scattered-red-noise",
        "red-header-and-rule",
        "pdf-with-seal-image",
        "pdf-with-text-image",
        "pdf-without-images",
        "encrypted-pdf",
        "docx",
        "doc",
        "garbage",
        "truncated-jpeg",
        "pixel-bomb",
    ],
)
def test_detect_red_seal(build, kind, expected):
    f = upload("scan", build())
    f.seek(5)

    assert detect_red_seal(f, kind) is expected
    assert f.tell() == 0


@pytest.mark.parametrize(
    ("build", "name", "expected"),
    [
        (lambda: image_bytes(seal_page(), "PNG"), "scan.png", True),
        (lambda: image_bytes(seal_page().resize((2400, 3000)), "JPEG"), "scan.jpg", True),
        (lambda: image_bytes(text_page(), "JPEG"), "scan.jpg", False),
        (lambda: image_bytes(seal_page(), "PDF"), "scan.pdf", True),
        (pdf_bytes, "scan.pdf", None),
    ],
    ids=["seal-png", "large-seal-jpeg", "text-jpeg", "pdf-with-seal-image", "vector-pdf"],
)
def test_inspect_gives_the_seal_hint_from_the_pixels_it_decoded(build, name, expected):
    content = build()

    inspected = inspect_upload(upload(name, content), allowed=SEAL_KINDS, seal_hint=True)

    assert inspected.seal_detected is expected
    assert detect_red_seal(upload(name, content), inspected.kind) is expected
    assert inspect_upload(upload(name, content), allowed=SEAL_KINDS).seal_detected is None


def test_a_large_jpeg_cut_short_is_refused_though_decoded_at_a_reduced_scale():
    """The check decodes big JPEGs at 1/2-1/8 scale; every block is still read."""
    content = image_bytes(noise_image((3200, 2400)), "JPEG")
    assert inspect_upload(upload("photo.jpg", content), allowed=SEAL_KINDS).kind == "jpeg"

    assert refusal(upload("photo.jpg", truncated(content)), SEAL_KINDS).code == "corrupt_image"


# --- SizeLimitedUploadHandler -----------------------------------------------------------

BOUNDARY = "----chiefqualityBoundary7MA4YWxk"


def multipart(*parts: tuple[str, str | None, bytes]) -> bytes:
    """Build a multipart/form-data body from (field name, file name or None, content)."""
    body = b""
    for field, filename, content in parts:
        disposition = f'form-data; name="{field}"'
        if filename is not None:
            disposition += f'; filename="{filename}"'
        body += f"--{BOUNDARY}\r\nContent-Disposition: {disposition}\r\n".encode()
        if filename is not None:
            body += b"Content-Type: application/pdf\r\n"
        body += b"\r\n" + content + b"\r\n"
    return body + f"--{BOUNDARY}--\r\n".encode()


def parse(body: bytes, chunk_size: int):
    handler = SizeLimitedUploadHandler()
    handler.chunk_size = chunk_size
    meta = {
        "CONTENT_TYPE": f"multipart/form-data; boundary={BOUNDARY}",
        "CONTENT_LENGTH": str(len(body)),
    }
    return MultiPartParser(meta, io.BytesIO(body), [handler], "utf-8").parse()


@pytest.fixture
def parsed_files():
    """Collects parsed MultiValueDicts of files and closes (deletes) their temporary files."""
    collected = []
    yield collected
    for files in collected:
        for uploaded_files in files.lists():
            for uploaded in uploaded_files[1]:
                uploaded.close()


@pytest.mark.parametrize("chunk_size", [256, 64 * 1024])
@override_settings(UPLOAD_MAX_BYTES=1024)
def test_handler_discards_oversized_file_but_keeps_the_form(chunk_size, parsed_files):
    content = os.urandom(10 * 1024)
    body = multipart(
        ("before", None, "甲单位".encode()),
        ("seal_scan", "scan.pdf", content),
        ("after", None, b"tail"),
    )

    post, files = parse(body, chunk_size)
    parsed_files.append(files)

    assert post["before"] == "甲单位"
    assert post["after"] == "tail"
    scan = files["seal_scan"]
    assert isinstance(scan, TemporaryUploadedFile)
    assert scan.too_large is True
    assert scan.size == len(content)
    assert os.path.getsize(scan.temporary_file_path()) <= 1024
    assert refusal(scan).code == "too_large"


@override_settings(UPLOAD_MAX_BYTES=1024)
def test_handler_keeps_files_within_the_limit_intact(parsed_files):
    at_limit = os.urandom(1024)
    small = b"%PDF-" + os.urandom(100)
    body = multipart(
        ("first", "a.pdf", at_limit),
        ("name", None, b"unit"),
        ("second", "b.pdf", small),
    )

    post, files = parse(body, 256)
    parsed_files.append(files)

    assert post["name"] == "unit"
    for field, content in (("first", at_limit), ("second", small)):
        uploaded = files[field]
        assert isinstance(uploaded, TemporaryUploadedFile)
        assert uploaded.too_large is False
        assert uploaded.size == len(content)
        assert uploaded.read() == content


@override_settings(UPLOAD_MAX_BYTES=1024)
def test_handler_judges_each_file_on_its_own(parsed_files):
    """An oversized file must not mark the next, small file as too large."""
    body = multipart(("big", "big.pdf", bytes(4096)), ("small", "small.pdf", b"%PDF-1.7"))

    _post, files = parse(body, 512)
    parsed_files.append(files)

    assert files["big"].too_large is True
    assert files["small"].too_large is False
    assert files["small"].read() == b"%PDF-1.7"
