"""Issue 20 item 5 on a 375 px phone: a big file is refused before the address is confirmed
(typed text kept), the draft saves, "请查收确认邮件", the link from the mail opens the private
page with its reference, and the big file is then accepted."""

import random
from pathlib import Path

import pytest
from django.conf import settings
from PIL import Image
from playwright.sync_api import expect

from applications.models import Application
from outbox.models import OutgoingMail

from .conftest import DESKTOP, PHONE, screenshot
from .helpers import (
    CHECK_MAIL_URL,
    DRAFT,
    PRIVATE_URL,
    applicant_values,
    assert_no_sideways_scroll,
    fill_form,
    open_confirmation_link,
)

pytestmark = pytest.mark.browser


def big_png(path: Path, megabytes: float) -> Path:
    """A real PNG of about ``megabytes`` (random pixels do not compress)."""
    side = int((megabytes * 1024 * 1024 / 3) ** 0.5)
    pixels = random.Random(5).randbytes(side * side * 3)
    Image.frombytes("RGB", (side, side), pixels).save(path, format="PNG", compress_level=1)
    return path


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_a_new_applicant_confirms_the_address_then_uploads_a_big_file(
    transactional_db, call, open_page, tmp_path, size
):
    big = big_png(tmp_path / "单位简介扫描.png", 6)
    assert big.stat().st_size > settings.UNCONFIRMED_DRAFT_MAX_BYTES
    values = applicant_values(31)
    page = open_page("/calls/cqo-2021/apply/", **(PHONE if size == "phone" else DESKTOP))
    fill_form(page, values, {"unit_profile_file": big}, typing=False)

    # Before the address is confirmed, the big file is refused next to its field.
    page.locator(DRAFT).click()
    field = page.locator("#div_id_unit_profile_file")
    expect(field).to_contain_text("确认邮箱后即可上传较大的附件", timeout=30_000)
    expect(page.locator("#id_unit_name")).to_have_value(values["unit_name"])
    assert not Application.objects.exists()
    field.scroll_into_view_if_needed()
    assert_no_sideways_scroll(page)
    screenshot(page, f"confirm-1-big-file-refused-{size}")

    # Saved without it: "check your mail", and nothing of the draft in the mail.
    page.locator(DRAFT).click()
    expect(page).to_have_url(CHECK_MAIL_URL)
    expect(page.locator("h1")).to_have_text("请查收确认邮件")
    expect(page.locator("main")).to_contain_text(values["contact_email"])
    assert_no_sideways_scroll(page)
    screenshot(page, f"confirm-2-check-mail-{size}")
    [mail] = OutgoingMail.objects.all()
    assert values["unit_name"] not in mail.text + mail.html + mail.subject

    # The link in the mail: the private page, with the reference given now.
    open_confirmation_link(page)
    expect(page).to_have_url(PRIVATE_URL)
    expect(page.locator(".reference")).to_have_text("CQO-2021-0001")
    expect(page.locator(".alert-success").first).to_contain_text("邮箱已确认")
    expect(page.locator(".fresh-link")).to_be_visible()
    assert_no_sideways_scroll(page)
    screenshot(page, f"confirm-3-private-page-{size}")

    # Now the big file goes in.
    page.get_by_role("link", name="继续填写 / 提交").click()
    page.locator("#id_unit_profile_file").set_input_files(str(big))
    page.locator(DRAFT).click()
    expect(page).to_have_url(PRIVATE_URL, timeout=30_000)
    expect(page.locator("a[href*='/files/unit_profile_file/']")).to_contain_text(big.name)
    assert_no_sideways_scroll(page)
    screenshot(page, f"confirm-4-big-file-uploaded-{size}")
    application = Application.objects.get()
    assert application.unit_profile_file.size == big.stat().st_size
