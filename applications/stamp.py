"""The version stamp of the printed 申报表: which version of the data a stamped page certifies.

Every page of the 申报表 PDF carries a QR code with the application's reference, a short
digest of everything the paper shows and the page's number, and the same in small text
("CQO-2021-0007 · v1·3F9A-C2 · 第 1 页 共 2 页"). A scan or photo of the stamped pages is read
back (``applications.uploads.qr``) and compared with the current digest, so that a form
stamped before its printed answers changed no longer passes for the current one.

The digest covers the printed fields of ``form_schema`` (every field whose ``paper`` is not
NONE), in the schema's order, as stored (a choice by its code, a date in ISO form, a file by
the name printed, the standards chosen by their title), plus the call's own visible questions
and their answers (printed after the table). A field the paper does not show (the contact
e-mail, the consent) does not change it. ``VERSION`` prefixes the digest so that the format
can change later: a QR of another version reads as a different digest, never as a match.

Pure: reads the application and its related rows, writes nothing.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

import segno

from applications import form_schema
from applications.enums import ScanCheck
from applications.form_schema import Kind

VERSION = "v1"
DIGEST_CHARS = 6  # 24 bits: a stale page passing for the current one is a 1-in-16-million chance
QR_PREFIX = "CQ"  # marks our QR codes among any others on the page


def _value(application: Any, field: form_schema.Field) -> Any:
    if field.kind is Kind.STANDARDS:
        chosen = {s.pk for s in getattr(application, field.name).all()}
        return [s.title for s in application.call.standards.all() if s.pk in chosen]
    if field.kind is Kind.FILE:
        return application.original_name(field.name) if getattr(application, field.name) else ""
    value = getattr(application, field.name)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def printed_values(application: Any) -> list[list[Any]]:
    """[name, value] of each printed field in the schema's order, then the call's visible
    questions as [question id, answer]: what the digest is taken of."""
    values: list[list[Any]] = [
        [field.name, _value(application, field)] for field in form_schema.FIELDS if field.printed
    ]
    answers = application.extra_answers or {}
    for question in application.call.questions.all():
        if not question.hidden:
            values.append([f"q{question.pk}", answers.get(str(question.pk))])
    return values


def digest(application: Any) -> str:
    """Six upper-case hex digits of the SHA-256 of the version and the printed values."""
    payload = json.dumps(
        [VERSION, application.reference, printed_values(application)],
        ensure_ascii=False,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(payload.encode()).hexdigest()[:DIGEST_CHARS].upper()


def short(code: str) -> str:
    """How the digest is printed: v1·3F9A-C2."""
    return f"{VERSION}·{code[:4]}-{code[4:]}"


def caption(reference: str, code: str) -> str:
    """The small text beside the QR, without the page numbers (the PDF adds them per page)."""
    return f"{reference} · {short(code)}"


def qr_text(reference: str, code: str, page: int = 0, pages: int = 0) -> str:
    """What the QR of one page says: CQ|CQO-2021-0007|v1|3F9AC2|1/2. Page 0 of 0: the HTML
    print view, which cannot know where the browser breaks its pages."""
    return f"{QR_PREFIX}|{reference}|{VERSION}|{code}|{page}/{pages}"


# Error correction level H: about 30 % of the code may be hidden (a seal pressed over its
# corner, a fold) and it still reads.
QR_ERROR = "h"


def qr_svg_data_uri(text: str) -> str:
    """A QR code of ``text`` as an SVG data: URL (segno), for the HTML print view."""
    return segno.make(text, error=QR_ERROR, micro=False).svg_data_uri(border=0, xmldecl=False)


_QR = re.compile(r"^CQ\|([^|]{1,40})\|(v\d+)\|([0-9A-F]{1,16})\|(\d{1,3})/(\d{1,3})$")


@dataclass(frozen=True)
class PageStamp:
    reference: str
    version: str
    code: str
    page: int  # 1-based; 0 when the print did not number its pages
    pages: int

    @property
    def versioned_code(self) -> str:
        return f"{self.version}:{self.code}"


def parse(text: str) -> PageStamp | None:
    """The stamp a QR says, or None for any other QR code (a web address, a payment code)."""
    match = _QR.match(text.strip())
    if match is None:
        return None
    reference, version, code, page, pages = match.groups()
    page_number, page_count = int(page), int(pages)
    if page_number > page_count:
        return None
    return PageStamp(reference, version, code, page_number, page_count)


@dataclass(frozen=True)
class Verdict:
    outcome: str  # a ScanCheck value
    missing: tuple[int, ...] = ()  # pages of the current version not found (partial)


def scan_texts(application: Any) -> list[str]:
    """The stamps found on the seal scan and on each page added to it, in order."""
    texts = list(application.scan_stamps or [])
    for page in application.seal_pages.all():
        texts += page.stamps
    return texts


def missing_pages(application: Any) -> str:
    """The pages a seal scan judged ``partial`` lacks: "2、3". Read off its stamps alone, no
    digest taken (no query per row of a list): a scan stays ``partial`` only while every
    page of it is of the current version (``judge``: an older page makes it ``stale``)."""
    own = [s for s in (parse(t) for t in scan_texts(application)) if s is not None]
    return "、".join(str(page) for page in _missing(application.reference, own))


def _missing(reference: str, stamps: list[PageStamp]) -> tuple[int, ...]:
    """The pages of the paged print ``stamps`` come from that none of them is of."""
    own = [s for s in stamps if s.reference == reference and s.pages]
    if not own:
        return ()
    pages = max(s.pages for s in own)
    return tuple(sorted(set(range(1, pages + 1)) - {s.page for s in own}))


def judge(texts: list[str], reference: str, code: str) -> Verdict:
    """What the QR texts found on a scan say, against the application's current digest.

    matches: every page of the current version is there (or an unpaged print of it);
    partial: some pages of it are missing; stale: a page of this application with another
    digest (an earlier version, or another format version) is among them, which takes
    precedence, since that paper certifies data the database no longer holds; other: only
    another application's pages; unreadable: no stamp at all.
    """
    stamps = [s for s in (parse(t) for t in texts) if s is not None]
    own = [s for s in stamps if s.reference == reference]
    if not own:
        return Verdict(ScanCheck.OTHER if stamps else ScanCheck.UNREADABLE)
    current = f"{VERSION}:{code}"
    if any(s.versioned_code != current for s in own):
        return Verdict(ScanCheck.STALE)
    if any(s.page == 0 for s in own):
        return Verdict(ScanCheck.MATCHES)
    missing = _missing(reference, own)
    return Verdict(ScanCheck.PARTIAL if missing else ScanCheck.MATCHES, missing)
