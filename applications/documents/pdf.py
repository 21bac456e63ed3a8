"""PDF documents, laid out by WeasyPrint from Django templates, set in the Noto CJK fonts.

- ``application_form_pdf``: the 申报表 of one application, box for box as in the notice's
  attachment, with its reference and a QR code of it on every page;
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

Safety: a document may load ``data:`` URLs only (the QR code), so nothing an applicant
typed can make the renderer read a local file or call a server.
"""

import threading

import segno
import weasyprint
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import ImageFile
from weasyprint.text.fonts import FontConfiguration

from applications import queries
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
    fetcher = weasyprint.URLFetcher(allowed_protocols={"data"}, fail_on_errors=True)
    return weasyprint.HTML(string=html, url_fetcher=fetcher).write_pdf(font_config=_font_config())


def render_html(template_name: str, context: dict) -> str:
    """The HTML of a document, fonts checked first (``FontMissing`` if they are absent)."""
    fonts = check_fonts()
    return render_to_string(template_name, {**context, "fonts": fonts})


def qr_svg_data_uri(text: str) -> str:
    """A QR code of ``text`` as an SVG data: URL (segno; error correction level M)."""
    return segno.make(text, error="m", micro=False).svg_data_uri(border=0, xmldecl=False)


# --- the two documents ---------------------------------------------------------------------
def application_form_context(application: Application) -> dict:
    return {
        "application": application,
        "call": application.call,
        "qr": qr_svg_data_uri(application.reference),
    }


def application_form_html(application: Application) -> str:
    return render_html("documents/application_form.html", application_form_context(application))


def application_form_pdf(application: Application) -> bytes:
    """The filled 申报表 of ``application``, to print, sign, stamp and scan."""
    return html_to_pdf(application_form_html(application))


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
