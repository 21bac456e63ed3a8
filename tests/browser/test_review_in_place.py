"""Issue 19, items 13 and 14 in a real browser: an organiser reads the attachments and
reviews on the application page."""

import pytest
from playwright.sync_api import expect

from tests.factories import create_application, pdf_file, reviewer_for, seal_file

from .conftest import DESKTOP, PHONE, screenshot
from .test_organiser_flow import log_in

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
