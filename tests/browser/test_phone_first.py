"""Phone first: screenshots at 375×667 and 1280×800 for people to look at, no sideways
scrolling from 360 to 414 px (and on a desktop), the right keyboards on a phone.

The screenshots go to ``tests/browser/artifacts/`` (what the window shows, and the full page);
with ``UPDATE_SCREENSHOTS=1`` the window-sized ones also replace those of the README in
``tests/browser/screenshots/``.
"""

import os
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.factories import create_application

from .conftest import DESKTOP, PHONE, artifact_path, screenshot
from .helpers import (
    SUBMIT,
    applicant_values,
    assert_no_sideways_scroll,
    fill_form,
    wrong_check_char,
)

pytestmark = pytest.mark.browser

README_SHOTS = Path(__file__).resolve().parent / "screenshots"
VIEWPORTS = {"phone": PHONE, "desktop": DESKTOP}


def window_shot(page: Page, name: str) -> None:
    """What the window shows (as people first see it), plus the full page."""
    path = artifact_path(name)
    page.screenshot(path=str(path))
    screenshot(page, f"{name}-full")
    if os.environ.get("UPDATE_SCREENSHOTS") == "1":
        README_SHOTS.mkdir(exist_ok=True)
        shutil.copy(path, README_SHOTS / path.name)


def submit_with_three_mistakes(page: Page) -> None:
    values = applicant_values(2021)
    values["credit_code"] = wrong_check_char(values["credit_code"])
    values["postcode"] = "5180"
    fill_form(page, values, {}, typing=False)  # and no seal scan
    page.locator(SUBMIT).click()
    expect(page.locator("#error-summary h2")).to_have_text("有 3 处需要修改")


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_screenshots_of_the_call_the_form_with_errors_and_the_private_page(
    transactional_db, call, open_page, viewport
):
    application, token = create_application(call, 7, action="draft")
    page = open_page("/calls/cqo-2021/", **VIEWPORTS[viewport])
    expect(page.locator(".call-status")).to_be_visible()
    window_shot(page, f"call-{viewport}")

    page.goto("/calls/cqo-2021/apply/")
    submit_with_three_mistakes(page)
    expect(page.locator("#error-summary")).to_be_focused()
    window_shot(page, f"apply-errors-{viewport}")
    if viewport == "phone":
        # The phone shows the first field to correct; the summary is just above.
        page.locator("#error-summary").evaluate("e => e.scrollIntoView({block: 'start'})")
        window_shot(page, "apply-summary-phone")

    page.goto(f"/a/{application.reference}/{token}/")
    expect(page.locator(".steps [aria-current=step]")).to_contain_text("打印盖章")
    window_shot(page, f"private-{viewport}")
    if viewport == "desktop":
        page.goto(f"/a/{application.reference}/{token}/print/")
        expect(page.locator("h1")).to_have_text("首席质量官系列团体标准起草单位申报表")
        window_shot(page, "print-view")
        page.go_back()

    page.get_by_role("button", name="English").click()
    expect(page.locator(".steps [aria-current=step]")).to_contain_text("Print and stamp")
    window_shot(page, f"private-{viewport}-en")


@pytest.mark.parametrize("width", [360, 375, 414])
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_no_sideways_scrolling_on_phones(transactional_db, call, open_page, width, language):
    application, token = create_application(call, 8)
    size = {"viewport": {"width": width, "height": 740}, "is_mobile": True, "has_touch": True}
    page = open_page("/calls/cqo-2021/", **size)
    if language == "en":
        page.get_by_role("button", name="English").tap()
        expect(page.locator("html")).to_have_attribute("lang", "en")
    assert_no_sideways_scroll(page)
    page.goto("/calls/cqo-2021/apply/")
    assert_no_sideways_scroll(page)
    page.locator(SUBMIT).tap()
    expect(page.locator("#error-summary")).to_be_visible()
    assert_no_sideways_scroll(page)
    page.goto(f"/a/{application.reference}/{token}/")
    assert_no_sideways_scroll(page)
    page.goto(f"/a/{application.reference}/{token}/edit/")
    assert_no_sideways_scroll(page)
    page.goto("/link/")
    assert_no_sideways_scroll(page)
    page.goto("/")
    assert_no_sideways_scroll(page)


def test_no_sideways_scrolling_on_a_desktop(transactional_db, call, open_page):
    application, token = create_application(call, 9)
    page = open_page("/calls/cqo-2021/", **DESKTOP)
    for path in (
        "/",
        "/calls/cqo-2021/",
        "/calls/cqo-2021/apply/",
        f"/a/{application.reference}/{token}/",
    ):
        page.goto(path)
        assert_no_sideways_scroll(page)


def test_phone_keyboards_and_camera(transactional_db, call, open_page):
    """Each input asks a phone for the right keyboard; the seal scan can be a photo."""
    page = open_page("/calls/cqo-2021/apply/", **PHONE)
    expected = {
        "postcode": {"inputmode": "numeric", "autocomplete": "postal-code"},
        "drafter_mobile": {"type": "tel", "inputmode": "tel", "autocomplete": "tel"},
        "drafter_phone": {"type": "tel"},
        "drafter_fax": {"type": "tel"},
        "drafter_email": {"type": "email", "autocomplete": "email", "autocapitalize": "off"},
        "contact_email": {"type": "email", "autocomplete": "email"},
        "signed_on": {"type": "date"},
        "credit_code": {"autocapitalize": "characters", "spellcheck": "false"},
        "unit_name": {"autocomplete": "organization"},
    }
    for name, attrs in expected.items():
        field = page.locator(f"#id_{name}")
        for attr, value in attrs.items():
            expect(field).to_have_attribute(attr, value)
    # The birth date is three lists (年 / 月 / 日): a phone offers its own picker for each.
    for part in ("year", "month", "day"):
        expect(page.locator(f"select#id_drafter_birth_date_{part}")).to_be_visible()
    accept = page.locator("#id_seal_scan").get_attribute("accept").split(",")
    # image/* offers the camera on phones; PDF for a scanner's output. No "capture", which
    # would force the camera and hide files already on the phone.
    assert "image/*" in accept and "application/pdf" in accept
    assert page.locator("#id_seal_scan").get_attribute("capture") is None
    for name in ("unit_profile_file", "drafter_resume_file"):
        accept = page.locator(f"#id_{name}").get_attribute("accept").split(",")
        assert {"image/jpeg", "image/png", "application/pdf", ".docx"} <= set(accept)
