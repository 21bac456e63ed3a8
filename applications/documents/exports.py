"""CSV and XLSX exports of applications, one row per application.

Columns (``export_columns``): the first row holds the keys of the data dictionary
(``shared/docs/data-dictionary.md``: ``unit_name``, ``drafter_ethnicity`` …, one column per
field of ``form_schema``, made by the field's kind), then the
portal's own ``reference``, ``call``, ``status``, ``submitted_at`` …, one ``verdict_<n>``
per organising body (n = the body's place in the call's order: ``verdict_1`` is 深圳大学 for
the seeded call), ``mean_score`` and ``recommend_count``. XLSX adds the Chinese labels as
a second header row; CSV keeps one header row so that tools can read it as it is: the keys,
or the Chinese labels on request (``?headers=labels``).

Values are what organisers read: choices as their Chinese labels (企业, 已提交, 推荐),
booleans as 是/否, files as their original names. Code-list fields keep their national code
in front of the label — ``01 汉族`` (GB/T 3304), ``13 群众`` (GB/T 4762), ``C 制造业``
(GB/T 4754) — so the code can still be matched against other systems. Dates are ISO
dates; times are Beijing time.

Both writers stream: rows come from ``queryset.iterator(chunk_size=...)`` with the
standards prefetched per chunk; CSV goes out as it is made, XLSX is written by openpyxl's
write-only workbook into a temporary file, so memory stays flat however many rows.

Formula injection: a text that begins with = + - @ (or a tab / carriage return) would be
run as a formula by Excel. CSV cells get a leading apostrophe; XLSX cells are stored with
the string type, which Excel never evaluates, so their text stays exactly as typed.
"""

import csv
import datetime as dt
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from applications import enums, form_schema, queries, workflow
from applications.form_schema import Kind
from applications.models import Application, OrganisingBody, Question

CHUNK_SIZE = 500
CSV_ROWS_PER_WRITE = 100
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    value: Callable[[Application], object]
    width: int = 14  # XLSX column width, in characters


def _label(name: str) -> str:
    return str(Application.label(name))


def _plain(name: str, width: int = 14, label="") -> Column:
    return Column(name, str(label or _label(name)), lambda a: getattr(a, name), width)


def _choice(name: str, width: int = 12, label="") -> Column:
    return Column(
        name, str(label or _label(name)), lambda a: getattr(a, f"get_{name}_display")(), width
    )


def _coded(name: str, width: int = 14, label="") -> Column:
    """A field of a national code list: "code label" (``01 汉族``), empty if unset."""

    def value(a):
        code = getattr(a, name)
        return f"{code} {getattr(a, f'get_{name}_display')()}" if code else ""

    return Column(name, str(label or _label(name)), value, width)


def _yes_no(name: str, width: int = 8, label="") -> Column:
    def value(a):
        answer = getattr(a, name)
        return "" if answer is None else ("是" if answer else "否")

    return Column(name, str(label or _label(name)), value, width)


def _file(name: str, width: int = 20, label="") -> Column:
    """An uploaded file, by the name it had on the applicant's computer."""

    def value(a):
        # The stored path, read past the FileDescriptor: the FieldFile it makes refers back
        # to the instance, a reference cycle that would keep every row in memory until
        # the garbage collector's next full pass.
        stored = a.__dict__.get(name)
        return a.original_name(name) if stored else ""

    return Column(name, str(label or _label(name)), value, width)


def _local(name: str, label: str = "") -> Column:
    """An aware datetime as naive Beijing time (Excel has no time zones)."""

    def value(a):
        moment = getattr(a, name)
        return timezone.localtime(moment).replace(tzinfo=None, microsecond=0) if moment else None

    return Column(name, label or _label(name), value, 19)


