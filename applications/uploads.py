"""Checks for the documents applicants upload (seal scans and attachments).

Uploads are judged by their content, never by the name or the browser's
Content-Type: a file is accepted only when its magic bytes say it is one of
ALLOWED_KINDS, the name's extension agrees with that, and the matching parser
(Pillow, pypdf, zipfile or a small OLE2 reader) can read it fully within the
size limits. Every refusal is a ValidationError with a stable ``code`` and a
Chinese message that tells the applicant what to do next. The codes:
empty, too_large, unknown_type, not_allowed, extension_mismatch, polyglot,
corrupt_image, image_bomb, encrypted_pdf, corrupt_pdf, empty_pdf, corrupt_doc,
encrypted_doc, corrupt_docx, encrypted_docx, docx_bomb, docx_macro.

Polyglots: a PDF, PNG or JPEG that is also a readable ZIP archive (for
example a ZIP whose first bytes are ``%PDF-``, or a PDF or JPEG with an
archive appended) is refused with code "polyglot", even when pypdf or Pillow
could read it. Such a file shows the reviewer one thing and hands another
program something else, and no ordinary PDF or image exporter writes one, so
re-exporting is the fix.
"""

from __future__ import annotations

import os
import struct
import warnings
import zipfile
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import IO

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from PIL import Image, ImageChops, ImageFilter
from pypdf import PdfReader

__all__ = [
    "ALLOWED_KINDS",
    "ATTACHMENT_KINDS",
    "SEAL_KINDS",
    "InspectedFile",
    "KindInfo",
    "SizeLimitedUploadHandler",
    "detect_red_seal",
    "inspect_upload",
]


@dataclass(frozen=True)
class KindInfo:
    content_type: str
    extensions: tuple[str, ...]  # accepted, lower case with dot; the first is canonical
    label: str | Promise  # shown to applicants, e.g. in "此处只接受 …"


ALLOWED_KINDS: dict[str, KindInfo] = {
    "pdf": KindInfo("application/pdf", (".pdf",), gettext_lazy("PDF 文档")),
    "png": KindInfo("image/png", (".png",), gettext_lazy("PNG 图片")),
    "jpeg": KindInfo("image/jpeg", (".jpg", ".jpeg"), gettext_lazy("JPEG 图片")),
    "doc": KindInfo("application/msword", (".doc",), gettext_lazy("Word 97-2003 文档（.doc）")),
    "docx": KindInfo(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        (".docx",),
        gettext_lazy("Word 文档（.docx）"),
    ),
}
SEAL_KINDS = frozenset({"pdf", "png", "jpeg"})
ATTACHMENT_KINDS = frozenset({"pdf", "doc", "docx", "png", "jpeg"})


@dataclass(frozen=True)
class InspectedFile:
    kind: str  # a key of ALLOWED_KINDS
    content_type: str  # e.g. "application/pdf"
    extension: str  # canonical extension with dot, e.g. ".pdf", ".jpg"
    size: int
    seal_detected: bool | None = None  # the red-seal hint, when asked for (see detect_red_seal)


_MB = 1024 * 1024
_HEAD_BYTES = 8192  # what filetype looks at; also enough for every signature below
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_JPEG_SIGNATURE = b"\xff\xd8\xff"
_PDF_SIGNATURE = b"%PDF-"
_OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_SIGNATURE = b"PK\x03\x04"

# A real .docx expands to a few times its size; these limits leave ample room for
# documents full of images while refusing archives built to exhaust the server.
_DOCX_MAX_UNCOMPRESSED = 100 * _MB
_DOCX_RATIO_FLOOR = 10 * _MB  # below this much data no ratio is dangerous
_DOCX_MAX_RATIO = 100

_PIL_FORMATS = {"png": "PNG", "jpeg": "JPEG"}
# Kinds that never legitimately contain a ZIP archive. Word files do: .docx is one,
# and Word 2007+ stores the theme of a .doc as an embedded ZIP.
_SINGLE_PART_KINDS = frozenset({"pdf", "png", "jpeg"})


