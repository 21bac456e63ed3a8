"""One organiser round in a real browser: a reviewer records a verdict, a selector selects,
and the applicant's private page shows the decision."""

import pytest
from django.core import mail
from playwright.sync_api import expect

from applications.models import Application, Review
from tests.factories import create_application, recommend, reviewer_for, rubric_scores, selector
from tests.jobs import run_jobs

from .conftest import DESKTOP, screenshot

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery staple"  # tests/factories.UserFactory


def log_in(page, username):
    page.goto("/admin/login/?next=/admin/applications/application/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    expect(page.locator("#result_list")).to_be_visible()


def test_review_select_and_the_applicant_sees_it(transactional_db, call, open_page, mailoutbox):
    bodies = list(call.organising_bodies.all())
    application, token = create_application(call, 1)
    create_application(call, 2)
    recommend(application, bodies[1:2], score=80)  # 中国质量报刊社 has already recommended
    reviewer = reviewer_for(bodies[0], "szu-reviewer")
    selector("chief")

    # The reviewer of 深圳大学 opens the application and records 推荐, 92.
    page = open_page(None, **DESKTOP)
    log_in(page, reviewer.username)
    page.get_by_role("link", name=application.reference).click()
    expect(page.locator("#reviews")).to_contain_text("推荐 1 家，会签需要 2 家")
    page.get_by_label("推荐", exact=True).check()
    for pk, value in rubric_scores(call, 92).items():
        page.select_option(f"#id_review_criterion_{pk}", str(value))
    page.fill("#id_review_comment", "质量管理实践扎实。")
    page.get_by_role("button", name="保存评审意见").click()
    expect(page.locator(".messagelist")).to_contain_text("已保存深圳大学对")
    expect(page.locator("#reviews")).to_contain_text("已达会签要求")
    expect(page.locator("#reviews")).to_contain_text("92 分")
    expect(page.get_by_role("link", name="入选")).to_have_count(0)  # reviewers do not decide
    screenshot(page, "admin-application-reviewed")

    # The selector ticks it in the change list and runs the action.
    page = open_page(None, **DESKTOP)
    log_in(page, "chief")
    expect(page.locator(".call-counters")).to_contain_text("已入选 0 / 30")
    row = page.locator("#result_list tr", has_text=application.reference)
    expect(row).to_contain_text("86.0")  # (80 + 92) / 2
    row.locator("input.action-select").check()
    page.select_option("select[name=action]", "select_applications")
    page.click("button[name=index]")
    # The confirmation page says what will happen, to whom, before anything does.
    expect(page.locator(".bulk-confirm")).to_contain_text("确认后 1 家将记为“拟入选”")
    expect(page.locator(".bulk-rows")).to_contain_text(application.reference)
    page.get_by_role("button", name="确认：1 家记为“拟入选”").click()
    expect(page.locator(".messagelist")).to_have_text("已拟入选（待发布） 1 家。")
    expect(page.locator(".call-counters")).to_contain_text("已入选 1 / 30")
    expect(page.locator(".call-counters")).to_contain_text("含拟入选 1")
    screenshot(page, "admin-change-list-selected")

    # Before the release the applicant sees nothing.
    applicant = open_page(f"/a/{application.reference}/{token}/", **DESKTOP)
    expect(applicant.locator(".status-badge")).to_have_text("已提交")
    run_jobs()
    assert not [m for m in mail.outbox if "入选" in m.subject]

    # The selector previews the mail and releases.
    page.get_by_role("link", name="待发布的决定 1 →").click()
    expect(page.locator(".release-page")).to_contain_text("共 1 项待发布的决定")
    expect(page.locator(".mail-preview")).to_contain_text("贵单位已入选团体标准起草单位")
    screenshot(page, "admin-release-preview")
    page.get_by_role("button", name="确认发布").click()
    expect(page.locator(".messagelist")).to_have_text(
        "已发布 1 项决定，1 封结果通知邮件已进入发送队列。"
    )
    page.get_by_role("link", name=application.reference).click()
    expect(page.locator("#timeline")).to_contain_text("拟定决定（待发布）")
    expect(page.locator("#timeline")).to_contain_text("已提交 → 已入选")
    screenshot(page, "admin-application-selected")

    # The applicant's private page and mailbox.
    page = open_page(f"/a/{application.reference}/{token}/", **DESKTOP)
    expect(page.locator(".status-badge")).to_have_text("已入选")
    application.refresh_from_db()
    assert application.status == "selected"
    assert Review.objects.get(application=application, body=bodies[0]).score == 92
    assert Application.objects.filter(status="selected").count() == 1
    assert mailoutbox is mail.outbox
    run_jobs()
    assert mail.outbox[-1].subject == f"[{application.reference}] 贵单位已入选团体标准起草单位"
