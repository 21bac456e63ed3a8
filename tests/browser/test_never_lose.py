"""Issue 19 in a real browser: never lose what was typed (items 1 and 2), limits that
agree (5, 6) and one progress percentage (8)."""

import datetime as dt
import random

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from applications import services
from applications.models import Application

from .conftest import DESKTOP, PHONE, artifact_path
from .helpers import (
    CHECK_MAIL_URL,
    DRAFT,
    SUBMIT,
    applicant_values,
    fill_form,
    write_files,
)

pytestmark = pytest.mark.browser

APPLY = "/calls/cqo-2021/apply/"


def test_answers_survive_the_language_switch(transactional_db, call, open_page):
    page = open_page(APPLY, **PHONE)
    page.locator("#id_unit_name").fill("北京某某质量科技有限公司")
    page.locator("input[name=standards]").nth(1).check()
    page.locator("#id_unit_profile").fill("第一段\n\u3000\u3000缩进的第二段")
    page.locator("input[name=drafter_gender]").first.check()
    page.locator(".language-switch button").tap()

    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#id_unit_name")).to_have_value("北京某某质量科技有限公司")
    expect(page.locator("input[name=standards]").nth(1)).to_be_checked()
    expect(page.locator("input[name=standards]").nth(0)).not_to_be_checked()
    expect(page.locator("#id_unit_profile")).to_have_value("第一段\n\u3000\u3000缩进的第二段")
    expect(page.locator("input[name=drafter_gender]").first).to_be_checked()
    expect(page.locator(".kept-answers")).to_contain_text("before switching language")
    page.screenshot(path=str(artifact_path("language-switch-kept-phone")))

    # Back to Chinese: still there.
    page.locator(".language-switch button").tap()
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.locator("#id_unit_name")).to_have_value("北京某某质量科技有限公司")


def test_leaving_a_form_with_unsaved_changes_asks_first(transactional_db, call, open_page):
    page = open_page(APPLY, **DESKTOP)
    asked = []

    def answer(dialog):
        asked.append(dialog.type)
        dialog.dismiss()  # stay on the page

    page.on("dialog", answer)
    page.locator("#id_unit_name").fill("北京某某质量科技有限公司")
    page.locator(".site-nav").get_by_role("link", name="全部征集").click(no_wait_after=True)
    page.wait_for_timeout(500)
    assert asked == ["beforeunload"]
    expect(page.locator("#id_unit_name")).to_have_value("北京某某质量科技有限公司")

    # Saving is not leaving: a draft saves without a question.
    fill_form(page, applicant_values(3), {}, typing=False)
    page.locator(DRAFT).click()
    expect(page).to_have_url(CHECK_MAIL_URL)
    assert asked == ["beforeunload"]


def test_a_rate_limited_upload_is_answered_above_the_kept_form(
    transactional_db, call, open_page, tmp_path, settings
):
    values = applicant_values(21)
    page = open_page(APPLY, **PHONE)
    fill_form(page, values, write_files(tmp_path), typing=False)
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "form_post": "0/d"}
    page.locator(SUBMIT).tap()

    problem = page.locator("#post-problem")
    expect(problem).to_contain_text("操作过于频繁")
    expect(problem).to_contain_text("仍在下方表单中")
    expect(problem).to_be_focused()
    expect(page).to_have_url(f"{page.url.split('/calls/')[0]}{APPLY}")
    expect(page.locator("#id_unit_name")).to_have_value(values["unit_name"])
    assert page.locator("#id_seal_scan").evaluate("input => input.files.length") == 1
    expect(page.locator(SUBMIT)).to_be_enabled()
    assert Application.objects.count() == 0

    # The limit passes: the same button sends the same form, files included.
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "form_post": "30/d"}
    page.locator(SUBMIT).tap()
    expect(page).to_have_url(CHECK_MAIL_URL)
    assert Application.objects.get().seal_scan


def test_an_upload_after_the_deadline_keeps_the_form_and_names_the_contacts(
    transactional_db, call, open_page, tmp_path
):
    values = applicant_values(22)
    page = open_page(APPLY, **DESKTOP)
    fill_form(page, values, write_files(tmp_path), typing=False)
    call.deadline = timezone.now() - dt.timedelta(seconds=1)
    call.opens_at = call.deadline - dt.timedelta(days=30)
    call.save()
    page.locator(SUBMIT).click()

    problem = page.locator("#post-problem")
    expect(problem).to_contain_text("本次征集已截止")
    expect(problem).to_contain_text(call.organising_bodies.first().contact_person)
    expect(page.locator("#id_unit_name")).to_have_value(values["unit_name"])
    expect(page.locator("#id_drafter_resume")).to_have_value(values["drafter_resume"])
    assert Application.objects.count() == 0


