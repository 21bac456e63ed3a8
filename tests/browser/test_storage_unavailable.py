"""The file storage does not answer while an applicant submits: a clear message next to each
file field, everything typed kept, nothing saved; on a phone and on a desktop."""

import pytest
from playwright.sync_api import expect

from applications.models import Application, PendingUpload
from chiefquality.storage_url import storage_from_url
from tests.seaweed import free_ports

from .conftest import DESKTOP, PHONE, screenshot
from .helpers import SUBMIT, applicant_values, fill_form, write_files

pytestmark = pytest.mark.browser

MESSAGE = (
    "文件暂时无法保存（文件存储服务没有响应），请稍后重新选择该文件并提交。已填写的内容已保留。"
)


@pytest.mark.parametrize("device", ["phone", "desktop"])
def test_an_unreachable_bucket_keeps_the_form_and_asks_to_retry(
    transactional_db, call, open_page, settings, tmp_path, device
):
    (port,) = free_ports(1)
    settings.STORAGES = {
        **settings.STORAGES,
        "private": storage_from_url(f"s3+http://key:secret@127.0.0.1:{port}/portal"),
    }
    page = open_page("/apply/", **(PHONE if device == "phone" else DESKTOP))
    values = applicant_values(21)
    fill_form(page, values, write_files(tmp_path), typing=False)
    page.locator(SUBMIT).click()

    for field in ("seal_scan", "unit_profile_file"):
        expect(page.locator(f"#id_{field}")).to_have_attribute("aria-invalid", "true")
        expect(page.locator(f"#id_{field}").locator("xpath=..")).to_contain_text(MESSAGE)
    expect(page.locator("#error-summary")).to_contain_text("已填写的内容已保留，文件需要重新选择。")
    expect(page.locator("#id_unit_name")).to_have_value(values["unit_name"])
    expect(page.locator("#id_drafter_name")).to_have_value(values["drafter_name"])
    screenshot(page, f"storage-unavailable-{device}")
    assert Application.objects.count() == 0
    assert PendingUpload.objects.count() == 0
