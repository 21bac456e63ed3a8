"""The kinds of file the portal accepts, and what an inspection says of a file."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy


@dataclass(frozen=True)
class KindInfo:
    content_type: str
    extensions: tuple[str, ...]  # accepted, lower case with dot; the first is canonical
    label: str | Promise  # shown to applicants, e.g. in "此处只接受 …"


ALLOWED_KINDS: dict[str, KindInfo] = {
    "pdf": KindInfo("application/pdf", (".pdf",), gettext_lazy("PDF 文档")),
    "png": KindInfo("image/png", (".png",), gettext_lazy("PNG 图片")),
    "jpeg": KindInfo("image/jpeg", (".jpg", ".jpeg"), gettext_lazy("JPEG 图片")),
    # What iPhones save photos as: kept as uploaded, shown to organisers as a JPEG rendition.
    "heif": KindInfo("image/heic", (".heic", ".heif"), gettext_lazy("HEIC 照片")),
    "doc": KindInfo("application/msword", (".doc",), gettext_lazy("Word 97-2003 文档（.doc）")),
    "docx": KindInfo(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        (".docx",),
        gettext_lazy("Word 文档（.docx）"),
    ),
}
SEAL_KINDS = frozenset({"pdf", "png", "jpeg", "heif"})
ATTACHMENT_KINDS = frozenset({"pdf", "doc", "docx", "png", "jpeg"})


@dataclass(frozen=True)
class InspectedFile:
    kind: str  # a key of ALLOWED_KINDS
    content_type: str  # e.g. "application/pdf"
    extension: str  # canonical extension with dot, e.g. ".pdf", ".jpg"
    size: int
    seal_detected: bool | None = None  # the red-seal hint, when asked for (see detect_red_seal)
    # The upright picture the check decoded, when asked for (``keep_picture``) and decoded in
    # full: the QR reader reads it instead of decoding the file again (``read_stamps``).
    picture: Any = field(default=None, compare=False, repr=False)


MB = 1024 * 1024
HEAD_BYTES = 8192  # what filetype looks at; also enough for every signature below
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
JPEG_SIGNATURE = b"\xff\xd8\xff"
PDF_SIGNATURE = b"%PDF-"
OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_SIGNATURE = b"PK\x03\x04"
# An ISO base media file (bytes 4-7 "ftyp") whose major brand is one of HEIF's still images.
HEIF_BRANDS = (b"heic", b"heix", b"heim", b"heis", b"mif1", b"msf1", b"hevc", b"hevx")

# A real .docx expands to a few times its size; these limits leave ample room for
# documents full of images while refusing archives built to exhaust the server.
DOCX_MAX_UNCOMPRESSED = 100 * MB
DOCX_RATIO_FLOOR = 10 * MB  # below this much data no ratio is dangerous
DOCX_MAX_RATIO = 100
# Bounds on the work of one check (about a second and 100 MB at most; docs/performance.md,
# bench/uploads.py). A real .docx holds a few dozen parts plus its images; a PDF a few
# objects per page. pypdf reads some 20,000 small objects a second.
DOCX_MAX_ENTRIES = 5_000
ZIP_DIRECTORY_BYTES_PER_ENTRY = 256  # names and extra fields of real packages take far less
PDF_MAX_PAGES = 1_000
PDF_MAX_OBJECTS = 10_000
# A Word file's OLE2 directory lists a handful of streams, about five more per embedded
# object; olefile's work grows with the square of this count.
OLE2_MAX_ENTRIES = 2048

PIL_FORMATS = {"png": "PNG", "jpeg": "JPEG", "heif": "HEIF"}  # HEIF: pillow-heif's opener
# Kinds that never legitimately contain a ZIP archive. Word files do: .docx is one,
# and Word 2007+ stores the theme of a .doc as an embedded ZIP.
SINGLE_PART_KINDS = frozenset({"pdf", "png", "jpeg", "heif"})


def megabytes(n: int) -> str:
    """20971520 -> "20", 26528972 -> "25.3": the sizes applicants see."""
    return f"{n / MB:.1f}".removesuffix(".0")