def test_the_long_texts_count_characters_and_never_cut_a_paste(transactional_db, call, open_page):
    page = open_page(APPLY, **DESKTOP)
    profile = page.locator("#id_unit_profile")
    count = page.locator("#id_unit_profile_count")
    expect(count).to_have_text("还可输入 5000 字")
    too_long = ("质量" * 50 + "\n") * 50  # 5,050 characters, 50 of them line breaks
    profile.fill(too_long)
    expect(profile).to_have_value(too_long)  # nothing cut
    expect(count).to_have_text("超出 50 字，请删减；更多内容可另附文件")
    expect(count).to_have_class("form-text char-count char-count-over")

    exactly = ("𠮷量" * 49 + "\n") * 50  # 5,000 characters as Python counts them
    assert len(exactly) == 4950 and len(exactly + "质" * 50) == 5000
    exactly += "质" * 50
    profile.fill(exactly)
    expect(count).to_have_text("还可输入 0 字")
    fill_form(page, applicant_values(5), {}, typing=False)
    profile.fill(exactly)
    page.locator(DRAFT).click()
    expect(page).to_have_url(CHECK_MAIL_URL)
    assert Application.objects.get().unit_profile == exactly


def test_a_file_too_large_or_of_the_wrong_type_is_refused_when_chosen(
    transactional_db, call, open_page, tmp_path
):
    page = open_page(APPLY, **PHONE)
    posts = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    big = tmp_path / "手机照片.jpg"
    with big.open("wb") as out:
        out.truncate(25 * 1024 * 1024)
    seal = page.locator("#id_seal_scan")
    seal.set_input_files(big)
    check = page.locator("#id_seal_scan_check")
    expect(check).to_be_visible()
    expect(check).to_contain_text("手机照片.jpg")
    expect(check).to_contain_text("25.0 MB，超过了 20.0 MB 的上限，未发送")
    assert seal.evaluate("input => input.files.length") == 0

    text = tmp_path / "申报表.txt"
    text.write_text("不是扫描件")
    seal.set_input_files(text)
    expect(check).to_contain_text("不是此处接受的格式")
    expect(check).to_contain_text("PDF 文档")
    assert seal.evaluate("input => input.files.length") == 0

    good = write_files(tmp_path)["seal_scan"]
    seal.set_input_files(good)
    expect(check).to_be_hidden()
    assert seal.evaluate("input => input.files.length") == 1
    assert posts == []


ONE_PERCENTAGE_RECORDER = """() => {
  window.percentagesShown = [];
  const box = document.querySelector(".upload-progress");
  new MutationObserver(() => {
    const shown = box.cloneNode(true);
    shown.querySelectorAll(".visually-hidden").forEach((node) => node.remove());
    window.percentagesShown.push((shown.textContent.match(/\\d+%/g) || []).length);
  }).observe(box, {subtree: true, childList: true, characterData: true});
}"""


def test_the_upload_progress_shows_one_percentage(transactional_db, call, open_page, tmp_path):
    seal = tmp_path / "盖章申报表照片.png"
    Image.frombytes("RGB", (1000, 1000), random.Random(3).randbytes(3_000_000)).save(
        seal, format="PNG", compress_level=1
    )
    page = open_page(APPLY, **PHONE)
    fill_form(page, applicant_values(23), {"seal_scan": seal}, typing=False)
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 40, "downloadThroughput": -1, "uploadThroughput": 1_000_000},
    )
    page.evaluate(ONE_PERCENTAGE_RECORDER)
    page.locator(SUBMIT).tap()
    expect(page).to_have_url(CHECK_MAIL_URL, timeout=30_000)
    shown = page.evaluate("window.percentagesShown")
    assert 1 in shown, shown
    assert max(shown) == 1, shown


def test_a_real_server_error_is_answered_above_the_kept_form(
    transactional_db, call, open_page, tmp_path, monkeypatch
):
    """Not a refusal the view writes, but an exception escaping it: Django's own 500 page,
    from the live server, goes above the form, which keeps the answers and the files."""
    values = applicant_values(23)
    page = open_page(APPLY, **PHONE)
    fill_form(page, values, write_files(tmp_path), typing=False)
    create = services.application_create

    def broken(**kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(services, "application_create", broken)
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.locator(SUBMIT).tap()
    assert answer.value.status == 500

    problem = page.locator("#post-problem")
    expect(problem).to_contain_text("服务器暂时出错")
    expect(problem).to_contain_text("仍在下方表单中")
    expect(problem).to_contain_text("HTTP 500")
    expect(problem).to_be_focused()
    problem.screenshot(path=str(artifact_path("server-error-in-place-phone")))
    expect(page.locator("#id_unit_name")).to_have_value(values["unit_name"])
    expect(page.locator("#id_drafter_resume")).to_have_value(values["drafter_resume"])
    assert page.locator("#id_seal_scan").evaluate("input => input.files.length") == 1
    expect(page.locator(SUBMIT)).to_be_enabled()
    assert Application.objects.count() == 0

    # Mended: the same button sends the same form, files included.
    monkeypatch.setattr(services, "application_create", create)
    page.locator(SUBMIT).tap()
    expect(page).to_have_url(CHECK_MAIL_URL)
    assert Application.objects.get().seal_scan
