"""Per-format checks: each reads the whole file with its parser, within limits."""

from __future__ import annotations

import os
import re
import struct
import warnings
import zipfile
from typing import IO

import msoffcrypto
import olefile
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from msoffcrypto.exceptions import DecryptionError
from msoffcrypto.format.doc97 import Doc97File
from PIL import Image
from pypdf import PdfReader

from applications.uploads.active import (
    docx_active_content,
    ole2_has_macros,
    pdf_active_content,
    pdf_object_numbers,
)
from applications.uploads.images import (
    TooManyPixels,
    bomb_error,
    bomb_warnings_as_errors,
    opened_image,
    upright,
)
from applications.uploads.kinds import (
    DOCX_MAX_ENTRIES,
    DOCX_MAX_RATIO,
    DOCX_MAX_UNCOMPRESSED,
    DOCX_RATIO_FLOOR,
    OLE2_MAX_ENTRIES,
    OLE2_SIGNATURE,
    PDF_MAX_OBJECTS,
    PDF_MAX_PAGES,
    ZIP_DIRECTORY_BYTES_PER_ENTRY,
    megabytes,
)
from applications.uploads.seal import SEAL_WORK_SIZE, hint, shows_red_seal


def check_image(
    f: IO[bytes], name: str, *, kind: str, seal_hint: bool = False, keep_picture: bool = False
) -> tuple[bool | None, Image.Image | None]:
    """Decode every pixel: catches truncated and corrupt files a header check would miss.

    A JPEG is decoded at the smallest scale that still leaves the seal check enough
    pixels (``draft``): every block of the file is still read and decoded, so damage
    is still found, at a fraction of the time and memory. Returns the red-seal hint
    when ``seal_hint``, from the same decoded pixels, else None; and with
    ``keep_picture`` the upright picture when it was decoded in full (a PNG, a HEIF, a
    small JPEG: what the QR reader would decode again), else None.
    """
    f.seek(0)
    with bomb_warnings_as_errors():
        try:
            with opened_image(f, kind) as img:
                size = img.size
                img.draft("RGB", (SEAL_WORK_SIZE, SEAL_WORK_SIZE))
                img.load()  # ImageFile.LOAD_TRUNCATED_IMAGES stays False: truncation raises
                seal = hint(shows_red_seal, img) if seal_hint else None
                whole = keep_picture and img.size == size
                return seal, upright(img) if whole else None
        except TooManyPixels as exc:
            raise bomb_error(name, exc.limit) from None
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise bomb_error(name) from None
        except Exception:  # decoders fail in many ways on hostile input
            raise ValidationError(
                _("图片“%(name)s”已损坏或不完整，无法打开。请重新扫描或拍照，另存后再上传。"),
                code="corrupt_image",
                params={"name": name},
            ) from None


# --- PDF ---------------------------------------------------------------------------------


_STARTXREF = re.compile(rb"startxref\s+(\d+)")
_SUBSECTION = re.compile(rb"(\d+)\s+(\d+)\s*[\r\n]")
_INDEX = re.compile(rb"/Index\s*\[([\d\s]*)\]")
_SIZE = re.compile(rb"/Size\s+(\d+)")


def pdf_declared_objects(f: IO[bytes]) -> int:
    """How many objects the last cross-reference section declares, read before pypdf reads
    the section (entry by entry, in Python): the /Size of its trailer or stream, and the
    sum of its subsections' counts (a table's headers, a stream's /Index). 0 when the file
    does not say, where pypdf will rebuild the table by scanning the file. Rewinds f."""
    try:
        size = f.seek(0, os.SEEK_END)
        f.seek(max(0, size - 1024))
        found = _STARTXREF.findall(f.read())
        if not found or int(found[-1]) >= size:
            return 0
        f.seek(int(found[-1]))
        section = f.read(4096)
        declared = [int(n) for n in _SIZE.findall(section)[:1]]
        if section.startswith(b"xref"):
            counts, rest = 0, section[4:]
            while match := _SUBSECTION.match(rest.lstrip()):
                count = int(match.group(2))
                counts += count
                rest = rest.lstrip()[match.end() + count * 20 :]  # 20 bytes an entry
            declared.append(counts)
        else:
            for index in _INDEX.findall(section)[:1]:
                numbers = [int(n) for n in index.split()]
                declared.append(sum(numbers[1::2]))
        return max(declared, default=0)
    finally:
        f.seek(0)