def inspect_upload(
    f: IO[bytes], *, allowed: frozenset[str], seal_hint: bool = False
) -> InspectedFile:
    """Check an uploaded file against the upload contract and describe it.

    ``f`` is a Django UploadedFile (or File) opened for reading; ``allowed`` is
    the set of ALLOWED_KINDS keys this field accepts. Raises ValidationError
    (see the module docstring); on success returns an InspectedFile, with the
    red-seal hint of detect_red_seal when ``seal_hint`` (worked out from the pixels
    the check has already decoded). Either way ``f`` is rewound to the start, so it
    can be saved or inspected again.
    """
    name = os.path.basename(getattr(f, "name", None) or "")
    limit = settings.UPLOAD_MAX_BYTES
    try:
        size = _size_of(f)
        # SizeLimitedUploadHandler already discarded the content of an oversized file.
        if getattr(f, "too_large", False) or size > limit:
            raise ValidationError(
                _(
                    "文件“%(name)s”大小为 %(size)s MB，超过了 %(limit)s MB 的上限。"
                    "请压缩或拆分后重新上传。"
                ),
                code="too_large",
                params={"name": name, "size": _megabytes(size), "limit": _megabytes(limit)},
            )
        if size == 0:
            raise ValidationError(
                _("文件“%(name)s”是空的（0 字节）。请检查文件后重新上传。"),
                code="empty",
                params={"name": name},
            )
        f.seek(0)
        head = f.read(_HEAD_BYTES)
        kind = _sniff(f, head)
        _check_kind(name, head, kind, allowed)
        info = ALLOWED_KINDS[kind]
        if os.path.splitext(name)[1].lower() not in info.extensions:
            raise ValidationError(
                _(
                    "文件“%(name)s”的扩展名与实际内容（%(kind)s）不符。请确认选择了正确的文件；"
                    "如内容无误，请把扩展名改为 %(extension)s 后重新上传。"
                ),
                code="extension_mismatch",
                params={"name": name, "kind": info.label, "extension": info.extensions[0]},
            )
        if kind in _SINGLE_PART_KINDS and _is_zip_archive(f):
            raise ValidationError(
                _(
                    "文件“%(name)s”既是 %(kind)s，又是 ZIP 压缩包，可能被篡改或拼接过。"
                    "请用常规软件重新导出或另存后再上传。"
                ),
                code="polyglot",
                params={"name": name, "kind": info.label},
            )
        if kind in _PIL_FORMATS:
            seal = _check_image(f, name, head, kind=kind, seal_hint=seal_hint)
        else:
            _VALIDATORS[kind](f, name, head)
            seal = _hint(_pdf_shows_red_seal, f) if seal_hint and kind == "pdf" else None
        return InspectedFile(kind, info.content_type, info.extensions[0], size, seal)
    finally:
        f.seek(0)


def _size_of(f: IO[bytes]) -> int:
    size = getattr(f, "size", None)
    if size is None:
        size = f.seek(0, os.SEEK_END)
    return size


def _megabytes(n: int) -> str:
    """20971520 -> "20", 26528972 -> "25.3": the sizes applicants see."""
    return f"{n / _MB:.1f}".removesuffix(".0")


def _labels(kinds: frozenset[str]) -> str:
    return "、".join(str(info.label) for kind, info in ALLOWED_KINDS.items() if kind in kinds)


