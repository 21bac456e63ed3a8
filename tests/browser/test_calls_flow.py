"""A call manager makes the next call from the last one, as a new user would: "复制为新征集",
new texts, standards and body, two questions, "发布"; then an applicant applies to it on a
phone, and nothing the applicant sees, prints or receives names the first call."""

import re

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from applications.models import Application, OrganisingBody
from applications.roles import CALL_MANAGER_GROUP
from tests.factories import UserFactory
from tests.factories.documents import page_texts, pdf_page_png
from tests.jobs import run_jobs

from .conftest import DESKTOP, PHONE, artifact_path, screenshot
from .helpers import (
    SUBMIT,
    applicant_values,
    assert_no_sideways_scroll,
    fill_form,
    open_confirmation_link,
    write_files,
)

pytestmark = pytest.mark.browser

OF_2021 = ("首席质量官", "Chief Quality Officer", "商贸促字〔2021〕163号", "CQO-2021", "深圳大学")
NOTICE = (
    "各有关单位：\n\n现公开征集**零售服务质量**系列团体标准起草单位。\n\n"
    "## 一、申报条件\n\n1. 零售企业"
)
STANDARDS = ["《零售服务质量 术语》", "《零售门店服务评价指南》", "《零售服务质量提升指南》"]


def log_in(page, username, password):
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    page.locator("input[type=submit]").click()


def test_a_manager_copies_the_call_adds_two_questions_publishes_and_a_phone_applies(
    transactional_db, call, open_page, live_server, tmp_path, mailoutbox
):
    manager = UserFactory(username="manager", is_staff=True)
    manager.groups.add(Group.objects.get(name=CALL_MANAGER_GROUP))
    OrganisingBody.objects.create(
        name="零售服务质量促进中心",
        short_name="零售中心",
        address="上海市黄浦区示范路 8 号",
        phone="021-61234567",
        email="retail@example.com",
        contact_person="周明",
    )
    page = open_page(f"/admin/applications/call/{call.pk}/change/", **DESKTOP)
    log_in(page, "manager", "correct horse battery staple")
    page.get_by_role("button", name="复制为新征集").click()
    expect(page.locator(".messagelist")).to_contain_text("已从 cqo-2021 复制为新征集草稿")

    page.locator("#id_code").fill("rsq-2027")
    page.locator("#id_title").fill("关于公开征集零售服务质量系列团体标准起草单位的通知")
    page.locator("#id_series").fill("零售服务质量系列团体标准")
    page.locator("#id_series_en").fill("retail service quality group standards")
    page.locator("#id_document_number").fill("商促字〔2027〕3号")
    page.locator("#id_issuer").fill("零售服务质量促进中心")
    page.locator("#id_notice").fill(NOTICE)
    # the live preview shows the Markdown as the public page will
    expect(page.locator(".notice-preview-body strong")).to_have_text("零售服务质量")
    for i, title in enumerate(STANDARDS):
        page.locator(f"#id_standards-{i}-title").fill(title)
        page.locator(f"#id_standards-{i}-plan_number").fill(f"RSQ-2027-{i + 1:02d}")
    page.locator("#id_organising_bodies_remove_all").click()
    page.locator("#id_organising_bodies_from").select_option(label="零售服务质量促进中心")
    page.locator("#id_organising_bodies_add").click()
    adder = page.locator("#questions-group .add-row a")
    adder.click()
    adder.click()
    page.locator("#id_questions-0-kind").select_option("single_choice")
    page.locator("#id_questions-0-label").fill("门店数量")
    page.locator("#id_questions-0-options").fill("10 家以下\n10–100 家\n100 家以上")
    page.locator("#id_questions-0-required").check()
    page.locator("#id_questions-0-after_section").select_option("unit")
    page.locator("#id_questions-1-kind").select_option("short_text")
    page.locator("#id_questions-1-label").fill("年营业收入区间（万元）")
    page.locator("input[name=_continue]").click()
    expect(page.locator(".messagelist")).to_contain_text("成功")
    page.get_by_role("button", name="发布").click()
    expect(page.locator(".messagelist")).to_contain_text("征集 rsq-2027 已发布")
    screenshot(page, "calls-admin-published")

    phone = open_page("/", **PHONE)
    expect(phone.locator(".call-card")).to_have_count(2)
    assert_no_sideways_scroll(phone)
    phone.screenshot(path=str(artifact_path("calls-home-phone")), full_page=True)
    phone.locator(".call-card", has_text="零售服务质量").get_by_role(
        "link", name="在线申报"
    ).click()
    expect(phone).to_have_url(f"{live_server.url}/calls/rsq-2027/apply/")
    expect(phone.locator("h1")).to_have_text("零售服务质量系列团体标准起草单位申报表")
    values = applicant_values(2027)
    values.update(
        main_business="零售连锁经营",
        unit_profile="本单位经营连锁门店两百家。",
        drafter_position="服务质量部经理",
    )
    fill_form(phone, values, write_files(tmp_path), typing=False)
    phone.locator("input[type=radio][value='100 家以上']").check()
    phone.get_by_label("年营业收入区间（万元）").fill("5000–10000")
    assert_no_sideways_scroll(phone)
    phone.screenshot(path=str(artifact_path("calls-form-phone")), full_page=True)
    form_html = phone.content()
    phone.locator(SUBMIT).click()
    open_confirmation_link(phone)
    expect(phone).to_have_url(re.compile(r"/a/RSQ-2027-0001/[^/]+/$"))
    expect(phone.locator("body")).to_contain_text("门店数量")
    private_html = phone.content()

    application = Application.objects.get(reference="RSQ-2027-0001")
    assert sorted(application.extra_answers.values()) == ["100 家以上", "5000–10000"]
    # WeasyPrint renders it in the live server: up to 60 s on a loaded machine.
    pdf = phone.request.get(f"{phone.url}form.pdf", timeout=60_000).body()
    pdf_page_png(pdf, 1, dpi=80, keep_as="calls-form-pdf-page1.png")
    pdf_page_png(pdf, 2, dpi=80, keep_as="calls-form-pdf-page2.png")
    pdf_text = "".join(page_texts(pdf))
    assert "附加信息" in pdf_text and "100家以上" in pdf_text
    run_jobs()  # the worker sends what the outbox holds
    mails = "\n".join(f"{m.subject}\n{m.body}" for m in mailoutbox)
    assert "零售服务质量系列团体标准起草工作组" in mails
    for name, text in (
        ("form", form_html),
        ("private page", private_html),
        ("PDF", pdf_text),
        ("e-mails", mails),
    ):
        assert [s for s in OF_2021 if s in text] == [], name
