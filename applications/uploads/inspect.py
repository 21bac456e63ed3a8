"""The upload check: what a file is by its content, and whether it may be accepted here."""

from __future__ import annotations

import os
import zipfile
from typing import IO

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from applications.uploads.formats import VALIDATORS, check_image, ole2_streams, zip_too_large
from applications.uploads.kinds import (
    ALLOWED_KINDS,
    HEAD_BYTES,
    HEIF_BRANDS,
    JPEG_SIGNATURE,
    OLE2_SIGNATURE,
    PDF_SIGNATURE,
    PIL_FORMATS,
    PNG_SIGNATURE,
    SINGLE_PART_KINDS,
    ZIP_SIGNATURE,
    InspectedFile,
    megabytes,
)
from applications.uploads.seal import hint, pdf_shows_red_seal


def inspect_upload(
    f: IO[bytes], *, allowed: frozenset[str], seal_hint: bool = False, keep_picture: bool = False
) -> InspectedFile:
    """Check an uploaded file against the upload contract and describe it.

    ``f`` is a Django UploadedFile (or File) opened for reading; ``allowed`` is
    the set of ALLOWED_KINDS keys this field accepts. Raises ValidationError
    (see the module docstring); on success returns an InspectedFile, with the
    red-seal hint of detect_red_seal when ``seal_hint`` (worked out from the pixels
    the check has already decoded), and with ``keep_picture`` the picture it decoded in
    full, for the QR reader (``InspectedFile.picture``: a HEIC photo is decoded once).
    Either way ``f`` is rewound to the start, so it can be saved or inspected again.
    """
    name = os.path.basename(getattr(f, "name", None) or "")
    limit = settings.UPLOAD_MAX_BYTES
    try:
        size = size_of(f)
        # SizeLimitedUploadHandler already discarded the content of an oversized file.
        if getattr(f, "too_large", False) or size > limit:
            raise ValidationError(
                _(
                    "文件“%(name)s”大小为 %(size)s MB，超过了 %(limit)s MB 的上限。"
                    "请压缩或拆分后重新上传。"
                ),
                code="too_large",
                params={"name": name, "size": megabytes(size), "limit": megabytes(limit)},
            )
        if size == 0:
            raise ValidationError(
                _("文件“%(name)s”是空的（0 字节）。请检查文件后重新上传。"),
                code="empty",
                params={"name": name},
            )
        f.seek(0)
        head = f.read(HEAD_BYTES)
        kind = sniff(f, head)
        check_kind(name, head, kind, allowed)
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
        if kind in SINGLE_PART_KINDS and is_zip_archive(f):
            raise ValidationError(
                _(
                    "文件“%(name)s”既是 %(kind)s，又是 ZIP 压缩包，可能被篡改或拼接过。"
                    "请用常规软件重新导出或另存后再上传。"
                ),
                code="polyglot",
                params={"name": name, "kind": info.label},
            )
        picture = None
        if kind in PIL_FORMATS:
            seal, picture = check_image(
                f, name, kind=kind, seal_hint=seal_hint, keep_picture=keep_picture
            )
        else:
            VALIDATORS[kind](f, name, head)
            seal = hint(pdf_shows_red_seal, f) if seal_hint and kind == "pdf" else None
        return InspectedFile(kind, info.content_type, info.extensions[0], size, seal, picture)
    finally:
        f.seek(0)


def size_of(f: IO[bytes]) -> int:
    size = getattr(f, "size", None)
    if size is None:
        size = f.seek(0, os.SEEK_END)
    return size


def labels(kinds: frozenset[str]) -> str:
    return "、".join(str(info.label) for kind, info in ALLOWED_KINDS.items() if kind in kinds)


def sniff(f: IO[bytes], head: bytes) -> str | None:
    """The kind the magic bytes announce, or None.

    ZIP files count as DOCX only when they hold word/document.xml, so an .xlsx or
    a plain archive stays unknown; a ZIP that zipfile cannot read at all is most
    likely a damaged .docx and is reported as such by the DOCX check. OLE2
    ("compound file") containers also hold Excel, PowerPoint and installer
    files, so only one with a "WordDocument" stream counts as DOC; one that
    olefile cannot read (within limits) is likewise most likely a damaged .doc.
    One holding an "EncryptedPackage" stream is a password-protected .docx
    (Office wraps encrypted OOXML files that way), so it counts as DOCX and the
    DOCX check says it is encrypted.
    """
    if head.startswith(PDF_SIGNATURE):
        return "pdf"
    if head.startswith(PNG_SIGNATURE):
        return "png"
    if head.startswith(JPEG_SIGNATURE):
        return "jpeg"
    if head[4:8] == b"ftyp" and head[8:12] in HEIF_BRANDS:
        return "heif"
    if head.startswith(OLE2_SIGNATURE):
        streams = ole2_streams(f)
        if streams is None or "WordDocument" in streams:
            return "doc"
        return "docx" if "EncryptedPackage" in streams else None
    if head.startswith(ZIP_SIGNATURE):
        if zip_too_large(f) is not None:
            return "docx"  # whose check refuses it for its size, without parsing it
        try:
            with zipfile.ZipFile(f) as archive:
                names = set(archive.namelist())
        except Exception:  # damaged or truncated archive
            return "docx"
        return "docx" if "word/document.xml" in names else None
    return None


def check_kind(name: str, head: bytes, kind: str | None, allowed: frozenset[str]) -> None:
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
                    "allowed": labels(allowed),
                },
            )
        raise ValidationError(
            _("无法识别文件“%(name)s”的格式。请上传以下格式的文件：%(allowed)s。"),
            code="unknown_type",
            params={"name": name, "allowed": labels(allowed)},
        )
    if kind not in allowed:
        raise ValidationError(
            _("文件“%(name)s”是 %(kind)s，此处不接受。请上传以下格式的文件：%(allowed)s。"),
            code="not_allowed",
            params={"name": name, "kind": ALLOWED_KINDS[kind].label, "allowed": labels(allowed)},
        )


def is_zip_archive(f: IO[bytes]) -> bool:
    """True when zipfile can read a non-empty archive out of f (it reads from the end)."""
    if zip_too_large(f) is not None:
        return True  # an archive, and one too large to parse
    try:
        with zipfile.ZipFile(f) as archive:
            return bool(archive.infolist())
    except Exception:  # not an archive: the usual case
        return False
