"""The 公示 as a new user would try it: a selector publishes the list, a member of the public
objects from a phone, the selector upholds it, the next waitlisted unit moves up, the period
ends (the job, run with the clock moved past the end) and the list is final; the dashboard
tells the story."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from applications import tasks
from applications.enums import Status
from applications.models import Call, Objection
from tests.factories import application_in_status, selector
from tests.jobs import run_jobs

from .axe import axe_run, blocking, describe
from .conftest import DESKTOP, PHONE, screenshot
from .helpers import assert_no_sideways_scroll

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery staple"  # tests/factories.UserFactory


def log_in(page, username, next_url):
    page.goto(f"/admin/login/?next={next_url}")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")


def test_publish_object_uphold_promote_final_and_the_dashboard(
    transactional_db, call, open_page, mailoutbox
):
    call.required_recommendations = 0
    call.save(update_fields=["required_recommendations"])
    chief = selector("chief")
    listed = [application_in_status(call, Status.SELECTED, chief, number=n) for n in (1, 2, 3)]
    listed[2].drafter_name_public_consent = False
    listed[2].save(update_fields=["drafter_name_public_consent"])
    waiting = application_in_status(call, Status.WAITLISTED, chief, number=4)
    for n in (5, 6):
        application_in_status(call, Status.SUBMITTED, chief, number=n)
    application_in_status(call, Status.DRAFT, chief, number=7)

    # The selector opens the call's 公示 page: told of the drafter who did not consent.
    publicity = f"/admin/applications/objection/publicity/{call.pk}/"
    admin = open_page(None, **DESKTOP)
    log_in(admin, "chief", publicity)
    expect(admin.locator("#unnamed-warning")).to_contain_text(listed[2].unit_name)
    expect(admin.locator("#publish")).to_contain_text("公示期 5 个工作日")
    screenshot(admin, "publicity-admin-before")
    admin.get_by_role("button", name="确认发布公示").click()
    expect(admin.locator(".messagelist")).to_contain_text("名单已发布公示")
    call.refresh_from_db()
    assert call.publicity_ends is not None

    # A member of the public reads the list on a phone and objects to the second unit.
    phone = open_page(f"/calls/{call.code}/result/", **PHONE)
    expect(phone.locator("h1")).to_contain_text("入选名单公示")
    expect(phone.locator(".result-list").first).to_contain_text(listed[0].unit_name)
    expect(phone.locator("main")).to_contain_text("（起草人姓名未经同意公开）")
    expect(phone.locator("main")).not_to_contain_text(waiting.unit_name)
    assert_no_sideways_scroll(phone)
    screenshot(phone, "result-phone-during")
    found = axe_run(phone)
    assert not blocking(found), describe(found)
    phone.get_by_role("link", name="在线提出异议").click()
    phone.get_by_label("被提出异议的单位").select_option(label=listed[1].unit_name)
    phone.get_by_label("姓名").fill("匿名")
    phone.get_by_label("工作单位").fill("某市质量协会")
    phone.get_by_label("联系电话").fill("13912345678")
    phone.get_by_label("电子邮箱").fill("wang@example.org")
    phone.get_by_label("异议理由").fill("该单位近三年存在行政处罚记录，不符合“依法经营”的条件。")
    phone.get_by_role("button", name="提交异议").click()
    expect(phone.locator("#id_name").locator("xpath=..")).to_contain_text("匿名异议不予受理")
    assert_no_sideways_scroll(phone)
    screenshot(phone, "objection-phone-anonymous-refused")
    found = axe_run(phone)
    assert not blocking(found), describe(found)
    phone.get_by_label("姓名").fill("王建国")
    phone.get_by_role("button", name="提交异议").click()
    expect(phone.locator("#receipt")).to_have_text("YY-CQO-2021-001")
    screenshot(phone, "objection-phone-receipt")
    run_jobs()
    assert [m.to for m in mail.outbox if "YY-CQO-2021-001" in m.subject] == [["wang@example.org"]]

    # The selector upholds it: the unit is reopened, the waitlist's best moves up.
    admin.goto(publicity)
    admin.get_by_role("link", name="YY-CQO-2021-001").click()
    expect(admin.locator("#objection-unit")).to_contain_text(listed[1].unit_name)
    admin.get_by_label("成立", exact=True).check()
    admin.get_by_label("处理理由（将发给提出异议的人）").fill(
        "经核实，该单位确有处罚记录，异议成立。"
    )
    admin.get_by_label(
        "异议成立：撤销该单位的入选，并由候补名单第一名递补（拟入选，待发布）"
    ).check()
    screenshot(admin, "objection-answer-admin")
    admin.get_by_role("button", name="提交答复并发送邮件").click()
    expect(admin.locator(".messagelist")).to_contain_text(f"候补 {waiting.reference}")
    admin.goto(f"/admin/applications/application/release/{call.pk}/")
    admin.get_by_role("button", name="确认发布").click()
    expect(admin.locator(".messagelist")).to_contain_text("已发布 1 项决定")
    waiting.refresh_from_db()
    listed[1].refresh_from_db()
    assert (waiting.status, listed[1].status) == (Status.SELECTED, Status.SUBMITTED)
    phone.goto(f"/calls/{call.code}/result/")
    expect(phone.locator("main")).to_contain_text(waiting.unit_name)
    expect(phone.locator("main")).not_to_contain_text(listed[1].unit_name)

    # The period ends: the clock moves past its end and the scheduled job runs.
    Call.objects.filter(pk=call.pk).update(
        publicity_starts=timezone.now() - dt.timedelta(days=9),
        publicity_ends=timezone.now() - dt.timedelta(minutes=1),
    )
    tasks.close_publicity.enqueue()
    run_jobs()
    call.refresh_from_db()
    assert call.list_final_at is not None
    assert Objection.objects.get().verdict == "upheld"
    phone.goto(f"/calls/{call.code}/result/")
    expect(phone.locator("#period")).to_contain_text("名单已确定")
    expect(phone.locator("main")).not_to_contain_text("在线提出异议")
    assert_no_sideways_scroll(phone)
    screenshot(phone, "result-phone-final")
    desktop = open_page(f"/calls/{call.code}/result/", **DESKTOP)
    screenshot(desktop, "result-desktop-final")

    # The dashboard tells the story.
    admin.goto(f"/admin/applications/objection/dashboard/{call.pk}/")
    expect(admin.locator("#fig-selected")).to_have_text(f"3 / {call.max_selected}")
    expect(admin.locator("#fig-drafts")).to_have_text("1")
    expect(admin.locator("#fig-objections")).to_have_text("0")
    expect(admin.locator("#chart-status svg")).to_be_visible()
    screenshot(admin, "dashboard-desktop")
    small = open_page(None, **PHONE)
    log_in(small, "chief", f"/admin/applications/objection/dashboard/{call.pk}/")
    expect(small.locator("#chart-province")).to_be_visible()
    screenshot(small, "dashboard-phone")
