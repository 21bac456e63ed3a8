"""The release page on a phone: a selector checks the staged decisions and their mail before
releasing them, and the table reads as a table (no column a character wide)."""

import pytest
from playwright.sync_api import expect

from applications import services
from tests.factories import create_application, recommend, selector

from .conftest import PHONE, screenshot
from .helpers import assert_no_sideways_scroll
from .test_organiser_flow import log_in

pytestmark = pytest.mark.browser


def test_a_selector_reads_the_release_page_on_a_phone(transactional_db, call, open_page):
    chief = selector("chief")
    for number, decision in ((1, "select"), (2, "waitlist"), (3, "select")):
        application, _token = create_application(call, number)
        recommend(application, list(call.organising_bodies.all()), score=80 + number)
        services.decide(application=application, decision=decision, actor=chief)
    page = open_page(None, **PHONE)
    log_in(page, "chief")
    page.goto(f"/admin/applications/application/release/{call.pk}/")
    expect(page.locator(".release-page")).to_contain_text("共 3 项待发布的决定")
    assert_no_sideways_scroll(page)
    # Each header and each reference is one line, not one character a line.
    one_line = """e => {
        const range = document.createRange();
        range.selectNodeContents(e);
        const rects = [...range.getClientRects()].filter(r => r.width > 0);
        return new Set(rects.map(r => Math.round(r.top))).size === 1;
    }"""
    elements = page.locator(".release-group th:not(:first-child), .release-group td a").all()
    assert len(elements) >= 3 + 3  # the headers and a reference per row
    for element in elements:
        assert element.evaluate(one_line), element.inner_text()
    expect(page.get_by_role("button", name="确认发布")).to_be_visible()
    screenshot(page, "admin-release-phone")
