"""CSV and XLSX exports, read back with csv and openpyxl and compared with the database."""

import csv
import datetime as dt
import gc
import io
import weakref

import pytest
from django.db import connection
from django.db.models import Avg
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from applications import demo, form_schema, services
from applications.documents import exports
from applications.form_schema import Kind
from applications.models import Application, OrganisingBody, Review
from tests.factories import create_application, rubric_scores
from tests.factories.documents import organiser, reviewer_of, select

pytestmark = pytest.mark.django_db

# The 申报表's names in the form's order (form_schema; tests/test_form_schema.py states them
# one by one), the red-seal hint after the seal scan, and the portal's own columns around.
FORM_KEYS = [
    key
    for name in form_schema.NAMES
    for key in ((name, "seal_detected") if name == "seal_scan" else (name,))
]
KEYS = [
    "reference",
    "call",
    "status",
    *FORM_KEYS,
    "submitted_at",
    "updated_at",
    "decided_at",
    "list_order",
    "verdict_1",
    "verdict_2",
    "verdict_3",
    "mean_score",
    "recommend_count",
    "conflicts",
]
FORMULAS = {
    "unit_name": '=HYPERLINK("http://example.invalid","点我")',
    "main_business": "+86 服务热线",
    "address": "@SUM(1+1)",
    "drafter_title": "-高级工程师",
}


@pytest.fixture
def applications(call):
    """A selected application with two bodies' reviews, a submitted one whose texts look
    like formulas, and a draft."""
    bodies = list(OrganisingBody.objects.order_by("position"))
    chief = organiser("chief", "decide_application")
    standards = list(call.standards.all())
    reviewed, _ = create_application(call, 1, standards=standards[:2], can_provide_funding=False)
    services.review_save(
        application=reviewed,
        reviewer=reviewer_of(bodies[0], "szu"),
        recommendation="recommend",
        scores=rubric_scores(call, 91),
    )
    services.review_save(
        application=reviewed,
        reviewer=reviewer_of(bodies[2], "ccpit"),
        recommendation="neutral",
        scores=rubric_scores(call, 70),
    )
    select(reviewed, chief)
    tricky, _ = create_application(call, 2, standards=standards[2:])
    Application.objects.filter(pk=tricky.pk).update(**FORMULAS)
    draft, _ = create_application(call, 3, action="draft", drafter_ethnicity="97")
    return [reviewed, tricky, draft]


def local(moment):
    return timezone.localtime(moment).replace(tzinfo=None, microsecond=0) if moment else None


def yes_no(value):
    return "" if value is None else ("是" if value else "否")


def expected_values(a: Application) -> dict:
    """One row as read from the database directly (reviews from their own rows)."""
    a = Application.objects.get(pk=a.pk)
    bodies = list(OrganisingBody.objects.order_by("position"))
    verdicts = {
        r.body_id: r.get_recommendation_display() for r in Review.objects.filter(application=a)
    }
    mean = Review.objects.filter(application=a).aggregate(m=Avg("score"))["m"]
    values = {
        "reference": a.reference,
        "call": a.call.code,
        "status": a.get_status_display(),
        "standards": "、".join(s.title for s in a.standards.order_by("position")),
        "seal_detected": yes_no(a.seal_detected),
        "submitted_at": local(a.submitted_at),
        "updated_at": local(a.updated_at),
        "decided_at": local(a.decided_at),
        "mean_score": None if mean is None else round(mean, 1),
        "recommend_count": sum(1 for v in verdicts.values() if v == "推荐"),
        # the bodies that stand aside, by their short names in the call's order
        "conflicts": "、".join(
            b.short_name or b.name
            for b in bodies
            if b.conflicts.filter(application=a, removed_at__isnull=True).exists()
        ),
    }
    for field in form_schema.FIELDS:
        name = field.name
        if field.kind is Kind.CHOICE:
            values[name] = getattr(a, f"get_{name}_display")()
        elif field.kind is Kind.CODE:  # the national code in front: 01 汉族
            values[name] = f"{getattr(a, name)} {getattr(a, f'get_{name}_display')()}"
        elif field.kind is Kind.FILE:  # by the name it had on the applicant's computer
            values[name] = a.original_name(name) if getattr(a, name) else ""
        elif field.kind in (Kind.YES_NO, Kind.TICK):
            values[name] = yes_no(getattr(a, name))
        elif field.kind is Kind.BODIES:  # the bodies ticked, by name
            values[name] = "、".join(b.name for b in bodies if b.pk in getattr(a, name))
    for number, body in enumerate(bodies, start=1):
        values[f"verdict_{number}"] = str(verdicts.get(body.pk, ""))
    for key in KEYS:
        if key not in values:
            values[key] = getattr(a, key)
    return values