def _verdict(body: OrganisingBody, number: int) -> Column:
    field = queries.verdict_field(body.pk)
    labels = dict(enums.Recommendation.choices)

    def value(a):
        if getattr(a, "viewer_conflicted", False):
            return ASIDE
        verdict = getattr(a, field, None)
        return str(labels[verdict]) if verdict else ""

    name = body.short_name or body.name
    return Column(f"verdict_{number}", f"{name}评审意见", value, 12)


def _conflicts(bodies: list[OrganisingBody]) -> Column:
    """The bodies that stand aside (回避) on the row's application."""

    def value(a):
        return "、".join(
            body.short_name or body.name
            for body in bodies
            if getattr(a, queries.conflict_field(body.pk), False)
        )

    return Column("conflicts", "回避", value, 16)


def _standards(a) -> str:
    return "、".join(s.title for s in a.standards.all())


# What an exporter whose body stands aside on a row reads in place of the others' verdicts.
ASIDE = "回避"


def _mean_score(a) -> float | str | None:
    if getattr(a, "viewer_conflicted", False):
        return ASIDE
    return None if a.mean_score is None else round(a.mean_score, 1)


def _recommend_count(a) -> int | str:
    return ASIDE if getattr(a, "viewer_conflicted", False) else a.recommend_count


def _bodies(name: str, width: int = 24, label="") -> Column:
    """The organising bodies an applicant ticked (stored as pks), by name; the names are read
    once per export, not once per row."""
    names: dict[int, str] = {}

    def value(a):
        if not names:
            names.update(OrganisingBody.objects.values_list("pk", "name"))
        return "、".join(names.get(pk, str(pk)) for pk in getattr(a, name) or ())

    return Column(name, label or _label(name), value, width)


# Each kind of field of the 申报表: its column and default width.
KIND_COLUMNS = {
    Kind.BODIES: (_bodies, 24),
    Kind.CHOICE: (_choice, 12),
    Kind.CODE: (_coded, 14),
    Kind.YES_NO: (_yes_no, 8),
    Kind.TICK: (_yes_no, 8),
    Kind.FILE: (_file, 20),
}
# The portal's own columns after a field of the form.
ADDED_AFTER = {"seal_scan": (lambda: _yes_no("seal_detected"),)}


def form_column(field: form_schema.Field) -> Column:
    """The column of one field of the 申报表 (``form_schema``)."""
    label = field.export_label or _label(field.name)
    if field.kind is Kind.STANDARDS:
        return Column(field.name, str(label), _standards, field.export_width or 40)
    make, width = KIND_COLUMNS.get(field.kind, (_plain, 14))
    return make(field.name, field.export_width or width, label=label)


def _answer(question: Question) -> Column:
    """The column ``q_<pk>`` of one of a call's own questions (hidden ones too)."""

    def value(a):
        if a.call_id != question.call_id:
            return ""
        return question.display((a.extra_answers or {}).get(str(question.pk)))

    return Column(question.key, question.label, value, 20)


def export_columns(
    bodies: list[OrganisingBody], questions: list[Question] | None = None
) -> list[Column]:
    """Every column of an export, in order; ``bodies`` give the verdict columns, the calls'
    ``questions`` a column each after the fixed form's."""
    form = []
    for field in form_schema.FIELDS:
        form.append(form_column(field))
        form += [column() for column in ADDED_AFTER.get(field.name, ())]
    return [
        _plain("reference", 15),
        Column("call", "征集", lambda a: a.call.code, 10),
        _choice("status", 8),
        *form,
        *[_answer(question) for question in questions or ()],
        # Managed by the portal
        _local("submitted_at"),
        _local("updated_at"),
        _local("decided_at"),
        _plain("list_order", 8),
        *[_verdict(body, number) for number, body in enumerate(bodies, start=1)],
        Column("mean_score", "加权平均分", _mean_score, 8),
        Column("recommend_count", "推荐数", _recommend_count, 8),
        _conflicts(bodies),
    ]


