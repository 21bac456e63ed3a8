"""PDF documents, laid out by WeasyPrint from Django templates, set in the Noto CJK fonts.

- ``application_form_pdf``: the 申报表 of one application, box for box as in the notice's
  attachment, with its version stamp on every page (``applications.stamp``): a QR code of the
  reference, the digest of the printed data and the page's number, and the same in small text;
- ``selected_list_pdf``: a call's list of selected drafting units (起草单位和起草人名单).

Templates live in ``templates/documents/``; their print CSS (``documents.css``: A4, running
header with the call's document number, "第 X 页 共 Y 页") is inlined into each HTML page, so a
document is one self-contained HTML string.

Fonts: the families of ``settings.DOCUMENT_FONTS`` (Debian's fonts-noto-cjk) are looked up
with fontconfig's ``fc-list`` (``fonts``) before anything is rendered; without them WeasyPrint
would fall back to a font without Chinese glyphs and print empty boxes, so ``FontMissing`` is
raised instead. ``manage.py check --deploy`` says so before the server starts.
WeasyPrint embeds only the glyphs a document uses (font subsetting, its default).

Speed: the fontconfig set-up (a ``FontConfiguration``) is made once per thread and reused.
Tables use ``table-layout: fixed``: WeasyPrint's automatic table layout measures long
Chinese texts in time that grows with the square of their length, so one long 单位简介
could hold a worker for a long time; the fixed layout does not (docs/performance.md).

The QR of each page says that page's number, which a running header (the same element on
every page) cannot: the form is laid out once, each page's empty QR slot is found by its
anchor (``qr-slot``), and after ``write_pdf`` a vector QR (segno's PDF) is drawn into each slot
with pypdf. The small text comes from CSS counters in the page's bottom margin.

Safety: a document may load ``data:`` URLs only, so nothing an applicant typed can make the
renderer read a local file or call a server.
"""

import io
import threading

import segno
import weasyprint
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from PIL import ImageFile
from pypdf import PdfReader, PdfWriter, Transformation
from weasyprint.text.fonts import FontConfiguration

from applications import queries, stamp
from applications.documents.fonts import FONT_PACKAGE, missing_families
from applications.models import Application, Call

# Importing WeasyPrint sets Pillow's ``ImageFile.LOAD_TRUNCATED_IMAGES`` to True, for the whole
# process: the upload checks (``applications.uploads``) would then accept truncated images in
# every worker. Our documents embed no raster images, so Pillow's strict default is put back.
ImageFile.LOAD_TRUNCATED_IMAGES = False

CHINESE_NUMERALS = "一二三四五六七八九十"


class DocumentUnavailable(Exception):
    """A document cannot be made on this machine; ``str(exc)`` says why, in plain words."""


class FontMissing(DocumentUnavailable):
    def __init__(self, families: list[str]):
        self.families = families
        super().__init__(
            _(
                "无法生成 PDF：本机缺少中文字体 %(fonts)s。请管理员安装 Debian 软件包 "
                "%(package)s（sudo apt-get install %(package)s）后重试。"
            )
            % {"fonts": "、".join(families), "package": FONT_PACKAGE}
        )


# --- fonts ---------------------------------------------------------------------------------
_fonts_found: set[str] = set()


def check_fonts() -> dict[str, str]:
    """The document fonts ({"serif": family, "sans": family}), or ``FontMissing``.

    A family once found is not looked up again (fonts are not uninstalled under a running
    server); a missing one is looked up on every try.
    """
    fonts = dict(settings.DOCUMENT_FONTS)
    unchecked = [family for family in fonts.values() if family not in _fonts_found]
    missing = missing_families(unchecked) if unchecked else []
    if missing is None:  # fc-list cannot run: the deploy check warns; do not risk boxes
        missing = list(dict.fromkeys(unchecked))
    if missing:
        raise FontMissing(missing)
    _fonts_found.update(fonts.values())
    return fonts


# --- rendering -----------------------------------------------------------------------------
_local = threading.local()


def _font_config():
    """One WeasyPrint ``FontConfiguration`` per thread: Pango keeps the fonts it has opened."""
    font_config = getattr(_local, "font_config", None)
    if font_config is None:
        font_config = _local.font_config = FontConfiguration()
    return font_config


def html_to_pdf(html: str) -> bytes:
    """Lay out one self-contained HTML string (CSS inlined, images as data: URLs)."""
    return html_document(html).write_pdf()


