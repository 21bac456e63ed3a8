"""The 申报表, declared once: sections → rows → fields, each field with its facts.

Everything that lists the form's fields derives from ``SECTIONS``: the web form's order and
layout, what a submission or a draft needs, the services' field list, the purge of personal
data, the admin's sections, the export's columns, the paper table of the print view and
the PDF, the private page's summary, and the tests. To add a field to the form: add it to
``Application`` (its ``verbose_name`` is its label everywhere), declare it here in its
section and row, make the migration and translate its label; ``applications.checks`` fails
while an editable field of ``Application`` is in no section (or in two).

The order is the data dictionary's (``shared/docs/data-dictionary.md``); rows are the web
form's, ``web_width`` twelfths wide each on medium screens and up. The paper table
(``PAPER_ROWS``) is laid out from the same declaration: the grid of label and value cells,
section by section, each cell in the first row of its section with room for it (so that
单位性质 sits beside 单位名称 as on the notice's form, and the code beyond it gets a row of its
own), then the long texts with their attachments, the three questions and the unit's
opinion with the signature, as on paper.

Pure: no database, no model import. A field's label is the model's (``Application.label``),
looked up where it is shown.
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class Kind(enum.StrEnum):
    LINE = "line"  # one line of text: trimmed, runs of spaces folded
    TEXT = "text"  # several lines (单位简介, 个人简历)
    NUMBER = "number"  # a code or number typed loosely and normalised (credit code, phones)
    EMAIL = "email"
    CHOICE = "choice"  # one of the field's choices, shown by its label
    CODE = "code"  # one of a national code list: exported as "code label" (01 汉族)
    DATE = "date"
    YES_NO = "yes_no"  # 是 or 否, no default
    TICK = "tick"  # a box to tick (the declaration, the consent)
    FILE = "file"  # an upload
    STANDARDS = "standards"  # one or more of the call's standards
    BODIES = "bodies"  # some of the call's organising bodies (their pks), none by default


class Paper(enum.StrEnum):
    """Where a field is printed on the paper table."""

    CELL = "cell"  # a label cell and a value cell in the grid
    LONG = "long"  # a box across the table: the label, then the text
    ATTACHED = "attached"  # "另附：name" in the box of the long text before it
    QUESTION = "question"  # a line of the questions' box: 是（✓） 否（ ）
    OPINION = "opinion"  # the unit's opinion: the declaration, the signature, the date
    NONE = "none"  # not printed


@dataclass(frozen=True)
class Missing:
    """What a submission without the field is told, where the kind's wording does not fit."""

    code: str
    message: StrOrPromise


@dataclass(frozen=True)
class Field:
    name: str  # the model field's name: the data dictionary's contract
    kind: Kind
    web_width: int = 12  # twelfths of the web form's row
    submit: bool = False  # needed before the application counts as submitted
    draft: bool = False  # needed even for a draft (who the unit is, where to write)
    personal: bool = False  # personal data, erased by the purge (PIPL); files all are
    beyond: bool = False  # not on the notice's paper form (the data dictionary's *beyond*)
    paper: Paper = Paper.CELL
    paper_span: int = 1  # value columns of the paper grid (of 5 beside the first label)
    paper_label: StrOrPromise = ""  # where the paper form words it otherwise (标准名称)
    spaced: bool = False  # the paper form spaces this two-character label: 性　别
    export_label: StrOrPromise = ""  # where the export's header says it otherwise
    export_width: int = 0  # XLSX column width in characters; 0: the kind's
    missing: Missing | None = None
    summary: bool = True  # shown in the private page's summary (files have a list of their own)
    summary_label: StrOrPromise = ""  # where the summary says it shorter (姓名)
    date_in_words: bool = False  # the summary writes it 2021年8月20日 (the signing date)

    def paper_text(self, label: StrOrPromise) -> str:
        """How the paper form prints the field's ``label`` (the model's ``verbose_name``): in
        its own wording if it has one, a two-character label spaced out where it does so."""
        text = str(self.paper_label or label)
        return "　".join(text) if self.spaced else text

    @property
    def printed(self) -> bool:
        return self.paper is not Paper.NONE


@dataclass(frozen=True)
class Row:
    fields: tuple[Field, ...]


@dataclass(frozen=True)
class Section:
    key: str  # the web form's anchor: section-<key>
    title: StrOrPromise
    rows: tuple[Row, ...]

    @property
    def fields(self) -> tuple[Field, ...]:
        return tuple(field for row in self.rows for field in row.fields)


def row(*fields: Field) -> Row:
    return Row(fields)


def section(key: str, title, *items: Field | Row) -> Section:
    """A section; a field given on its own is a row of its own."""
    return Section(key, title, tuple(i if isinstance(i, Row) else Row((i,)) for i in items))


