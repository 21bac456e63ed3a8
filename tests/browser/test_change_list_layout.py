"""The change list at 1280 px: the export buttons and the call's counters do not cover each
other, even with the 2021 call's long title."""

import pytest
from playwright.sync_api import expect

from tests.factories import create_application, selector

from .conftest import DESKTOP, screenshot
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
