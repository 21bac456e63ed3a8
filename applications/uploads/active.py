"""Active content: what a file makes the reader's program *do* when an organiser opens it.

Scripts, actions run on opening, launched programs, embedded files, macros, and documents
that fetch a template or an object from elsewhere are refused; ordinary links are not. Each
function returns what it found (for the message), or None; the caller raises.
"""

from __future__ import annotations

import posixpath
import xml.etree.ElementTree as ElementTree
import zipfile
from collections.abc import Iterator

from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

# --- PDF ---------------------------------------------------------------------------------

# Keys whose presence anywhere means a script, an action run by an event, or a file inside.
PDF_ACTIVE_KEYS = {
    "/JS": "JavaScript",
    "/JavaScript": "JavaScript",
    "/AA": "/AA",
    "/EmbeddedFiles": "/EmbeddedFile",
    "/EF": "/EmbeddedFile",
}
# Action types (/S) that run something, open another file or send data away.
PDF_ACTIVE_ACTIONS = {
    "/JavaScript": "JavaScript",
    "/Launch": "/Launch",
    "/GoToE": "/EmbeddedFile",
    "/ImportData": "/ImportData",
    "/SubmitForm": "/SubmitForm",
    "/Rendition": "/Rendition",
    "/RichMediaExecute": "/RichMedia",
}
PDF_ACTIVE_TYPES = {"/EmbeddedFile": "/EmbeddedFile", "/RichMedia": "/RichMedia"}


def _plain_goto(action: object) -> bool:
    """An /OpenAction that only shows a page: a destination array, or a GoTo with no /Next."""
    if isinstance(action, ArrayObject):
        return True
    return (
        isinstance(action, DictionaryObject)
        and action.get("/S") == "/GoTo"
        and "/Next" not in action
    )


def _found_in(value: object, depth: int = 0) -> str | None:
    """The active content in one object and its direct (not referenced) parts."""
    if depth > 32:  # direct objects nest a few levels; deeper is built to exhaust the stack
        return "/nesting"
    if isinstance(value, DictionaryObject):
        for key, item in value.items():
            if key in PDF_ACTIVE_KEYS:
                return PDF_ACTIVE_KEYS[key]
            if isinstance(item, NameObject):
                if key == "/S" and item in PDF_ACTIVE_ACTIONS:
                    return PDF_ACTIVE_ACTIONS[item]
                if key == "/Type" and item in PDF_ACTIVE_TYPES:
                    return PDF_ACTIVE_TYPES[item]
            if key == "/OpenAction" and not _plain_goto(
                item.get_object() if isinstance(item, IndirectObject) else item
            ):
                return "/OpenAction"
            found = _found_in(item, depth + 1)
            if found:
                return found
    elif isinstance(value, ArrayObject):
        for item in value:
            found = _found_in(item, depth + 1)
            if found:
                return found
    return None


def pdf_object_numbers(reader: PdfReader) -> set[tuple[int, int]]:
    """Every (object number, generation) the file's cross-reference tables list."""
    numbers = {
        (number, generation) for generation, table in reader.xref.items() for number in table
    }
    numbers.update((number, 0) for number in reader.xref_objStm)
    return numbers


def pdf_active_content(reader: PdfReader) -> str | None:
    """Look at every object of the file (streams by their dictionary, never decoded)."""
    found = _found_in(reader.trailer.get("/Root", DictionaryObject()).get_object())
    if found:
        return found
    for number, generation in sorted(pdf_object_numbers(reader)):
        found = _found_in(reader.get_object(IndirectObject(number, generation, reader)))
        if found:
            return found
    return None


# --- Word 97-2003 --------------------------------------------------------------------------

# Storages and streams of a VBA project (MS-OVBA): Word keeps it in "Macros", with "VBA" and
# "_VBA_PROJECT" inside; Excel and PowerPoint use "_VBA_PROJECT_CUR".
OLE2_MACRO_NAMES = frozenset({"macros", "vba", "_vba_project", "_vba_project_cur"})


def ole2_has_macros(paths: list[list[str]]) -> bool:
    return any(part.lower() in OLE2_MACRO_NAMES for path in paths for part in path)


# --- DOCX --------------------------------------------------------------------------------

RELS_MAX_BYTES = 1024 * 1024  # a relationships part lists a few hundred targets at most
# Content types of macros and ActiveX controls, whatever the part is called.
DOCX_ACTIVE_CONTENT_TYPES = ("macroenabled", "vbaproject", "vbadata", "activex")
EXTERNAL_ALLOWED = frozenset({"hyperlink"})  # a link the reader chooses to follow


def _xml(data: bytes) -> ElementTree.Element:
    """Parse a small XML part; a document type (entities) has no place in a package part."""
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise ValueError("document type declaration in a package part")
    return ElementTree.fromstring(data)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _relationships(archive: zipfile.ZipFile) -> Iterator[tuple[str, str, str]]:
    """(type's last segment, target, target mode) of every relationship of every part."""
    for member in archive.infolist():
        if not member.filename.endswith(".rels"):
            continue
        if member.file_size > RELS_MAX_BYTES:
            raise ValueError("relationships part too large")
        for element in _xml(archive.read(member)):
            if _local(element.tag) != "Relationship":
                continue
            kind = posixpath.basename(element.get("Type", "")).lower()
            yield kind, element.get("Target", ""), element.get("TargetMode", "Internal")


def docx_active_content(archive: zipfile.ZipFile) -> str | None:
    """Macros (by part name or content type), ActiveX controls, and relationships that make
    Word fetch something when the file opens (an attached template, an OLE object, a frame
    or sub-document elsewhere, any ``mhtml:`` target). External hyperlinks are allowed."""
    for member in archive.infolist():
        name = member.filename.lower()
        if name.endswith("vbaproject.bin") or name.startswith("word/activex/"):
            return "vbaProject" if "vba" in name else "ActiveX"
    info = archive.getinfo("[Content_Types].xml")
    if info.file_size > RELS_MAX_BYTES:
        raise ValueError("content types part too large")
    for element in _xml(archive.read(info)):
        content_type = element.get("ContentType", "").lower()
        if any(marker in content_type for marker in DOCX_ACTIVE_CONTENT_TYPES):
            return content_type
    for kind, target, mode in _relationships(archive):
        if target.strip().lower().startswith("mhtml:"):
            return "mhtml:"
        if kind == "vbaproject":
            return "vbaProject"
        if mode.lower() == "external" and kind not in EXTERNAL_ALLOWED:
            return kind
    return None
