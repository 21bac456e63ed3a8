"""The applicant's path through the portal in a real browser (headless Chromium).

Desktop: the call page → the whole form typed in like a person, with one wrong credit code
→ the error page keeps everything (files included) → fix → submitted, private page, file
download, database and e-mails. Phone: no sideways scrolling, a minimal draft, the private
link box shown once. Double click: one click's worth of application. Upload: a progress bar
of real bytes on a slow phone connection, one POST; a lost connection keeps the form.
"""

import random
import re
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core import mail
from PIL import Image
from playwright.sync_api import expect

from applications import demo, enums
from applications.models import Application, AuditEntry
from tests.jobs import run_jobs

from .conftest import DESKTOP, PHONE, screenshot
from .helpers import (
    CALL_TITLE,
    CHECK_MAIL_URL,
    DRAFT,
    PRIVATE_URL,
    PROFILE_NAME,
    SEAL_NAME,
    SUBMIT,
    applicant_values,
    assert_no_sideways_scroll,
    fill_form,
    open_confirmation_link,
    type_into,
    write_files,
    wrong_check_char,
)

pytestmark = pytest.mark.browser

# --- tests ---------------------------------------------------------------------------------


def test_desktop_apply_with_one_mistake_then_submit(
    transactional_db, call, open_page, live_server, tmp_path, mailoutbox
):
    files = write_files(tmp_path)
    values = applicant_values(4242)
    good_code = demo.credit_code(4242)
    assert values["credit_code"] == good_code
    values["credit_code"] = wrong_check_char(good_code)

    page = open_page("/calls/cqo-2021/", **DESKTOP)
    expect(page.locator("h1")).to_have_text(CALL_TITLE)
    apply_link = page.locator(".call-header").get_by_role("link", name="在线申报")
    expect(apply_link).to_be_visible()
    screenshot(page, "flow-call-desktop")
    apply_link.click()
    expect(page).to_have_url(f"{live_server.url}/calls/cqo-2021/apply/")
    for section in (
        "一、标准名称",
        "二、单位信息",
        "三、推荐起草人",
        "四、承诺",
        "五、单位意见与盖章",
    ):
        expect(page.locator("legend", has_text=section)).to_be_visible()

    fill_form(page, values, files, typing=True)
    page.locator(SUBMIT).click()

    # The form comes back with one error, on the credit code, and keeps everything else.
    expect(page).to_have_url(f"{live_server.url}/calls/cqo-2021/apply/")
    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("有 1 处需要修改")
    expect(summary).to_contain_text("校验码")
    expect(page.locator("#id_credit_code")).to_have_class(re.compile(r"\bis-invalid\b"))
    expect(page.locator("#div_id_credit_code")).to_contain_text("校验码")
    expect(page.locator("#id_credit_code")).to_have_value(values["credit_code"])
    for name in ("unit_name", "drafter_name", "contact_email", "drafter_mobile"):
        expect(page.locator(f"#id_{name}")).to_have_value(values[name])
    expect(page.locator("#id_unit_profile")).to_have_value(values["unit_profile"])
    expect(page.locator(f"input[name=unit_type][value='{values['unit_type']}']")).to_be_checked()
    expect(
        page.locator(f"input[name=drafter_gender][value='{values['drafter_gender']}']")
    ).to_be_checked()
    expect(
        page.locator(
            "input[name=can_provide_funding][value='" + values["can_provide_funding"] + "']"
        )
    ).to_be_checked()
    expect(page.locator("#id_industry")).to_have_value(values["industry"])
    year, month, day = (str(int(part)) for part in values["drafter_birth_date"].split("-"))
    expect(page.locator("#id_drafter_birth_date_year")).to_have_value(year)
    expect(page.locator("#id_drafter_birth_date_month")).to_have_value(month)
    expect(page.locator("#id_drafter_birth_date_day")).to_have_value(day)
    expect(page.locator("input[name=standards]:checked")).to_have_count(2)
    expect(page.locator("#id_privacy_consent")).to_be_checked()
    for name, path in files.items():
        kept = page.locator(f"#id_{name}_current")
        expect(kept).to_contain_text("已上传")
        expect(kept).to_contain_text(path.name)
        expect(page.locator(f"input[type=hidden][name={name}_pending]")).to_have_value(
            re.compile(".+")
        )
        # Nothing is picked again: the file input itself is empty.
        assert page.locator(f"#id_{name}").evaluate("el => el.files.length") == 0
    screenshot(page, "flow-apply-errors-desktop")
    assert Application.objects.count() == 0
    assert mailoutbox == []

    # Correct the credit code only, and submit again.
    type_into(page.locator("#id_credit_code"), good_code, replace=True)
    page.locator(SUBMIT).click()

    open_confirmation_link(page)
    expect(page).to_have_url(PRIVATE_URL)
    application = Application.objects.get()
    reference = application.reference
    assert re.fullmatch(r"CQO-2021-\d{4}", reference)
    assert f"/a/{reference}/" in page.url
    expect(page.locator(".reference")).to_have_text(reference)
    expect(page.locator(".status-badge")).to_have_text("已提交")
    fresh = page.locator(".fresh-link")
    expect(fresh).to_be_visible()
    expect(fresh).to_contain_text("请保存您的专属链接")
    expect(page.locator("#private-link")).to_have_value(page.url)
    expect(page.locator("h1")).to_have_text(values["unit_name"])
    expect(page.locator("main")).to_contain_text(values["drafter_name"])
    expect(page.locator("main")).to_contain_text(good_code)
    screenshot(page, "flow-private-submitted-desktop")

    # The seal scan comes back byte for byte, as an attachment.
    seal_link = page.locator("a[href$='/files/seal_scan/']")
    expect(seal_link).to_contain_text(SEAL_NAME)
    expect(page.locator("a[href*='/files/unit_profile_file/']")).to_contain_text(PROFILE_NAME)
    response = page.request.get(live_server.url + seal_link.get_attribute("href"))
    assert response.status == 200
    assert response.body() == files["seal_scan"].read_bytes()
    disposition = response.headers["content-disposition"]
    assert disposition.startswith("attachment")
    assert quote(SEAL_NAME) in disposition
    assert response.headers["x-content-type-options"] == "nosniff"

    # The database and the mails.
    application.refresh_from_db()
    assert application.status == enums.Status.SUBMITTED
    assert application.credit_code == good_code
    assert application.seal_scan_name == SEAL_NAME
    assert application.unit_profile_file_name == PROFILE_NAME
    assert application.standards.count() == 2
    actions = AuditEntry.objects.filter(application=application).values_list("action", flat=True)
    assert sorted(actions) == [
        "application.create",
        "application.email_confirm",
        "application.submit",
    ]
    # locmem mail backend: the live server thread appends to the same django.core.mail.outbox.
    assert mailoutbox is mail.outbox
    run_jobs()
    assert [m.to for m in mailoutbox] == [[values["contact_email"]]] * 3
    confirmation = mailoutbox.pop(0)  # sent first: the link that confirmed the address
    assert values["unit_name"] not in confirmation.body and reference not in confirmation.body
    subjects = [m.subject for m in mailoutbox]
    assert subjects == [f"[{reference}] 申报已保存：您的专属链接", f"[{reference}] 申报已提交"]
    assert all(reference in m.body and page.url.split("/a/")[1] in m.body for m in mailoutbox)