def export_rows(
    queryset: QuerySet[Application], viewer: User | None = None
) -> tuple[list[Column], Iterator[Application]]:
    """The columns and a chunked iterator over the rows of ``queryset`` (any selection);
    where a body ``viewer`` reviews for stands aside, the others' verdicts are not given."""
    bodies = queries.export_bodies(queryset)
    rows = queries.with_conflict_flags(queries.applications_for_export(queryset, bodies), bodies)
    if viewer is not None:
        rows = queries.with_viewer_conflict(rows, viewer)
    questions = queries.export_questions(queryset)
    return export_columns(bodies, questions), _released(rows.iterator(chunk_size=CHUNK_SIZE))


def _released(rows: Iterator[Application]) -> Iterator[Application]:
    """Each row, its prefetched standards dropped once it has been written.

    A prefetched related queryset refers back to its instance: a reference cycle, which
    only the garbage collector's rare full passes free. With it (and the FieldFile cycle
    that ``_file`` avoids) an export's memory grew with the rows between passes
    (docs/performance.md); without them each chunk is freed as soon as the next one is read.
    """
    for application in rows:
        yield application
        application.__dict__.pop("_prefetched_objects_cache", None)


# --- CSV -----------------------------------------------------------------------------------
def csv_text(value) -> str:
    """One CSV cell: ISO dates, Beijing times, and formulas defused with an apostrophe."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return str(value)


class _Echo:
    """A file-like object whose ``write`` hands the line back (csv.writer into a generator)."""

    def write(self, value: str) -> str:
        return value


def csv_lines(
    queryset: QuerySet[Application], *, labels: bool = False, viewer: User | None = None
) -> Iterator[str]:
    """The CSV text of ``queryset``, a few rows at a time: a UTF-8 BOM (Excel on Chinese
    Windows reads the file as UTF-8 only with it), the header row, then one line per row.
    The header is the keys (for tools), or with ``labels`` the Chinese labels (for people
    opening it in Excel; XLSX has both rows)."""
    columns, rows = export_rows(queryset, viewer)
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow([c.label if labels else c.key for c in columns])
    lines = []
    for application in rows:
        lines.append(writer.writerow([csv_text(c.value(application)) for c in columns]))
        if len(lines) >= CSV_ROWS_PER_WRITE:
            yield "".join(lines)
            lines = []
    if lines:
        yield "".join(lines)


# --- XLSX ----------------------------------------------------------------------------------
def _saved(workbook) -> BinaryIO:
    """The workbook written to a temporary file, at its start; the caller closes it."""
    out = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 (the caller closes it)
    try:
        workbook.save(out)
    except BaseException:
        out.close()
        raise
    out.seek(0)
    return out


def _xlsx_value(sheet, value):

    if not isinstance(value, str):
        return value
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if value.startswith(("=", "#")):
        # openpyxl would store "=…" as a formula and "#N/A" as an error: keep them text.
        cell = WriteOnlyCell(sheet, value)
        cell.data_type = "s"
        return cell
    return value


def xlsx_file(queryset: QuerySet[Application], *, title: str = "申报", viewer: User | None = None):
    """(file, row count): an XLSX workbook of ``queryset`` in an anonymous temporary file,
    rewound. Row 1: keys; row 2: Chinese labels; both frozen, with a filter on row 2. The
    caller closes the file (``FileResponse`` does), which deletes it.
    """

    columns, rows = export_rows(queryset, viewer)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title)
    sheet.freeze_panes = "B3"
    for number, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(number)].width = column.width
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDE4F0")

    def header(values, **style):
        cells = []
        for value in values:
            cell = WriteOnlyCell(sheet, value)
            for name, setting in style.items():
                setattr(cell, name, setting)
            cells.append(cell)
        return cells

    sheet.append(header([c.key for c in columns], font=Font(color="666666")))
    sheet.append(header([c.label for c in columns], font=bold, fill=fill))
    count = 0
    for application in rows:
        sheet.append([_xlsx_value(sheet, c.value(application)) for c in columns])
        count += 1
    sheet.auto_filter.ref = f"A2:{get_column_letter(len(columns))}{count + 2}"
    out = _saved(workbook)
    return out, count


# --- 评审记录 (issue 16) ----------------------------------------------------------------------
def _when(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def review_record_xlsx(call, viewer: User | None = None):
    """(file, row count): the 评审记录 of ``call`` as XLSX, one row per submitted application:
    each body's verdict, weighted total, score per criterion, comment, reviewer and time,
    the weighted mean and the joint sign-off, the decision (or the pending one), who
    released it and when, the override reason, and the bodies that stand aside (回避) with
    why. Where a body ``viewer`` reviews for stands aside, the other bodies' verdicts and
    the summary are not given. Written to an anonymous temporary file, rewound; the caller
    closes it."""
    bodies, applications, decided = queries.review_record(call)
    criteria = queries.record_criteria(call)
    conflicts = queries.standing_conflicts_by_application(call)
    aside = queries.applications_aside_for(viewer, call) if viewer is not None else set()
    recommendations = dict(enums.Recommendation.choices)
    statuses = dict(enums.Status.choices)
    headers = ["申报编号", "单位名称", "统一社会信用代码"]
    widths = [16, 30, 22]
    for body in bodies:
        name = body.short_name or body.name
        headers += [
            f"{name}·评审意见",
            f"{name}·评分",
            *[f"{name}·{criterion.label}" for criterion in criteria],
            f"{name}·评语",
            f"{name}·评审人",
            f"{name}·评审时间",
        ]
        widths += [10, 8, *[8 for _criterion in criteria], 36, 14, 17]
    headers += [
        "加权平均分",
        "推荐家数",
        "已达会签",
        "状态",
        "待发布的决定",
        "决定人",
        "决定时间",
        "未达会签的入选理由",
        "回避",
    ]
    widths += [8, 8, 8, 10, 12, 14, 17, 30, 36]
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title="评审记录")
    sheet.freeze_panes = "C2"
    for number, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(number)].width = width
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDE4F0")
    cells = []
    for value in headers:
        cell = WriteOnlyCell(sheet, value)
        cell.font, cell.fill = bold, fill
        cells.append(cell)
    sheet.append(cells)
    for application in applications:
        row = [application.reference, application.unit_name, application.credit_code]
        by_body = {r.body_id: r for r in application.reviews.all()}
        hidden = application.pk in aside
        standing = conflicts.get(application.pk, [])
        for body in bodies:
            review = by_body.get(body.pk)
            blanks = [None for _criterion in criteria]
            if hidden and not any(c.body_id == body.pk for c in standing):
                row += [ASIDE, None, *blanks, "", "", ""]
            elif review is None:
                row += ["未评审", None, *blanks, "", "", ""]
            else:
                scored = {score.criterion_id: score.value for score in review.scores.all()}
                row += [
                    str(recommendations.get(review.recommendation, review.recommendation)),
                    review.score,
                    *[scored.get(criterion.pk) for criterion in criteria],
                    review.comment,
                    str(review.reviewer),
                    _when(review.updated_at),
                ]
        entry = decided.get(application.pk)
        pending = application.pending_decision
        row += [
            ASIDE if hidden else _mean_score(application),
            ASIDE if hidden else application.recommend_count,
            ASIDE if hidden else ("是" if application.quorum_reached else "否"),
            str(statuses.get(application.status, application.status)),
            str(workflow.STAGED[pending].pending_label) if pending else "",
            str(entry.actor) if entry and entry.actor else "",
            _when(application.decided_at),
            application.selection_override_reason,
            "；".join(
                f"{c.body.short_name or c.body.name}：{c.get_source_display()}，{c.reason}"
                for c in standing
            ),
        ]
        sheet.append([_xlsx_value(sheet, value) for value in row])
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{len(applications) + 1}"
    out = _saved(workbook)
    return out, len(applications)