SECTIONS: tuple[Section, ...] = (
    section(
        "standards",
        _("一、标准名称"),
        Field(
            "standards",
            Kind.STANDARDS,
            submit=True,
            missing=Missing("standards_required", _("请至少选择一项申报标准。")),
            paper_span=5,
            paper_label=_("标准名称"),
            export_width=40,
        ),
    ),
    section(
        "unit",
        _("二、单位信息"),
        row(
            Field(
                "unit_name", Kind.LINE, 8, submit=True, draft=True, paper_span=3, export_width=30
            ),
            Field(
                "credit_code",
                Kind.NUMBER,
                4,
                submit=True,
                beyond=True,
                paper_span=5,
                export_width=20,
            ),
        ),
        Field("unit_type", Kind.CHOICE, submit=True),
        row(
            Field("main_business", Kind.LINE, 8, submit=True, paper_span=3, export_width=30),
            Field("industry", Kind.CHOICE, 4, submit=True, export_width=24),
        ),
        row(
            Field("address", Kind.LINE, 8, submit=True, paper_span=3, export_width=30),
            Field("postcode", Kind.NUMBER, 4, submit=True, export_width=8),
        ),
        Field(
            "unit_profile",
            Kind.TEXT,
            submit=True,
            paper=Paper.LONG,
            export_width=50,
            summary_label=_("单位简介"),
        ),
        Field("unit_profile_file", Kind.FILE, paper=Paper.ATTACHED),
        Field("related_bodies", Kind.BODIES, beyond=True, paper=Paper.NONE, export_width=24),
        Field("body_relation", Kind.TEXT, beyond=True, paper=Paper.NONE, export_width=30),
    ),
    section(
        "drafter",
        _("三、推荐起草人"),
        row(
            Field(
                "drafter_name",
                Kind.LINE,
                4,
                submit=True,
                personal=True,
                export_width=10,
                summary_label=_("姓名"),
            ),
            Field(
                "drafter_gender",
                Kind.CHOICE,
                4,
                submit=True,
                personal=True,
                spaced=True,
                export_width=6,
            ),
            Field("drafter_birth_date", Kind.DATE, 4, submit=True, personal=True, export_width=11),
        ),
        row(
            Field("drafter_ethnicity", Kind.CODE, 4, submit=True, personal=True, export_width=10),
            Field("drafter_native_place", Kind.LINE, 4, submit=True, personal=True, spaced=True),
            Field("drafter_political_status", Kind.CODE, 4, submit=True, personal=True),
        ),
        row(
            Field("drafter_title", Kind.LINE, 4, submit=True, personal=True),
            Field("drafter_position", Kind.LINE, 4, submit=True, personal=True),
            Field(
                "drafter_mobile",
                Kind.NUMBER,
                4,
                submit=True,
                personal=True,
                spaced=True,
                export_width=13,
            ),
        ),
        row(
            Field("drafter_phone", Kind.NUMBER, 4, submit=True, personal=True),
            Field("drafter_fax", Kind.NUMBER, 4, personal=True, spaced=True),
            Field("drafter_email", Kind.EMAIL, 4, submit=True, personal=True, export_width=26),
        ),
        Field(
            "drafter_resume",
            Kind.TEXT,
            submit=True,
            personal=True,
            paper=Paper.LONG,
            export_width=50,
            summary_label=_("个人简历"),
        ),
        Field("drafter_resume_file", Kind.FILE, paper=Paper.ATTACHED),
    ),
    section(
        "commitments",
        _("四、承诺"),
        Field("can_attend_meetings", Kind.YES_NO, submit=True, paper=Paper.QUESTION),
        Field("can_provide_funding", Kind.YES_NO, submit=True, paper=Paper.QUESTION),
        Field("can_provide_technical_support", Kind.YES_NO, submit=True, paper=Paper.QUESTION),
    ),
    section(
        "declaration",
        _("五、单位意见与盖章"),
        Field(
            "agrees_to_declaration",
            Kind.TICK,
            submit=True,
            missing=Missing("declaration_required", _("提交前请勾选“我单位同意……”的单位意见。")),
            paper=Paper.OPINION,
            export_label=_("同意单位意见声明"),
            summary_label=_("单位意见"),
        ),
        row(
            Field(
                "responsible_person",
                Kind.LINE,
                6,
                submit=True,
                personal=True,
                paper=Paper.OPINION,
                export_width=10,
            ),
            Field(
                "signed_on",
                Kind.DATE,
                6,
                submit=True,
                paper=Paper.OPINION,
                export_label=_("日期（年 月 日）"),
                export_width=11,
                summary_label=_("日期"),
                date_in_words=True,
            ),
        ),
        Field(
            "seal_scan",
            Kind.FILE,
            submit=True,
            missing=Missing(
                "seal_scan_required", _("提交前请上传加盖单位公章的申报表扫描件或照片。")
            ),
            paper=Paper.NONE,
        ),
        Field(
            "privacy_consent",
            Kind.TICK,
            submit=True,
            beyond=True,
            missing=Missing("consent_required", _("提交前请阅读并勾选个人信息处理同意。")),
            paper=Paper.NONE,
            summary=False,
        ),
        # Asked on its own, apart from the general consent (PIPL art. 25): optional; without
        # it the 公示 shows "（起草人姓名未经同意公开）" in place of the name.
        Field(
            "drafter_name_public_consent",
            Kind.TICK,
            beyond=True,
            paper=Paper.NONE,
        ),
        Field(
            "contact_email",
            Kind.EMAIL,
            submit=True,
            draft=True,
            personal=True,
            beyond=True,
            paper=Paper.NONE,
            export_width=26,
        ),
    ),
)
# Editable fields of ``Application`` that the portal sets, never the applicant's form.
PORTAL_FIELDS = ("call", "list_order")


