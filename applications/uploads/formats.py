"""Per-format checks: each reads the whole file with its parser, within limits."""

from __future__ import annotations

import struct
import warnings
import zipfile
from typing import IO

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image
from pypdf import PdfReader

from applications.uploads.images import (
    TooManyPixels,
    bomb_error,
    bomb_warnings_as_errors,
    opened_image,
)
from applications.uploads.kinds import (
    DOCX_MAX_RATIO,
    DOCX_MAX_UNCOMPRESSED,
    DOCX_RATIO_FLOOR,
    OLE2_SIGNATURE,
    megabytes,
)
from applications.uploads.seal import SEAL_WORK_SIZE, hint, shows_red_seal


def check_image(
    f: IO[bytes], name: str, head: bytes, *, kind: str, seal_hint: bool = False
) -> bool | None:
    """Decode every pixel: catches truncated and corrupt files a header check would miss.

    A JPEG is decoded at the smallest scale that still leaves the seal check enough
    pixels (``draft``): every block of the file is still read and decoded, so damage
    is still found, at a fraction of the time and memory. Returns the red-seal hint
    when ``seal_hint``, from the same decoded pixels, else None.
    """
    f.seek(0)
    with bomb_warnings_as_errors():
        try:
            with opened_image(f, kind) as img:
                img.draft("RGB", (SEAL_WORK_SIZE, SEAL_WORK_SIZE))
                img.load()  # ImageFile.LOAD_TRUNCATED_IMAGES stays False: truncation raises
                return hint(shows_red_seal, img) if seal_hint else None
        except (TooManyPixels, Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise bomb_error(name) from None
        except Exception:  # decoders fail in many ways on hostile input
            raise ValidationError(
                _("图片“%(name)s”已损坏或不完整，无法打开。请重新扫描或拍照，另存后再上传。"),
                code="corrupt_image",
                params={"name": name},
            ) from None


# --- PDF ---------------------------------------------------------------------------------


def check_pdf(f: IO[bytes], name: str, head: bytes) -> None:
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


def encrypted_word_error(name: str, code: str) -> ValidationError:
    return ValidationError(
        _("Word 文档“%(name)s”设置了打开密码，审核人员无法打开。请取消密码保护后重新上传。"),
        code=code,
        params={"name": name},
    )


def check_docx(f: IO[bytes], name: str, head: bytes) -> None:
    """Check the ZIP structure, refuse zip bombs and macros, and verify every CRC.

    The size checks use the sizes the archive declares; that is safe because
    zipfile never produces more than the declared size (it stops and the CRC
    check fails), and they run before anything is decompressed.
    """
    if head.startswith(OLE2_SIGNATURE):  # see sniff: an encrypted OOXML package
        raise encrypted_word_error(name, "encrypted_docx")
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
            if expanded > DOCX_MAX_UNCOMPRESSED or (
                expanded > DOCX_RATIO_FLOOR and expanded > packed * DOCX_MAX_RATIO
            ):
                raise ValidationError(
                    _(
                        "文件“%(name)s”解压后体积异常（超过 %(limit)s MB 或压缩比异常），"
                        "可能是恶意构造的文件。请用 Word 或 WPS 重新保存后上传。"
                    ),
                    code="docx_bomb",
                    params={"name": name, "limit": megabytes(DOCX_MAX_UNCOMPRESSED)},
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
OLE2_SECTOR_SHIFT = 0x1E  # uint16: sectors are 2**shift bytes (512 or 4096)
OLE2_MINI_CUTOFF = 0x38  # uint32: smaller streams live in the mini stream
OLE2_DIR_ENTRY = 128
OLE2_STREAM = 2
FIB_IDENTS = (0xA5EC, 0xA5DC)  # Word 97-2003, Word 6/95
FIB_ENCRYPTED = 0x0100  # fEncrypted in the flags word at offset 0x0A
SCAN_CHUNK = 1024 * OLE2_DIR_ENTRY


def ole2_streams(f: IO[bytes]) -> dict[str, tuple[int, int]]:
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
    while chunk := f.read(SCAN_CHUNK):
        for stream, pattern in patterns.items():
            pos = chunk.find(pattern)
            while pos != -1 and stream not in found:
                entry = chunk[pos : pos + OLE2_DIR_ENTRY]
                if pos % OLE2_DIR_ENTRY == 0 and len(entry) == OLE2_DIR_ENTRY:
                    name_length, entry_type = struct.unpack_from("<HB", entry, 0x40)
                    if name_length == len(pattern) and entry_type == OLE2_STREAM:
                        # The size's high 32 bits are unreliable in version-3 files.
                        found[stream] = struct.unpack_from("<II", entry, 0x74)
                pos = chunk.find(pattern, pos + 1)
    return found


def check_doc(f: IO[bytes], name: str, head: bytes) -> None:
    """Refuse Word 97-2003 files whose FIB is missing or damaged, or that are encrypted."""
    corrupt = ValidationError(
        _(
            "文件“%(name)s”不是有效的 Word（.doc）文档，或已损坏。"
            "请用 Word 或 WPS 打开后另存为 .docx 或 PDF 再上传。"
        ),
        code="corrupt_doc",
        params={"name": name},
    )
    streams = ole2_streams(f)
    (sector_shift,) = struct.unpack_from("<H", head, OLE2_SECTOR_SHIFT)
    if "WordDocument" not in streams or sector_shift not in (9, 12):
        raise corrupt
    start, size = streams["WordDocument"]
    (mini_cutoff,) = struct.unpack_from("<I", head, OLE2_MINI_CUTOFF)
    if size < mini_cutoff:
        return  # the FIB sits in the mini stream; Word never writes such files, skip the check
    f.seek((start + 1) << sector_shift)
    fib = f.read(12)
    if len(fib) < 12:
        raise corrupt
    ident, flags = struct.unpack_from("<H8xH", fib)
    if ident not in FIB_IDENTS:
        raise corrupt
    if flags & FIB_ENCRYPTED:
        raise encrypted_word_error(name, "encrypted_doc")


VALIDATORS = {  # images: check_image
    "pdf": check_pdf,
    "doc": check_doc,
    "docx": check_docx,
}
