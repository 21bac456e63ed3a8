"""Issue 19, item 17: the selected list's 落款, and CSV headers in Chinese on request."""

import csv
import io

from django.utils import timezone
from pypdf import PdfReader

from applications.documents import pdf
from applications.models import Application
from tests.factories import create_application
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
