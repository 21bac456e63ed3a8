"""Issue 16 as an organiser tries it: a reviewer declares a conflict and scores with the
rubric; a selector proposes the list by score (30 places: the 31st is refused), previews the
mails, releases, and the outbox holds the 30 selection mails."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from playwright.sync_api import expect

from applications import services
from applications.models import Application, Conflict
from tests.factories import create_application, recommend, reviewer_for, selector
from tests.jobs import run_jobs

from .conftest import DESKTOP, screenshot
from .test_organiser_flow import log_in
from .test_rubric import score_rubric

pytestmark = pytest.mark.browser


def test_conflict_rubric_thirty_places_and_the_release(
    transactional_db, call, open_page, mailoutbox
):
    assert call.max_selected == 30
    bodies = list(call.organising_bodies.all())
    # 32 applications, each recommended by the two other bodies, scores 60…91.
    applications = []
    for number in range(1, 33):
        application, _ = create_application(call, number)
        recommend(application, bodies[1:], score=59 + number)
        applications.append(application)
    conflicted, scored = applications[0], applications[1]
    reviewer = reviewer_for(bodies[0], "reviewer")
    page = open_page(None, **DESKTOP)
    log_in(page, reviewer.username)

    # 1. The reviewer's body is related to the first unit: it declares the conflict.
    page.goto(f"/admin/applications/application/{conflicted.pk}/change/")
    panel = page.locator("#conflicts")
    panel.scroll_into_view_if_needed()
    panel.get_by_text("申报回避（深圳大学）").click()
    panel.get_by_label("本单位（整个评审单位回避）").check()
    page.fill("#id_conflict_reason", "该单位为深圳大学下属研究院")
    panel.get_by_role("button", name="记录回避").click()
    expect(page.locator(".messagelist")).to_contain_text("已记录深圳大学")
    assert Conflict.objects.filter(application=conflicted, body=bodies[0]).exists()
    expect(page.locator("#reviews")).to_contain_text("对本申报须回避")

    # 2. It scores the second unit with the rubric.
    page.goto(f"/admin/applications/application/{scored.pk}/change/#review")
    score_rubric(page, call, 95)
    page.locator("#review").get_by_label("推荐", exact=True).check()
    page.locator("#review").get_by_role("button", name="保存评审意见", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("已保存深圳大学对")
    table = page.locator(".rubric-table")
    expect(table.locator("tfoot")).to_contain_text("95")
    page.locator("#reviews").scroll_into_view_if_needed()
    screenshot(page, "story-application-rubric-side-by-side")

    # 3. The selector proposes the list by score: 30 pending selections, the best first.
    boss = selector("boss")
    page = open_page(None, **DESKTOP)
    log_in(page, boss.username)
    page.goto(f"/admin/applications/application/selected/{call.pk}/")
    page.get_by_role("button", name="按评分拟定名单").click()
    pending = Application.objects.filter(call=call, pending_decision="select")
    assert pending.count() == 30
    left_out = Application.objects.filter(call=call, pending_decision="").order_by("pk")
    # The two lowest weighted means are left out: the first unit (60, its conflicted body
    # not counted) and the third (62); the second rose to (61 + 61 + 95) / 3 with the rubric.
    assert [a.pk for a in left_out] == [applications[0].pk, applications[2].pk]
    expect(page.locator(".counter-selected")).to_contain_text("30 / 30")

    # 4. A 31st selection is refused: the decision page says the list is full.
    other = left_out.first()
    page.goto(f"/admin/applications/application/{other.pk}/decide/select/")
    expect(page.locator(".errornote")).to_contain_text("达到上限 30 家，不能再入选")
    expect(page.locator("input[type=submit].default")).to_have_count(0)
    # A page opened before the list filled up posts anyway: the service refuses it.
    with pytest.raises(ValidationError):
        services.decide(application=other, decision="select", actor=boss)
    assert Application.objects.filter(call=call, pending_decision="select").count() == 30

    # 5. Release: the page counts the mails and previews one; nothing is sent before.
    run_jobs()
    mail.outbox.clear()
    page.goto(f"/admin/applications/application/release/{call.pk}/")
    expect(page.locator(".release-page")).to_contain_text("30 封")
    expect(page.locator(".mail-preview").first).to_contain_text("入选")
    screenshot(page, "story-release-preview")
    run_jobs()
    assert [m for m in mail.outbox if "已入选" in m.subject] == []
    page.get_by_role("button", name="确认发布").click()
    run_jobs()
    selected_mails = [m for m in mail.outbox if "已入选" in m.subject]
    assert len(selected_mails) == 30
    assert len({tuple(m.to) for m in selected_mails}) == 30
