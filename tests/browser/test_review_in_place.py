"""Issue 19, items 13 and 14 in a real browser: an organiser reads the attachments and
reviews on the application page."""

import pytest
from playwright.sync_api import expect

from applications import queries
from tests.factories import (
    create_application,
    decide_final,
    pdf_file,
    recommend,
    reviewer_for,
    seal_file,
    selector,
)

from .conftest import DESKTOP, PHONE, screenshot
from .helpers import assert_no_sideways_scroll
from .test_organiser_flow import log_in
from .test_rubric import score_rubric

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_seal_and_the_pdf_are_shown_in_the_page(transactional_db, call, open_page, size):
    application, _ = create_application(
        call, 1, files={"seal_scan": seal_file(), "unit_profile_file": pdf_file()}
    )
    reviewer = reviewer_for(call.organising_bodies.first(), "reviewer")
    page = open_page(None, **size)
    log_in(page, reviewer.username)
    downloads = []
    page.on("download", lambda download: downloads.append(download))
    page.goto(f"/admin/applications/application/{application.pk}/change/")

    seal = page.get_by_role("img", name="盖章扫描件.png")
    seal.scroll_into_view_if_needed()
    expect(seal).to_be_visible()
    page.wait_for_function(
        "() => { const i = document.querySelector('.file-viewer-image img');"
        " return i && i.complete && i.naturalWidth > 0; }"
    )
    frame = page.locator(".file-viewer-pdf iframe")
    frame.scroll_into_view_if_needed()
    expect(frame).to_be_visible()
    # Chromium's PDF viewer opened the file in the frame: nothing was downloaded.
    page.wait_for_timeout(1000)
    assert downloads == []
    assert any(f.url.endswith("unit_profile_file/?inline=1") for f in page.frames)
    # The download links are kept.
    expect(page.get_by_role("link", name="单位简介.pdf")).to_have_attribute("download", "")
    screenshot(page, f"admin-application-attachments-{size['viewport']['width']}")


def test_a_reviewer_reviews_in_the_page_and_moves_to_the_next(transactional_db, call, open_page):
    first, _ = create_application(call, 1, unit_name="深圳市南山区质量技术研究院有限公司")
    second, _ = create_application(call, 2, unit_name="广东省标准化协会质量促进中心")
    reviewer = reviewer_for(call.organising_bodies.first(), "reviewer")
    page = open_page(None, **DESKTOP)
    log_in(page, reviewer.username)
    page.goto(f"/admin/applications/application/{first.pk}/change/")
    form = page.locator("#review")
    # A mistake keeps what was typed, in the application page.
    last = queries.rubric_criteria(call)[-1]
    form.get_by_label("推荐", exact=True).check()
    score_rubric(page, call, 92, skip={last.pk})
    page.fill("#id_review_comment", "质量管理实践扎实。")
    form.get_by_role("button", name="保存并评审下一家未评审").click()
    expect(page.locator("#review .errornote").first).to_contain_text("评审意见未保存")
    expect(page.locator(f"#id_review_{last.field_name}")).to_have_value("")
    expect(page.locator("#id_review_comment")).to_have_value("质量管理实践扎实。")
    expect(page.locator("#content")).to_contain_text(first.unit_name)
    expect(page.locator("#content")).not_to_contain_text(second.unit_name)
    screenshot(page, "admin-review-in-page-error")
    score_rubric(page, call, 92)
    form.get_by_role("button", name="保存并评审下一家未评审").click()
    # The next application without this body's verdict opens.
    expect(page.locator(".messagelist")).to_contain_text(f"已保存深圳大学对 {first.reference}")
    expect(page.locator("#content")).to_contain_text(second.unit_name)
    expect(page.locator(f"#id_review_{last.field_name}")).to_have_value("")
    page.get_by_label("待定", exact=True).check()
    score_rubric(page, call, 75)
    page.get_by_role("button", name="保存评审意见", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text(f"已保存深圳大学对 {second.reference}")
    expect(page.locator("#reviews")).to_contain_text("75 分")
    screenshot(page, "admin-review-in-page-saved")


def lines(cell) -> int:
    """How many lines of text ``cell`` holds (its height without padding, in line heights)."""
    return round(
        cell.evaluate(
            """e => { const s = getComputedStyle(e);
                const inner = e.getBoundingClientRect().height
                    - parseFloat(s.paddingTop) - parseFloat(s.paddingBottom);
                const line = parseFloat(s.lineHeight) || 1.3 * parseFloat(s.fontSize);
                return inner / line; }"""
        )
    )


def test_unit_names_get_the_width_and_the_selected_list_reads_on_a_phone(
    transactional_db, call, open_page
):
    bodies = list(call.organising_bodies.all())
    chief = selector("chief")
    for number in range(1, 4):
        application, _ = create_application(
            call, number, unit_name=f"广东省标准化协会第{number}分会质量促进中心"
        )
        recommend(application, bodies[:2], score=80 + number)
        decide_final(application, "select", chief)
    create_application(call, 4, unit_name="深圳市南山区质量技术研究院有限公司")

    page = open_page(None, **DESKTOP)
    log_in(page, "chief")
    # The list opens on what needs a decision; a unit name takes at most two lines.
    expect(page.locator("#result_list tbody tr")).to_have_count(1)
    name = page.locator("#result_list tbody .field-unit_name").first
    assert lines(name) <= 2

    page = open_page(None, **PHONE)
    log_in(page, "chief")
    page.goto(f"/admin/applications/application/selected/{call.pk}/")
    assert_no_sideways_scroll(page)
    for header in page.locator("#selected-list thead th, #waitlist thead th").all():
        assert lines(header) == 1, header.inner_text()
    unit = page.locator("#selected-list tbody td:nth-child(3)").first
    assert unit.bounding_box()["width"] >= 150
    screenshot(page, "admin-selected-list-phone")
