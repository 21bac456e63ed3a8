"""Conflicts of interest (回避) in a real browser: a reviewer declares one for a person of
their body on the application page, on a phone and on a desktop."""

import pytest
from playwright.sync_api import expect

from tests.factories import create_application, recommend, reviewer_for

from .conftest import DESKTOP, PHONE, screenshot
from .helpers import assert_no_sideways_scroll
from .test_organiser_flow import log_in

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_reviewer_declares_a_conflict_on_the_application_page(
    transactional_db, call, open_page, size
):
    bodies = list(call.organising_bodies.all())
    application, _ = create_application(call, 1, unit_name="深圳市南山区质量技术研究院有限公司")
    recommend(application, bodies[1:], score=88)
    reviewer = reviewer_for(bodies[0], "reviewer")
    page = open_page(None, **size)
    log_in(page, reviewer.username)
    page.goto(f"/admin/applications/application/{application.pk}/change/")
    # Before: the other bodies' verdicts are there, and the review form.
    expect(page.locator("#reviews")).to_contain_text("88 分")
    panel = page.locator("#conflicts")
    panel.scroll_into_view_if_needed()
    expect(panel).to_contain_text("没有回避记录。")
    panel.get_by_text("申报回避（深圳大学）").click()
    panel.get_by_label("本单位的一位人员").check()
    # A person without a name: refused, what was typed kept.
    page.fill("#id_conflict_relation", "曾任该单位顾问")
    page.fill("#id_conflict_reason", "评审专家王某 2019—2021 年任该单位质量顾问")
    panel.get_by_role("button", name="记录回避").click()
    expect(page.locator("#conflicts .errorlist").first).to_contain_text("请填写需回避人员的姓名")
    expect(page.locator("#id_conflict_relation")).to_have_value("曾任该单位顾问")
    page.locator("#conflicts").scroll_into_view_if_needed()
    screenshot(page, f"admin-conflict-refused-{size['viewport']['width']}")
    page.fill("#id_conflict_person_name", "王某")
    page.locator("#conflicts").get_by_role("button", name="记录回避").click()
    expect(page.locator(".messagelist")).to_contain_text(
        f"已记录深圳大学对 {application.reference} 的回避"
    )
    panel = page.locator("#conflicts")
    expect(panel).to_contain_text("评审人员申报")
    expect(panel).to_contain_text("王某（曾任该单位顾问）")
    # The body stands aside now: no review form, no other body's verdict.
    expect(page.locator("#reviews")).to_contain_text("对本申报须回避")
    expect(page.locator("#reviews")).not_to_contain_text("88 分")
    expect(page.locator("#review-form")).to_have_count(0)
    expect(page.locator("#timeline")).to_contain_text("记录回避")
    assert_no_sideways_scroll(page)
    panel.scroll_into_view_if_needed()
    screenshot(page, f"admin-conflict-declared-{size['viewport']['width']}")