def fields_of(sections: Iterable[Section]) -> Iterator[Field]:
    for each in sections:
        yield from each.fields


FIELDS: tuple[Field, ...] = tuple(fields_of(SECTIONS))
BY_NAME: dict[str, Field] = {field.name: field for field in FIELDS}
NAMES: tuple[str, ...] = tuple(BY_NAME)
# What the applicant's form sets on the row itself (the standards and the files apart).
VALUE_FIELDS = tuple(f.name for f in FIELDS if f.kind not in (Kind.FILE, Kind.STANDARDS))
FILE_FIELDS = tuple(f.name for f in FIELDS if f.kind is Kind.FILE)
# Erased by the purge; every file goes too (a seal scan or an attachment may hold any of it).
PERSONAL_FIELDS = tuple(f.name for f in FIELDS if f.personal and f.kind is not Kind.FILE)
REQUIRED_FOR_SUBMIT = tuple(f.name for f in FIELDS if f.submit)
REQUIRED_FOR_DRAFT = tuple(f.name for f in FIELDS if f.draft)


# --- the paper table -----------------------------------------------------------------------
PAPER_COLUMNS = 6  # label, value, label, value, label, value


@dataclass(frozen=True)
class PaperCell:
    field: Field
    colspan: int  # of the value cell; the label cell spans one column


@dataclass(frozen=True)
class PaperRow:
    kind: str  # "grid", "long", "questions" or "opinion"
    cells: tuple[PaperCell, ...]


def paper_rows(sections: Iterable[Section]) -> tuple[PaperRow, ...]:
    """The rows of the paper table, from top to bottom (see the module's docstring)."""
    sections = tuple(sections)
    grid: list[PaperRow] = []
    for each in sections:
        rows: list[list[PaperCell]] = []
        for field in each.fields:
            if field.paper is not Paper.CELL:
                continue
            width = 1 + field.paper_span
            for cells in rows:
                if sum(1 + c.colspan for c in cells) + width <= PAPER_COLUMNS:
                    cells.append(PaperCell(field, field.paper_span))
                    break
            else:
                rows.append([PaperCell(field, field.paper_span)])
        grid += [PaperRow("grid", tuple(_filled(cells))) for cells in rows]
    fields = tuple(fields_of(sections))
    long: list[PaperRow] = []
    for field in fields:
        if field.paper is Paper.LONG:
            long.append(PaperRow("long", (PaperCell(field, PAPER_COLUMNS),)))
        elif field.paper is Paper.ATTACHED and long:
            long[-1] = PaperRow("long", (*long[-1].cells, PaperCell(field, PAPER_COLUMNS)))
    boxes = [
        PaperRow(kind, boxed)
        for kind, paper in (("questions", Paper.QUESTION), ("opinion", Paper.OPINION))
        if (boxed := tuple(PaperCell(f, PAPER_COLUMNS) for f in fields if f.paper is paper))
    ]
    return (*grid, *long, *boxes)


def _filled(cells: list[PaperCell]) -> list[PaperCell]:
    """The row's last value cell widened to the table's edge, if the row is not full."""
    spare = PAPER_COLUMNS - sum(1 + c.colspan for c in cells)
    if spare:
        cells[-1] = PaperCell(cells[-1].field, cells[-1].colspan + spare)
    return cells


PAPER_ROWS = paper_rows(SECTIONS)


# --- consistency with the model (``applications.checks``) ----------------------------------
def out_of_place(sections: Iterable[Section], model) -> tuple[list[str], list[str], list[str]]:
    """(editable fields of ``model`` in no section, names in more than one, names that are
    not fields of ``model``), each in the model's or the schema's order."""
    declared = [field.name for field in fields_of(sections)]
    counts = Counter(declared)
    editable = [
        f.name
        for f in model._meta.get_fields()
        if getattr(f, "editable", False) and not f.auto_created and f.name not in PORTAL_FIELDS
    ]
    known = {f.name for f in model._meta.get_fields()}
    missing = [name for name in editable if name not in counts]
    repeated = [name for name in counts if counts[name] > 1]
    unknown = [name for name in counts if name not in known]
    return missing, repeated, unknown