def as_csv(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def read_csv(queryset) -> tuple[str, list[list[str]]]:
    text = "".join(exports.csv_lines(queryset))
    return text, list(csv.reader(io.StringIO(text)))


def test_csv_has_the_dictionary_keys_and_every_value_of_the_database(call, applications):
    text, rows = read_csv(Application.objects.all())

    assert text.startswith("\ufeff")  # Excel on Chinese Windows reads UTF-8 only with a BOM
    assert text.count("\r\n") == 4  # the header and three rows
    header = rows[0]
    assert header[0] == "\ufeffreference"
    assert [header[0].lstrip("\ufeff"), *header[1:]] == KEYS
    assert [row[0] for row in rows[1:]] == [a.reference for a in applications]
    for application, row in zip(applications, rows[1:], strict=True):
        expected = expected_values(application)
        got = dict(zip(KEYS, row, strict=True))
        for key in KEYS:
            want = as_csv(expected[key])
            if key in FORMULAS and application == applications[1]:
                want = "'" + want
            assert got[key] == want, (application.reference, key)
    reviewed = dict(zip(KEYS, rows[1], strict=True))
    assert (reviewed["verdict_1"], reviewed["verdict_2"], reviewed["verdict_3"]) == (
        "推荐",
        "",
        "待定",
    )
    assert (reviewed["mean_score"], reviewed["recommend_count"]) == ("80.5", "1")
    assert reviewed["status"] == "已入选" and reviewed["list_order"] == "1"
    assert reviewed["can_provide_funding"] == "否"
    assert dict(zip(KEYS, rows[3], strict=True))["drafter_ethnicity"] == "97 其他"


def test_csv_defuses_formulas_with_an_apostrophe(call, applications):
    _, rows = read_csv(Application.objects.filter(pk=applications[1].pk))
    row = dict(zip(KEYS, rows[1], strict=True))
    for key, value in FORMULAS.items():
        assert row[key] == "'" + value
    assert exports.csv_text("-5") == "'-5" and exports.csv_text(-5) == "-5"
    assert exports.csv_text("\t=1") == "'\t=1"
    assert exports.csv_text("正常 = 文本") == "正常 = 文本"


def test_xlsx_has_keys_labels_frozen_widths_and_every_value(call, applications):
    handle, count = exports.xlsx_file(Application.objects.all())
    with handle:
        workbook = load_workbook(handle)
    sheet = workbook.active

    assert count == 3 and sheet.max_row == 5
    assert sheet.freeze_panes == "B3"
    assert sheet.auto_filter.ref == f"A2:{sheet.cell(2, len(KEYS)).column_letter}5"
    assert [c.value for c in sheet[1]] == KEYS
    labels = dict(zip(KEYS, [c.value for c in sheet[2]], strict=True))
    assert labels["unit_name"] == "单位名称" and labels["drafter_ethnicity"] == "民族"
    # Where the export words a field otherwise than its label (form_schema's export_label).
    assert labels["agrees_to_declaration"] == "同意单位意见声明"
    assert labels["signed_on"] == "日期（年 月 日）"
    assert labels["verdict_1"] == "深圳大学评审意见" and labels["mean_score"] == "加权平均分"
    assert sheet.column_dimensions["E"].width == 30  # unit_name
    assert all(sheet.column_dimensions[c.column_letter].width for c in sheet[1])
    for application, cells in zip(applications, sheet.iter_rows(min_row=3), strict=True):
        expected = expected_values(application)
        got = dict(zip(KEYS, cells, strict=True))
        for key in KEYS:
            want = expected[key]
            if isinstance(want, dt.date) and not isinstance(want, dt.datetime):
                want = dt.datetime.combine(want, dt.time())
            assert (got[key].value if got[key].value != "" else None) == (
                want if want != "" else None
            ), (application.reference, key)
        assert got["unit_name"].data_type == "s"
    # Formulas stay text: the string type, never run by Excel, the text exactly as typed.
    tricky = dict(zip(KEYS, sheet[4], strict=True))
    for key, value in FORMULAS.items():
        assert (tricky[key].value, tricky[key].data_type) == (value, "s")
    assert not [c for row in sheet.iter_rows() for c in row if c.data_type == "f"]


def test_each_application_once_and_the_same_few_queries_for_any_number_of_rows(call, applications):
    # Filtering on standards joins: an application with two standards would come twice.
    joined = Application.objects.filter(standards__in=call.standards.all())
    assert joined.count() > len({a.pk for a in joined})
    _, rows = read_csv(joined)
    assert sorted(row[0] for row in rows[1:]) == sorted(a.reference for a in applications)

    def queries(queryset) -> int:
        with CaptureQueriesContext(connection) as captured:
            read_csv(queryset)
            exports.xlsx_file(queryset)[0].close()
        return len(captured)

    few = queries(Application.objects.filter(pk=applications[0].pk))
    for number in range(4, 10):
        create_application(call, number)
    assert Application.objects.count() == 9
    assert queries(Application.objects.all()) == few


def test_rows_already_written_are_freed_at_once(call, monkeypatch):
    """Memory stays flat: no reference cycle keeps a written row alive until the garbage
    collector's next full pass (bench/exports.py measures 10,000 rows)."""
    monkeypatch.setattr(exports, "CHUNK_SIZE", 20)
    demo.create_demo_applications(call, 50)
    columns, rows = exports.export_rows(Application.objects.all())
    gc.disable()
    try:
        first = next(rows)
        assert [c.value(first) for c in columns][exports_key("unit_profile_file")]
        written = weakref.ref(first)
        del first
        for _, application in zip(range(45), rows, strict=False):
            [c.value(application) for c in columns]
        del application
        assert written() is None
    finally:
        gc.enable()


def exports_key(key: str) -> int:
    return KEYS.index(key)
