"""Issue 19, item 17: the selected list's 落款, and CSV headers in Chinese on request."""

import csv
import io

from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from applications.documents import pdf
from applications.models import Application
from tests.factories import create_application, decide_final, recommend
from tests.factories.documents import (
    organiser,
    page_texts,
    pdf_page_png,
    select,
    selected_units,
)

UNITS = [
    (1, "深圳甲质量技术有限公司", "张三", [1, 2]),
    (2, "北京乙大学", "李四", [2]),
    (3, "上海丙质量管理协会", "王五", [1, 3]),
    (4, "杭州丁质量发展研究院", "赵六", [1, 2, 3]),
]
BODIES = ("深圳大学", "中国质量报刊社", "中国国际贸易促进委员会商业行业委员会")


def test_the_selected_list_ends_with_the_issuing_bodies_the_date_and_room_for_seals(call):
    selected_units(call, organiser("chief", "decide_application"), UNITS)
    data = pdf.selected_list_pdf(call)
    texts = page_texts(data)
    for n in range(1, len(texts) + 1):
        pdf_page_png(data, n, dpi=60, keep_as=f"selected-list-signoff-{n}.png")
    last = texts[-1]
    today = timezone.localdate()
    signoff = "".join(BODIES) + f"{today.year}年{today.month}月{today.day}日"
    # After the table, the three bodies and the date; on the last page with at least the
    # table's last row (a 落款 never stands on a page of its own).
    assert signoff in last
    assert last.index("杭州丁质量发展研究院") < last.index(signoff)
    assert "本名单生成于" not in "".join(texts)


def text_heights(data: bytes) -> list[tuple[str, float]]:
    """Each piece of text on the first page with its height above the page's bottom (pt)."""
    pieces: list[tuple[str, float]] = []

    def visit(text, cm, tm, _font, _size):
        if text.strip():  # the text's origin in page space (tm × cm)
            pieces.append((text.strip(), tm[4] * cm[1] + tm[5] * cm[3] + cm[5]))

    PdfReader(io.BytesIO(data)).pages[0].extract_text(visitor_text=visit)
    return pieces


def test_the_signoff_leaves_blank_room_above_the_names_for_the_seals(call):
    selected_units(call, organiser("chief", "decide_application"), UNITS[:1])
    data = pdf.selected_list_pdf(call)
    assert len(page_texts(data)) == 1
    pieces = text_heights(data)
    row = min(y for text, y in pieces if "深圳甲质量技术有限公司" in text)  # the table's row
    names = min(y for text, y in pieces if "深圳大学" in text)  # the lowest: the 落款's
    today = timezone.localdate()
    written = f"{today.year}年{today.month}月{today.day}日"
    date = [y for text, y in pieces if text.replace(" ", "") == written]
    # Below the table: the bodies' names, after a blank band for the seals (at least 15 mm;
    # the row's own height is about 8 mm), then the date.
    mm = 72 / 25.4
    assert row - names >= 15 * mm, (row, names)
    assert date and date[0] < names


def read_csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


def test_csv_headers_are_keys_or_on_request_chinese_labels(client, call):
    chief = organiser("chief", "decide_application")
    application, _ = create_application(call, 1, unit_name="深圳入选质量技术有限公司")
    select(application, chief)
    client.force_login(chief)
    query = "?status__exact=selected"
    keys = read_csv(client.get(f"/organiser/applications.csv{query}"))
    labels = read_csv(client.get(f"/organiser/applications.csv{query}&headers=labels"))
    assert keys[0][0] == "reference" and "unit_name" in keys[0]
    assert labels[0][0] == str(Application.label("reference"))
    assert "单位名称" in labels[0] and "unit_name" not in labels[0]
    assert not any(label.startswith("verdict_") for label in labels[0])
    assert len(labels[0]) == len(keys[0]) and "深圳大学评审意见" in labels[0]
    assert keys[0][labels[0].index("深圳大学评审意见")].startswith("verdict_")
    assert keys[1:] == labels[1:]  # the same rows under either header
    assert [row[0] for row in labels[1:]] == [application.reference]


def test_the_change_list_offers_both_csv_header_styles(admin_client, call):
    page = admin_client.get("/admin/applications/application/?status__exact=all").content.decode()
    assert 'href="/organiser/applications.csv?status__exact=all"' in page
    assert 'href="/organiser/applications.csv?status__exact=all&amp;headers=labels"' in page
    assert "CSV（中文表头）" in page


# --- issue 16: the 评审记录 export ---------------------------------------------------------
def test_the_review_record_has_every_verdict_and_decision_of_the_call(client, call):
    chief = organiser("chief", "decide_application")
    bodies = list(call.organising_bodies.all())
    chosen, _ = create_application(call, 1, unit_name="深圳入选质量技术有限公司")
    recommend(chosen, bodies[:2], score=90)
    decide_final(chosen, "select", chief)
    waiting, _ = create_application(call, 2, unit_name="北京待定检测有限公司")
    recommend(waiting, bodies[2:], score=60, recommendation="not_recommend")
    create_application(call, 3, action="draft")
    client.force_login(chief)

    response = client.get(f"/organiser/calls/{call.code}/reviews.xlsx")
    assert response.status_code == 200
    assert "%E8%AF%84%E5%AE%A1%E8%AE%B0%E5%BD%95" in response["Content-Disposition"]  # 评审记录
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    header, first, second = rows[0], rows[1], rows[2]
    assert len(rows) == 3  # the draft has nothing to record
    record = dict(zip(header, first, strict=True))
    name = bodies[0].short_name or bodies[0].name
    assert record["申报编号"] == chosen.reference
    assert (record[f"{name}·评审意见"], record[f"{name}·评分"]) == ("推荐", 90)
    assert record[f"{name}·评审人"] and record[f"{name}·评审时间"]
    assert (record["加权平均分"], record["推荐家数"], record["已达会签"]) == (90, 2, "是")
    assert (record["状态"], record["决定人"]) == ("已入选", "chief")
    other = dict(zip(header, second, strict=True))
    assert other[f"{name}·评审意见"] == "未评审" and other["状态"] == "已提交"
    last = bodies[2].short_name or bodies[2].name
    assert (other[f"{last}·评审意见"], other[f"{last}·评分"]) == ("不推荐", 60)
    # Recorded like the other exports; other calls' organisers get nothing.
    assert client.get("/organiser/calls/no-such-call/reviews.xlsx").status_code == 404