def _sniff(f: IO[bytes], head: bytes) -> str | None:
    """The kind the magic bytes announce, or None.

    ZIP files count as DOCX only when they hold word/document.xml, so an .xlsx or
    a plain archive stays unknown; a ZIP that zipfile cannot read at all is most
    likely a damaged .docx and is reported as such by the DOCX check. OLE2
    ("compound file") containers also hold Excel, PowerPoint and installer
    files, so only one with a "WordDocument" stream counts as DOC. One holding
    an "EncryptedPackage" stream is a password-protected .docx (Office wraps
    encrypted OOXML files that way), so it counts as DOCX and the DOCX check
    says it is encrypted.
    """
    if head.startswith(_PDF_SIGNATURE):
        return "pdf"
    if head.startswith(_PNG_SIGNATURE):
        return "png"
    if head.startswith(_JPEG_SIGNATURE):
        return "jpeg"
    if head.startswith(_OLE2_SIGNATURE):
        streams = _ole2_streams(f)
        if "WordDocument" in streams:
            return "doc"
        return "docx" if "EncryptedPackage" in streams else None
    if head.startswith(_ZIP_SIGNATURE):
        try:
            with zipfile.ZipFile(f) as archive:
                names = set(archive.namelist())
        except Exception:  # damaged or truncated archive
            return "docx"
        return "docx" if "word/document.xml" in names else None
    return None


def _check_kind(name: str, head: bytes, kind: str | None, allowed: frozenset[str]) -> None:
    if kind is None:
        # filetype knows far more formats than we accept; naming the real one
        # ("EXE", "GIF", "XLSX"...) tells the applicant what went wrong.
        detected = filetype.guess(head)
        if detected is not None:
            raise ValidationError(
                _(
                    "文件“%(name)s”的实际格式是 %(detected)s，不能接受。"
                    "请上传以下格式的文件：%(allowed)s。"
                ),
                code="unknown_type",
                params={
                    "name": name,
                    "detected": detected.extension.upper(),
                    "allowed": _labels(allowed),
                },
            )
        raise ValidationError(
            _("无法识别文件“%(name)s”的格式。请上传以下格式的文件：%(allowed)s。"),
            code="unknown_type",
            params={"name": name, "allowed": _labels(allowed)},
        )
    if kind not in allowed:
        raise ValidationError(
            _("文件“%(name)s”是 %(kind)s，此处不接受。请上传以下格式的文件：%(allowed)s。"),
            code="not_allowed",
            params={"name": name, "kind": ALLOWED_KINDS[kind].label, "allowed": _labels(allowed)},
        )


def _is_zip_archive(f: IO[bytes]) -> bool:
    """True when zipfile can read a non-empty archive out of f (it reads from the end)."""
    try:
        with zipfile.ZipFile(f) as archive:
            return bool(archive.infolist())
    except Exception:  # not an archive: the usual case
        return False


# --- images ------------------------------------------------------------------------------


