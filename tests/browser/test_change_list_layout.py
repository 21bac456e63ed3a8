"""The change list at 1280 px: the export buttons and the call's counters do not cover each
other, even with the 2021 call's long title."""

import pytest
from playwright.sync_api import expect

from applications import stamp
from applications.enums import ScanCheck
from applications.models import Application
from tests.factories import create_application, selector

from .conftest import DESKTOP, PHONE, screenshot
from .test_organiser_flow import log_in

pytestmark = pytest.mark.browser

OVERLAP = """([a, b]) => {
    const r = a.getBoundingClientRect(), s = b.getBoundingClientRect();
    return !(r.right <= s.left || s.right <= r.left || r.bottom <= s.top || s.bottom <= r.top);
}"""


def test_the_export_buttons_do_not_cover_the_counters(transactional_db, call, open_page):
    create_application(call, 1)
    selector("chief")
    page = open_page(None, **DESKTOP)
    log_in(page, "chief")
    counter = page.locator(".call-counter").first
    expect(counter).to_contain_text("关于公开征集首席质量官系列团体标准起草单位和起草人的通知")
    buttons = page.locator(".object-tools a").all()
    assert len(buttons) >= 3
    for button in buttons:
        covered = page.evaluate(OVERLAP, [button.element_handle(), counter.element_handle()])
        boxes = (button.bounding_box(), counter.bounding_box())
        assert not covered, (button.inner_text(), boxes)
    screenshot(page, "admin-change-list-counters")


def with_stamps(application, outcome: str, *texts: str) -> None:
    """Give ``application`` the stamps a scan would have left, and their outcome."""
    assert stamp.judge(list(texts), application.reference, stamp.digest(application)).outcome == (
        outcome
    )
    Application.objects.filter(pk=application.pk).update(
        scan_stamps=list(texts), scan_check=outcome
    )


def test_the_paper_check_is_read_at_a_glance_without_scrolling(transactional_db, call, open_page):
    """Every outcome in one list, with the longest unit names and all three standards: at
    1280 px the table, three bodies' verdicts included, does not scroll sideways, and each
    row's paper check is one line, fully in view."""
    every_standard = list(call.standards.all())
    rows = {}
    for number, outcome in enumerate(
        ("matches", "partial", "stale", "other", "unreadable"), start=1
    ):
        application, _token = create_application(
            call,
            number,
            standards=every_standard,
            unit_name="上海市质量管理协会首席质量官示范单位有限责任公司",
        )
        rows[outcome] = Application.objects.get(pk=application.pk)
    code = stamp.digest(rows["matches"])
    with_stamps(rows["matches"], "matches", stamp.qr_text(rows["matches"].reference, code))
    partial = rows["partial"]
    with_stamps(partial, "partial", stamp.qr_text(partial.reference, stamp.digest(partial), 1, 3))
    with_stamps(rows["stale"], "stale", stamp.qr_text(rows["stale"].reference, "0" * 16))
    with_stamps(rows["other"], "other", stamp.qr_text(rows["matches"].reference, code))
    with_stamps(rows["unreadable"], "unreadable")
    selector("chief")
    page = open_page(None, **DESKTOP)
    log_in(page, "chief")

    results = page.locator(".results")
    widths = results.evaluate("r => [r.scrollWidth, r.clientWidth]")
    columns = page.eval_on_selector_all(
        "#result_list thead th",
        "ths => ths.map(th => [th.className, Math.round(th.getBoundingClientRect().width)])",
    )
    assert widths[0] <= widths[1], f"the change list scrolls sideways: {widths} {columns}"
    box = results.bounding_box()
    for outcome, short in (
        ("matches", "✓ 一致"),
        ("partial", "缺第 2、3 页"),
        ("stale", "✗ 不一致"),
        ("other", "✗ 非本申报"),
        ("unreadable", "? 未识别"),
    ):
        row = page.locator("#result_list tr", has_text=rows[outcome].reference)
        badge = row.locator(f"td.field-scan_check_column .scan-badge-{outcome}")
        expect(badge).to_have_text(short)
        expect(badge).to_have_attribute("title", str(ScanCheck(outcome).label))
        seen = badge.bounding_box()
        assert box["x"] <= seen["x"] and seen["x"] + seen["width"] <= box["x"] + box["width"]
        assert seen["x"] + seen["width"] <= DESKTOP["viewport"]["width"]
        assert badge.evaluate("b => b.getClientRects().length") == 1, f"{short} wraps"
    screenshot(page, "admin-change-list-paper-check")

    # On a phone the table scrolls inside its box, not the page; the badges stay one line.
    phone = open_page(None, **PHONE)
    log_in(phone, "chief")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["viewport"]["width"]
    for badge in phone.locator(".scan-badge").all():
        assert badge.evaluate("b => b.getClientRects().length") == 1
    screenshot(phone, "admin-change-list-paper-check-phone")