def pdf_too_complex(name: str, objects: int) -> ValidationError:
    return ValidationError(
        _(
            "PDF 文件“%(name)s”内部结构过于复杂（%(objects)s 个对象，上限为 "
            "%(limit)s 个），无法检查。请用“打印”→“另存为 PDF”重新生成，"
            "或删去不需要的页面后上传。"
        ),
        code="pdf_too_complex",
        params={"name": name, "objects": objects, "limit": PDF_MAX_OBJECTS},
    )


def check_pdf(f: IO[bytes], name: str, _head: bytes) -> None:
    """Parse the PDF with pypdf; refuse encrypted, unreadable and page-less files, files
    with more objects or pages than a check can afford (PDF_MAX_OBJECTS, PDF_MAX_PAGES:
    the objects as declared before pypdf reads anything, then as found) and active content.

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
    declared = pdf_declared_objects(f)
    if declared > PDF_MAX_OBJECTS:
        raise pdf_too_complex(name, declared)
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
            objects = len(pdf_object_numbers(reader))
            if objects > PDF_MAX_OBJECTS:
                raise pdf_too_complex(name, objects)
            # The page tree's own count first, then (it may lie) the pages found in it.
            count = int(reader.root_object["/Pages"].get_object().get("/Count", 0))
            pages = reader.pages
            if count <= PDF_MAX_PAGES:
                count = len(pages)
            if count > PDF_MAX_PAGES:
                raise ValidationError(
                    _(
                        "PDF 文件“%(name)s”共 %(pages)s 页，超过了 %(limit)s 页的上限。"
                        "请只保留需要的页面后重新上传。"
                    ),
                    code="pdf_too_many_pages",
                    params={"name": name, "pages": count, "limit": PDF_MAX_PAGES},
                )
            if len(pages) < 1:
                raise ValidationError(
                    _("PDF 文件“%(name)s”没有任何页面。请重新导出 PDF 后上传。"),
                    code="empty_pdf",
                    params={"name": name},
                )
            for page in pages:  # resolves every page object and its (inherited) box
                if page.mediabox.width == 0 or page.mediabox.height == 0:
                    raise corrupt
            active = pdf_active_content(reader)
            if active:
                raise ValidationError(
                    _(
                        "PDF 文件“%(name)s”含有脚本、打开时自动执行的操作或嵌入的文件"
                        "（%(what)s），出于安全考虑不能接受。请用“打印”→“另存为 PDF”，"
                        "或 Word/WPS 的“导出为 PDF”重新生成一份普通 PDF 后上传。"
                    ),
                    code="pdf_active_content",
                    params={"name": name, "what": active},
                )
        except ValidationError:
            raise
        except Exception:  # pypdf raises many types on malformed input
            raise corrupt from None


# --- Word --------------------------------------------------------------------------------


def macro_error(name: str, code: str) -> ValidationError:
    return ValidationError(
        _(
            "Word 文档“%(name)s”包含宏代码，出于安全考虑不能接受。"
            "请另存为不含宏的 .docx 或 PDF 后上传。"
        ),
        code=code,
        params={"name": name},
    )


def encrypted_word_error(name: str, code: str) -> ValidationError:
    return ValidationError(
        _("Word 文档“%(name)s”设置了打开密码，审核人员无法打开。请取消密码保护后重新上传。"),
        code=code,
        params={"name": name},
    )


class BoundedOleFile(olefile.OleFileIO):
    """olefile's reader, refusing what would make it work without bound.

    olefile trusts what a file declares. Left alone, it follows as many FAT and DIFAT
    sectors as the header claims (and joins the FAT by copying it once per sector), reads a
    stream sector by sector up to the size its entry claims, whatever the file's length, and
    compares each directory entry with every earlier one. A file of a few kilobytes can so
    take minutes or gigabytes (docs/performance.md). No real file declares more FAT sectors
    than its sectors need, more MiniFAT or directory sectors than it has, or a stream larger
    than itself, so those are refused as soon as olefile has read the header or an entry;
    and past OLE2_MAX_ENTRIES directory entries the container is refused as well.
    """

    entries_read = 0

    def loadfat(self, header: bytes) -> None:
        sectors = self.nb_sect
        fat_needed = -(-sectors // (self.sector_size // 4))
        if (
            self.num_fat_sectors > fat_needed
            or self.num_mini_fat_sectors > sectors
            or self.num_dir_sectors > sectors
        ):
            raise olefile.OleFileError("allocation tables larger than the file")
        super().loadfat(header)

    def _load_direntry(self, sid: int) -> olefile.OleDirectoryEntry:
        # olefile reads each entry of the directory tree here, once (olefile 0.47).
        self.entries_read += 1
        if self.entries_read > OLE2_MAX_ENTRIES:
            raise olefile.OleFileError("too many directory entries")
        entry = super()._load_direntry(sid)
        if entry.size > (self.nb_sect + 1) * self.sector_size:
            raise olefile.OleFileError("stream larger than the file")
        return entry


OLE2_MACROS = "Macros"  # in ole2_streams' answer: the container holds a VBA project


def ole2_streams(f: IO[bytes]) -> frozenset[str] | None:
    """The Word streams (WordDocument, EncryptedPackage) an OLE2 container holds, and
    OLE2_MACROS when it holds a VBA project (macros) anywhere.

    None when olefile cannot read the container within BoundedOleFile's limits.
    """
    f.seek(0)
    try:
        with BoundedOleFile(f) as container:
            found = {
                stream
                for stream in ("WordDocument", "EncryptedPackage")
                if container.exists(stream)
            }
            if ole2_has_macros(container.listdir(streams=True, storages=True)):
                found.add(OLE2_MACROS)
            return frozenset(found)
    except Exception:  # olefile raises many types on malformed input
        return None
    finally:
        f.seek(0)


def encrypted_package(f: IO[bytes]) -> bool:
    """Whether msoffcrypto finds an OLE2 container to be an encrypted Office file.

    An encryption it does not support (rights management, say) is still one.
    """
    if ole2_streams(f) is None:  # msoffcrypto reads the container with plain olefile
        return False
    try:
        return bool(msoffcrypto.OfficeFile(f).is_encrypted())
    except DecryptionError:
        return True
    except Exception:  # msoffcrypto and olefile raise many types on malformed input
        return False
    finally:
        f.seek(0)


def zip_directory(f: IO[bytes]) -> tuple[int, int] | None:
    """(entries, bytes) of the central directory a ZIP's end records declare, read before
    zipfile parses that directory (which it does in full, however large); None when the
    end of ``f`` holds no consistent end record. As zipfile does, the directory is taken to
    end where the end records begin, so an archive appended to another file is found too.
    Rewinds f."""
    try:
        size = f.seek(0, os.SEEK_END)
        tail_size = min(size, 22 + 0xFFFF)  # the end record, and at most a 64 KiB comment
        f.seek(size - tail_size)
        tail = f.read(tail_size)
        at = tail.rfind(b"PK\x05\x06")
        if at < 0 or tail_size - at < 22:
            return None
        entries, directory_size = struct.unpack_from("<HI", tail, at + 10)
        directory_end = size - tail_size + at
        if at >= 20 + 56 and tail[at - 20 : at - 16] == b"PK\x06\x07":  # ZIP64
            end64 = tail[at - 20 - 56 : at - 20]
            if not end64.startswith(b"PK\x06\x06"):
                return None
            entries, directory_size = struct.unpack_from("<QQ", end64, 32)
            directory_end -= 20 + 56
        if directory_size > directory_end:
            return None
        f.seek(directory_end - directory_size)
        if f.read(4) != b"PK\x01\x02":
            return None
        return entries, directory_size
    finally:
        f.seek(0)


def zip_too_large(f: IO[bytes]) -> int | None:
    """The declared number of entries, when the ZIP in ``f`` has more than a package may
    (DOCX_MAX_ENTRIES, or a directory too large for that many); else None."""
    directory = zip_directory(f)
    if directory is None:
        return None
    entries, directory_size = directory
    if (
        entries > DOCX_MAX_ENTRIES
        or directory_size > DOCX_MAX_ENTRIES * ZIP_DIRECTORY_BYTES_PER_ENTRY
    ):
        return max(entries, directory_size // ZIP_DIRECTORY_BYTES_PER_ENTRY)
    return None


def check_docx(f: IO[bytes], name: str, head: bytes) -> None:
    """Check the ZIP structure, refuse zip bombs and macros, and verify every CRC.

    The size checks use the sizes the archive declares; that is safe because
    zipfile never produces more than the declared size (it stops and the CRC
    check fails), and they run before anything is decompressed.
    """
    corrupt = ValidationError(
        _(
            "文件“%(name)s”不是有效的 Word（.docx）文档，或已损坏。"
            "请用 Word 或 WPS 打开后重新保存再上传。"
        ),
        code="corrupt_docx",
        params={"name": name},
    )
    if head.startswith(OLE2_SIGNATURE):  # see sniff: an OLE2 container with an EncryptedPackage
        if encrypted_package(f):
            raise encrypted_word_error(name, "encrypted_docx")
        raise corrupt
    entries = zip_too_large(f)
    if entries is not None:
        raise ValidationError(
            _(
                "文件“%(name)s”内含 %(count)s 个部件，超过了 %(limit)s 个的上限，"
                "可能是恶意构造的文件。请用 Word 或 WPS 另存为新的 .docx 后上传。"
            ),
            code="docx_too_many_parts",
            params={"name": name, "count": entries, "limit": DOCX_MAX_ENTRIES},
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
            active = docx_active_content(archive)
            if active and ("vba" in active.lower() or "macro" in active.lower()):
                raise macro_error(name, "docx_macro")
            if active:
                raise ValidationError(
                    _(
                        "Word 文档“%(name)s”含有 ActiveX 控件，或在打开时从外部加载模板、"
                        "对象或网页（%(what)s），出于安全考虑不能接受。请把内容复制到一份"
                        "新建的空白文档，另存为 .docx 或 PDF 后上传。"
                    ),
                    code="docx_active_content",
                    params={"name": name, "what": active},
                )
            if archive.testzip() is not None:
                raise corrupt
    except ValidationError:
        raise
    except Exception:  # BadZipFile, zlib.error, encrypted members...
        raise corrupt from None


# A Word 97-2003 file is an OLE2 ("compound file") container whose "WordDocument" stream
# starts with the FIB (File Information Block); its first word says Word wrote it.
FIB_IDENTS = (0xA5EC, 0xA5DC)  # Word 97-2003, Word 6/95


def check_doc(f: IO[bytes], name: str, _head: bytes) -> None:
    """Refuse Word 97-2003 files that olefile cannot read, that are encrypted, or whose FIB
    was not written by Word.

    msoffcrypto reads the container again with plain olefile, so it is asked only once
    BoundedOleFile has read the container within its limits.
    """
    corrupt = ValidationError(
        _(
            "文件“%(name)s”不是有效的 Word（.doc）文档，或已损坏。"
            "请用 Word 或 WPS 打开后另存为 .docx 或 PDF 再上传。"
        ),
        code="corrupt_doc",
        params={"name": name},
    )
    streams = ole2_streams(f)
    if streams is None or "WordDocument" not in streams:
        raise corrupt
    try:
        document = msoffcrypto.OfficeFile(f)
        encrypted = document.is_encrypted()
        ident = document.info.fib.base.wIdent if isinstance(document, Doc97File) else None
    except Exception:  # msoffcrypto and olefile raise many types on malformed input
        raise corrupt from None
    finally:
        f.seek(0)
    if encrypted:
        raise encrypted_word_error(name, "encrypted_doc")
    if ident not in FIB_IDENTS:
        raise corrupt
    if OLE2_MACROS in streams:
        raise macro_error(name, "doc_macro")


VALIDATORS = {  # images: check_image
    "pdf": check_pdf,
    "doc": check_doc,
    "docx": check_docx,
}