def _bomb_error(name: str) -> ValidationError:
    return ValidationError(
        _("图片“%(name)s”的像素尺寸过大（上限为 %(limit)s 万像素）。请缩小图片尺寸后重新上传。"),
        code="image_bomb",
        params={"name": name, "limit": settings.UPLOAD_MAX_PIXELS // 10_000},
    )


class _TooManyPixels(Exception):
    pass


@contextmanager
def _opened_image(f: IO[bytes], kind: str) -> Iterator[Image.Image]:
    """Open an image (header only) with the one decoder its kind calls for; refuse bombs.

    Our own limit is compared explicitly, so Image.MAX_IMAGE_PIXELS, a process-wide
    setting, is left alone. Pillow's own bomb check still runs in Image.open;
    callers turn its warning into an error, so both guards end in _TooManyPixels
    or Image.DecompressionBombError before any pixel is decoded. Leaving the
    ``with`` block does not close f (img.close() would).
    """
    with Image.open(f, formats=[_PIL_FORMATS[kind]]) as img:
        if img.width * img.height > settings.UPLOAD_MAX_PIXELS:
            raise _TooManyPixels
        yield img


@contextmanager
def _bomb_warnings_as_errors() -> Iterator[None]:
    """Silence decoder chatter (odd EXIF and the like) but make bomb warnings errors.

    The project's pytest runs with warnings as errors, so an unexpected warning
    must not escape. catch_warnings is process-wide, not thread-safe; that is
    harmless here because _opened_image's explicit limit (40 Mpx) is below the
    point where Pillow starts warning (about 89 Mpx), so it is the real guard.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        yield


def _check_image(
    f: IO[bytes], name: str, head: bytes, *, kind: str, seal_hint: bool = False
) -> bool | None:
    """Decode every pixel: catches truncated and corrupt files a header check would miss.

    A JPEG is decoded at the smallest scale that still leaves the seal check enough
    pixels (``draft``): every block of the file is still read and decoded, so damage
    is still found, at a fraction of the time and memory. Returns the red-seal hint
    when ``seal_hint``, from the same decoded pixels, else None.
    """
    f.seek(0)
    with _bomb_warnings_as_errors():
        try:
            with _opened_image(f, kind) as img:
                img.draft("RGB", (_SEAL_WORK_SIZE, _SEAL_WORK_SIZE))
                img.load()  # ImageFile.LOAD_TRUNCATED_IMAGES stays False: truncation raises
                return _hint(_shows_red_seal, img) if seal_hint else None
        except (_TooManyPixels, Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _bomb_error(name) from None
        except Exception:  # decoders fail in many ways on hostile input
            raise ValidationError(
                _("图片“%(name)s”已损坏或不完整，无法打开。请重新扫描或拍照，另存后再上传。"),
                code="corrupt_image",
                params={"name": name},
            ) from None


# --- PDF ---------------------------------------------------------------------------------


def _check_pdf(f: IO[bytes], name: str, head: bytes) -> None:
    """Parse the PDF with pypdf; refuse encrypted, unreadable and page-less files.

    An encrypted PDF is refused even when an empty password opens it: reviewers'
    tools, printing and archiving may still be restricted, and asking for an
    unprotected copy is simpler than explaining which protections are harmless.
    """
    f.seek(0)
    corrupt = ValidationError(
        _("PDF 文件“%(name)s”已损坏或格式不正确，无法读取。请重新导出 PDF 后上传。"),
        code="corrupt_pdf",
        params={"name": name},
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pypdf warns about every quirk it repairs
        try:
            reader = PdfReader(f, strict=False)
            if reader.is_encrypted:
                raise ValidationError(
                    _(
                        "PDF 文件“%(name)s”已加密或设置了密码保护，审核人员无法正常查看。"
                        "请取消密码保护，上传未加密的副本。"
                    ),
                    code="encrypted_pdf",
                    params={"name": name},
                )
            pages = reader.pages
            if len(pages) < 1:
                raise ValidationError(
                    _("PDF 文件“%(name)s”没有任何页面。请重新导出 PDF 后上传。"),
                    code="empty_pdf",
                    params={"name": name},
                )
            for page in pages:  # resolves every page object and its (inherited) box
                if page.mediabox.width == 0 or page.mediabox.height == 0:
                    raise corrupt
        except ValidationError:
            raise
        except Exception:  # pypdf raises many types on malformed input
            raise corrupt from None


# --- Word --------------------------------------------------------------------------------


def _encrypted_word_error(name: str, code: str) -> ValidationError:
    return ValidationError(
        _("Word 文档“%(name)s”设置了打开密码，审核人员无法打开。请取消密码保护后重新上传。"),
        code=code,
        params={"name": name},
    )


def _check_docx(f: IO[bytes], name: str, head: bytes) -> None:
    """Check the ZIP structure, refuse zip bombs and macros, and verify every CRC.

    The size checks use the sizes the archive declares; that is safe because
    zipfile never produces more than the declared size (it stops and the CRC
    check fails), and they run before anything is decompressed.
    """
    if head.startswith(_OLE2_SIGNATURE):  # see _sniff: an encrypted OOXML package
        raise _encrypted_word_error(name, "encrypted_docx")
    corrupt = ValidationError(
        _(
            "文件“%(name)s”不是有效的 Word（.docx）文档，或已损坏。"
            "请用 Word 或 WPS 打开后重新保存再上传。"
        ),
        code="corrupt_docx",
        params={"name": name},
    )
    f.seek(0)
    try:
        with zipfile.ZipFile(f) as archive:
            members = archive.infolist()
            expanded = sum(member.file_size for member in members)
            packed = sum(member.compress_size for member in members)
            if expanded > _DOCX_MAX_UNCOMPRESSED or (
                expanded > _DOCX_RATIO_FLOOR and expanded > packed * _DOCX_MAX_RATIO
            ):
                raise ValidationError(
                    _(
                        "文件“%(name)s”解压后体积异常（超过 %(limit)s MB 或压缩比异常），"
                        "可能是恶意构造的文件。请用 Word 或 WPS 重新保存后上传。"
                    ),
                    code="docx_bomb",
                    params={"name": name, "limit": _megabytes(_DOCX_MAX_UNCOMPRESSED)},
                )
            names = {member.filename for member in members}
            if not {"[Content_Types].xml", "word/document.xml"} <= names:
                raise corrupt
            if "word/vbaProject.bin" in names:
                raise ValidationError(
                    _(
                        "Word 文档“%(name)s”包含宏代码，出于安全考虑不能接受。"
                        "请另存为不含宏的 .docx 或 PDF 后上传。"
                    ),
                    code="docx_macro",
                    params={"name": name},
                )
            if archive.testzip() is not None:
                raise corrupt
    except ValidationError:
        raise
    except Exception:  # BadZipFile, zlib.error, encrypted members...
        raise corrupt from None


# A Word 97-2003 file is an OLE2 ("compound file") container whose "WordDocument"
# stream starts with the FIB (File Information Block). Offsets from [MS-CFB] and [MS-DOC].
_OLE2_SECTOR_SHIFT = 0x1E  # uint16: sectors are 2**shift bytes (512 or 4096)
_OLE2_MINI_CUTOFF = 0x38  # uint32: smaller streams live in the mini stream
_OLE2_DIR_ENTRY = 128
_OLE2_STREAM = 2
_FIB_IDENTS = (0xA5EC, 0xA5DC)  # Word 97-2003, Word 6/95
_FIB_ENCRYPTED = 0x0100  # fEncrypted in the flags word at offset 0x0A
_SCAN_CHUNK = 1024 * _OLE2_DIR_ENTRY


def _ole2_streams(f: IO[bytes]) -> dict[str, tuple[int, int]]:
    """Find the Word-relevant directory entries of an OLE2 file: name -> (start sector, size).

    Directory entries are 128-byte records at 128-byte-aligned offsets, so a
    streaming scan for the two names we care about (checked against the entry's
    name-length and type fields) finds them without walking the sector tables.
    """
    patterns = {
        stream: stream.encode("utf-16-le") + b"\0\0"
        for stream in ("WordDocument", "EncryptedPackage")
    }
    found: dict[str, tuple[int, int]] = {}
    f.seek(0)
    while chunk := f.read(_SCAN_CHUNK):
        for stream, pattern in patterns.items():
            pos = chunk.find(pattern)
            while pos != -1 and stream not in found:
                entry = chunk[pos : pos + _OLE2_DIR_ENTRY]
                if pos % _OLE2_DIR_ENTRY == 0 and len(entry) == _OLE2_DIR_ENTRY:
                    name_length, entry_type = struct.unpack_from("<HB", entry, 0x40)
                    if name_length == len(pattern) and entry_type == _OLE2_STREAM:
                        # The size's high 32 bits are unreliable in version-3 files.
                        found[stream] = struct.unpack_from("<II", entry, 0x74)
                pos = chunk.find(pattern, pos + 1)
    return found


def _check_doc(f: IO[bytes], name: str, head: bytes) -> None:
    """Refuse Word 97-2003 files whose FIB is missing or damaged, or that are encrypted."""
    corrupt = ValidationError(
        _(
            "文件“%(name)s”不是有效的 Word（.doc）文档，或已损坏。"
            "请用 Word 或 WPS 打开后另存为 .docx 或 PDF 再上传。"
        ),
        code="corrupt_doc",
        params={"name": name},
    )
    streams = _ole2_streams(f)
    (sector_shift,) = struct.unpack_from("<H", head, _OLE2_SECTOR_SHIFT)
    if "WordDocument" not in streams or sector_shift not in (9, 12):
        raise corrupt
    start, size = streams["WordDocument"]
    (mini_cutoff,) = struct.unpack_from("<I", head, _OLE2_MINI_CUTOFF)
    if size < mini_cutoff:
        return  # the FIB sits in the mini stream; Word never writes such files, skip the check
    f.seek((start + 1) << sector_shift)
    fib = f.read(12)
    if len(fib) < 12:
        raise corrupt
    ident, flags = struct.unpack_from("<H8xH", fib)
    if ident not in _FIB_IDENTS:
        raise corrupt
    if flags & _FIB_ENCRYPTED:
        raise _encrypted_word_error(name, "encrypted_doc")


_VALIDATORS = {  # images: _check_image
    "pdf": _check_pdf,
    "doc": _check_doc,
    "docx": _check_docx,
}


# --- red seal hint -----------------------------------------------------------------------

_SEAL_WORK_SIZE = 800  # analyse at most 800 x 800 pixels
_SEAL_CELL = 4  # pixels per side of a cell in the coarse grid used to find clusters
_SEAL_CELL_MIN_RED = 90  # a cell counts as red when >= ~35 % of its pixels are seal red
_SEAL_MIN_FRACTION = 0.0005
_SEAL_MAX_FRACTION = 0.40
_SEAL_PDF_PAGES = 3
_SEAL_PDF_IMAGES_PER_PAGE = 10


def detect_red_seal(f: IO[bytes], kind: str) -> bool | None:
    """Hint for reviewers: does the scan show a red official seal (公章)?

    True or False for PNG/JPEG and for PDFs with embedded images (the first
    three pages are looked at; True if any image shows a seal). None when it
    cannot tell: PDFs without images (e.g. seals drawn as vectors), other kinds,
    and any error, since a hint must never break the upload. Rewinds f.
    """
    try:
        with _bomb_warnings_as_errors():
            if kind in _PIL_FORMATS:
                f.seek(0)
                with _opened_image(f, kind) as img:
                    return _shows_red_seal(img)
            if kind == "pdf":
                return _pdf_shows_red_seal(f)
            return None
    except Exception:  # a hint is optional; failing to compute it is not an error
        return None
    finally:
        with suppress(Exception):  # a closed file must not turn the hint into an error
            f.seek(0)


def _hint(check, source) -> bool | None:
    """A seal check that may fail in any way: a hint must never break the upload."""
    try:
        return check(source)
    except Exception:
        return None


def _pdf_shows_red_seal(f: IO[bytes]) -> bool | None:
    f.seek(0)
    reader = PdfReader(f, strict=False)
    if reader.is_encrypted:
        return None
    seen = False
    for page in reader.pages[:_SEAL_PDF_PAGES]:
        images = page.images
        for index in range(min(len(images), _SEAL_PDF_IMAGES_PER_PAGE)):
            image = images[index].image
            if image is None:
                continue
            if _shows_red_seal(image):
                return True
            seen = True
    return False if seen else None


def _shows_red_seal(img: Image.Image) -> bool:
    """Look for a plausible amount of seal red that forms at least one seal-shaped cluster.

    Seal red: hue within about 20 degrees of red, saturation and value above
    about 30 %, which covers fresh, faded and pinkish scanned ink but not skin,
    wood or brown paper. The red pixels are then averaged over 4 x 4 cells;
    cells that are mostly red are grouped into 8-connected clusters (after a
    one-cell dilation that joins the ring to the star and characters). Random
    red specks never fill a cell, and red text lines and banners form long
    thin clusters, so only a roughly round, sizeable cluster counts as a seal.
    """
    img.draft("RGB", (_SEAL_WORK_SIZE, _SEAL_WORK_SIZE))  # cheap JPEG downscale on decode
    img.thumbnail((_SEAL_WORK_SIZE, _SEAL_WORK_SIZE))
    img = _flatten(img)
    hue, saturation, value = img.convert("HSV").split()
    mask = ImageChops.multiply(
        ImageChops.multiply(
            hue.point(lambda h: 255 if h <= 14 or h >= 241 else 0),
            saturation.point(lambda s: 255 if s >= 80 else 0),
        ),
        value.point(lambda v: 255 if v >= 80 else 0),
    )
    fraction = mask.histogram()[255] / (img.width * img.height)
    if not _SEAL_MIN_FRACTION <= fraction <= _SEAL_MAX_FRACTION:
        return False
    cells = (
        mask.reduce(_SEAL_CELL)
        .point(lambda c: 255 if c >= _SEAL_CELL_MIN_RED else 0)
        .filter(ImageFilter.MaxFilter(3))
    )
    return _has_seal_shaped_cluster(cells)


def _flatten(img: Image.Image) -> Image.Image:
    """RGB on white: transparent areas of e.g. an electronic seal PNG must not read as black."""
    if img.mode == "RGB":
        return img
    rgba = img.convert("RGBA")
    return Image.alpha_composite(Image.new("RGBA", rgba.size, "white"), rgba).convert("RGB")


def _has_seal_shaped_cluster(cells: Image.Image) -> bool:
    """Breadth-first search over the red cells; judge each cluster by its bounding box.

    A seal cluster is at least 5 % of the shorter side across, no more than twice
    as long as wide (oval seals are about 3:2), and fills 15-90 % of its box
    (a ring with a star and characters, not a solid block).
    """
    width, height = cells.size
    red = bytearray(cells.tobytes())
    min_side = max(4, 0.05 * min(width, height))
    start = red.find(255)  # MaxFilter leaves 0 or 255; find skips the empty cells in C
    while start != -1:
        red[start] = 0
        queue = deque([start])
        count, left, right, top, bottom = 0, width, 0, height, 0
        while queue:
            index = queue.popleft()
            y, x = divmod(index, width)
            count += 1
            left, right, top, bottom = min(left, x), max(right, x), min(top, y), max(bottom, y)
            for ny in (y - 1, y, y + 1):
                if not 0 <= ny < height:
                    continue
                for nx in (x - 1, x, x + 1):
                    neighbour = ny * width + nx
                    if 0 <= nx < width and red[neighbour]:
                        red[neighbour] = 0
                        queue.append(neighbour)
        box_width, box_height = right - left + 1, bottom - top + 1
        if (
            min(box_width, box_height) >= min_side
            and 0.5 <= box_width / box_height <= 2
            and 0.15 <= count / (box_width * box_height) <= 0.9
        ):
            return True
        start = red.find(255, start + 1)
    return False


# --- upload handler ----------------------------------------------------------------------


class SizeLimitedUploadHandler(TemporaryFileUploadHandler):
    """Stream uploads to temporary files, discarding any file beyond UPLOAD_MAX_BYTES.

    Raising StopUpload or SkipFile would lose the rest of the form (or the file's
    name and field), so the applicant would see an unrelated error instead of
    "too large". Instead the handler keeps reading the request, drops the
    oversized file's chunks and empties its temporary file; the UploadedFile it
    returns has ``too_large = True`` and ``size`` = the bytes received, and
    inspect_upload turns that into a proper message. Files within the limit are
    returned exactly as TemporaryFileUploadHandler does, with ``too_large = False``.
    """

    def new_file(self, *args, **kwargs):
        if settings.FILE_UPLOAD_TEMP_DIR:
            os.makedirs(settings.FILE_UPLOAD_TEMP_DIR, exist_ok=True)
        super().new_file(*args, **kwargs)
        self.too_large = False

    def receive_data_chunk(self, raw_data, start):
        if self.too_large:
            return None
        if start + len(raw_data) > settings.UPLOAD_MAX_BYTES:
            self.too_large = True
            self.file.seek(0)
            self.file.truncate()  # free the disk space; the content will never be used
            return None
        return super().receive_data_chunk(raw_data, start)

    def file_complete(self, file_size):
        uploaded = super().file_complete(file_size)
        uploaded.too_large = self.too_large
        return uploaded