def test_phone_draft_without_sideways_scrolling(transactional_db, call, open_page, live_server):
    page = open_page("/calls/cqo-2021/", **PHONE)
    expect(page.locator("h1")).to_have_text(CALL_TITLE)
    assert_no_sideways_scroll(page)
    screenshot(page, "flow-call-phone")

    page.locator(".call-header").get_by_role("link", name="在线申报").tap()
    expect(page).to_have_url(f"{live_server.url}/calls/cqo-2021/apply/")
    assert_no_sideways_scroll(page)

    # An empty draft is refused: it needs the unit name and the contact e-mail.
    page.locator(DRAFT).tap()
    expect(page.locator("#error-summary")).to_contain_text("有 2 处需要修改")
    expect(page.locator("#div_id_unit_name")).to_contain_text("保存草稿至少需要填写此项")
    expect(page.locator("#div_id_contact_email")).to_contain_text("保存草稿至少需要填写此项")
    assert_no_sideways_scroll(page)
    screenshot(page, "flow-apply-errors-phone")

    type_into(page.locator("#id_unit_name"), "深圳质量技术示范单位", tap=True)
    type_into(page.locator("#id_contact_email"), "draft@example.com", tap=True)
    page.locator(DRAFT).tap()

    open_confirmation_link(page)
    expect(page).to_have_url(PRIVATE_URL)
    expect(page.locator(".status-badge")).to_have_text("草稿")
    expect(page.locator("h1")).to_have_text("深圳质量技术示范单位")
    expect(page.locator(".fresh-link")).to_be_visible()
    assert_no_sideways_scroll(page)
    screenshot(page, "flow-private-draft-phone")
    application = Application.objects.get()
    assert application.status == enums.Status.DRAFT
    assert application.contact_email == "draft@example.com"

    # The private link opened again (same browser, a new tab): no "save your link" box.
    again = page.context.new_page()
    again.goto(page.url)
    expect(again.locator(".status-badge")).to_have_text("草稿")
    expect(again.locator(".fresh-link")).to_have_count(0)
    assert_no_sideways_scroll(again)
    page.reload()
    expect(page.locator(".fresh-link")).to_have_count(0)