def html_document(html: str):
    """The laid-out pages of one self-contained HTML string, to write as PDF."""
    fetcher = weasyprint.URLFetcher(allowed_protocols={"data"}, fail_on_errors=True)
    return weasyprint.HTML(string=html, url_fetcher=fetcher).render(font_config=_font_config())


def render_html(template_name: str, context: dict) -> str:
    """The HTML of a document, fonts checked first (``FontMissing`` if they are absent)."""
    fonts = check_fonts()
    return render_to_string(template_name, {**context, "fonts": fonts})


QR_SLOT = "qr-slot"
CSS_PX_TO_PT = 0.75  # WeasyPrint's anchors are in CSS pixels (1/96 in); PDF points are 1/72 in


def qr_pdf_page(text: str):
    """A QR code of ``text`` as a one-page vector PDF (one point a module), read by pypdf."""
    out = io.BytesIO()
    segno.make(text, error=stamp.QR_ERROR, micro=False).save(out, kind="pdf", scale=1, border=0)
    return PdfReader(io.BytesIO(out.getvalue())).pages[0]


def stamp_pages(data: bytes, slots: list, texts: list[str]) -> bytes:
    """Draw QR code ``texts[i]`` into the slot (x1, y1, x2, y2 in CSS px from the top left)
    of page i of the PDF ``data``; a page without a slot is left as it is."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    for page, slot, text in zip(writer.pages, slots, texts, strict=True):
        if slot is None:
            continue
        x1, y1, x2, y2 = (v * CSS_PX_TO_PT for v in slot)
        qr = qr_pdf_page(text)
        scale = min(x2 - x1, y2 - y1) / float(qr.mediabox.width)
        bottom = float(page.mediabox.height) - y2
        page.merge_transformed_page(qr, Transformation().scale(scale).translate(x1, bottom))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# --- the two documents ---------------------------------------------------------------------
def application_form_context(application: Application, *, code: str | None = None) -> dict:
    code = code or stamp.digest(application)
    return {
        "application": application,
        "call": application.call,
        # Inside a CSS string in <style>, where HTML escapes do not apply: no quote,
        # backslash or tag can end the string or the element.
        "stamp_caption": mark_safe(
            "".join(c for c in stamp.caption(application.reference, code) if c not in "\"'<>\n")
        ),
    }


def application_form_html(application: Application, *, code: str | None = None) -> str:
    return render_html(
        "documents/application_form.html", application_form_context(application, code=code)
    )


def application_form_pdf(application: Application) -> bytes:
    """The filled 申报表 of ``application``, to print, sign, stamp and scan; every page with
    its version stamp (the module's docstring)."""
    code = stamp.digest(application)
    document = html_document(application_form_html(application, code=code))
    pages = len(document.pages)
    slots = [page.anchors.get(QR_SLOT) for page in document.pages]
    texts = [
        stamp.qr_text(application.reference, code, number, pages) for number in range(1, pages + 1)
    ]
    return stamp_pages(document.write_pdf(), slots, texts)


def chinese_numeral(number: int) -> str:
    """一 … 十 for the headings of the list (a call has at most a handful of standards)."""
    if 1 <= number <= len(CHINESE_NUMERALS):
        return CHINESE_NUMERALS[number - 1]
    return str(number)


def selected_list_context(call: Call) -> dict:
    """Per standard, the selected units that applied for it in list order; then all of them."""
    selected = list(queries.selected_ordered(call))
    sections = []
    for number, standard in enumerate(call.standards.all(), start=1):
        units = [a for a in selected if any(s.pk == standard.pk for s in a.standards.all())]
        sections.append(
            {
                "numeral": chinese_numeral(number),
                "standard": standard,
                "units": [a.unit_name for a in units],
                "drafters": [a.drafter_name for a in units if a.drafter_name],
            }
        )
    return {
        "call": call,
        "bodies": list(call.organising_bodies.all()),
        "sections": sections,
        "selected": selected,
        "generated_on": timezone.localdate(),
    }


def selected_list_html(call: Call) -> str:
    return render_html("documents/selected_list.html", selected_list_context(call))


def selected_list_pdf(call: Call) -> bytes:
    """The list of selected units and drafters of ``call``, for publication."""
    return html_to_pdf(selected_list_html(call))