def test_double_click_submits_once(transactional_db, call, open_page, live_server, tmp_path):
    page = open_page("/calls/cqo-2021/apply/", **DESKTOP)
    fill_form(page, applicant_values(7), write_files(tmp_path), typing=False)
    posts = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)

    page.dblclick(SUBMIT)

    open_confirmation_link(page)
    expect(page).to_have_url(PRIVATE_URL)
    expect(page.locator(".status-badge")).to_have_text("已提交")
    page.wait_for_load_state("networkidle")
    assert Application.objects.count() == 1
    assert Application.objects.get().status == enums.Status.SUBMITTED
    assert posts == [f"{live_server.url}/calls/cqo-2021/apply/"], posts


def noise_png(path: Path, width: int = 1200, height: int = 1100) -> Path:
    """A real PNG of about 4 MB (random pixels do not compress)."""

    Image.frombytes("RGB", (width, height), random.Random(8).randbytes(width * height * 3)).save(
        path, format="PNG", compress_level=1
    )
    return path


PROGRESS_RECORDER = """() => {
  window.progressSeen = [];
  const bar = document.querySelector(".upload-progress [role=progressbar]");
  new MutationObserver(() => window.progressSeen.push(Number(bar.getAttribute("aria-valuenow"))))
    .observe(bar, {attributes: true, attributeFilter: ["aria-valuenow"]});
}"""


def test_phone_upload_shows_real_progress_and_sends_once(
    transactional_db, call, open_page, live_server, tmp_path
):
    seal = noise_png(tmp_path / "盖章申报表照片.png")
    size = seal.stat().st_size
    assert size > 3_500_000
    page = open_page("/calls/cqo-2021/apply/", **PHONE)
    fill_form(page, applicant_values(11), {"seal_scan": seal}, typing=False)
    # A slow mobile uplink (about 1.5 MB/s), so the upload takes a few seconds.
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 40, "downloadThroughput": -1, "uploadThroughput": 1_500_000},
    )
    page.evaluate(PROGRESS_RECORDER)
    posts = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)

    submit = page.locator(SUBMIT)
    submit.tap()
    progress = page.locator(".upload-progress")
    expect(progress).to_be_visible()
    expect(page.locator(".upload-progress-status")).to_contain_text("正在发送文件")
    # While the bytes go out, the buttons are disabled: a second tap sends nothing.
    expect(submit).to_be_disabled()
    expect(page.locator(DRAFT)).to_be_disabled()
    submit.dispatch_event("click")

    expect(page).to_have_url(CHECK_MAIL_URL, timeout=30_000)
    expect(page.locator(".submit-pending")).to_be_visible()  # the page came from the same POST
    expect(page.locator(".submit-pending")).to_contain_text("请打开确认邮件中的链接完成提交")
    assert_no_sideways_scroll(page)
    screenshot(page, "flow-check-mail-submit-phone")
    seen = page.evaluate("window.progressSeen")
    assert seen[-1] == 100, seen
    partial = [value for value in seen if 0 < value < 100]
    assert len(partial) >= 3, seen
    assert seen == sorted(seen), seen
    assert posts == [f"{live_server.url}/calls/cqo-2021/apply/"], posts
    open_confirmation_link(page)
    expect(page).to_have_url(PRIVATE_URL)
    expect(page.locator(".status-badge")).to_have_text("已提交")
    application = Application.objects.get()
    assert application.status == enums.Status.SUBMITTED
    assert application.seal_scan.size == size


def test_a_lost_connection_keeps_the_form_and_frees_the_buttons(
    transactional_db, call, open_page, tmp_path
):
    values = applicant_values(12)
    page = open_page("/calls/cqo-2021/apply/", **PHONE)
    fill_form(page, values, write_files(tmp_path), typing=False)

    def drop_posts(route):
        if route.request.method == "POST":
            route.abort("internetdisconnected")
        else:
            route.continue_()

    page.route("**/calls/cqo-2021/apply/", drop_posts)
    page.locator(SUBMIT).tap()
    expect(page.locator(".upload-progress-status")).to_contain_text("网络中断")
    expect(page.locator(SUBMIT)).to_be_enabled()
    expect(page.locator("#id_unit_name")).to_have_value(values["unit_name"])
    assert Application.objects.count() == 0

    # The connection is back: the same button sends it, once.
    page.unroute("**/calls/cqo-2021/apply/")
    page.locator(SUBMIT).tap()
    open_confirmation_link(page)
    expect(page).to_have_url(PRIVATE_URL)
    expect(page.locator(".status-badge")).to_have_text("已提交")
    assert Application.objects.count() == 1
