"""The 公示 as people see it: the public page (nothing private), the objection form, and
the selectors' pages in the admin."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from applications import services
from applications.enums import Status
from applications.models import CalendarDay, Objection
from tests.factories import pdf_upload, recommend, reviewer_for
from tests.factories.objections import file_objection
from tests.jobs import run_jobs

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(call, boss, listed):
    services.publicity_publish(call=call, actor=boss, now=timezone.now())
    call.refresh_from_db()
    return call


def result_url(call):
    return reverse("applications:result", args=[call.code])


def objection_url(call):
    return reverse("applications:objection", args=[call.code])


def test_no_result_page_before_the_list_is_published(client, call, listed):
    assert client.get(result_url(call)).status_code == 404


def test_the_public_page_shows_units_and_consenting_drafters_in_list_order(
    client, published, listed
):
    selected, waiting = listed
    html = client.get(result_url(published)).content.decode()
    positions = [html.index(a.unit_name) for a in selected]
    assert positions == sorted(positions)
    assert selected[0].drafter_name in html and selected[1].drafter_name in html
    assert selected[2].drafter_name not in html
    assert "（起草人姓名未经同意公开）" in html
    assert waiting.unit_name not in html  # the waitlist is not public
    assert "公示期：5 个工作日" in html
    assert "在线提出异议" in html
    assert f"共有 3 家单位入选{published.series}起草单位" in html


def test_the_public_page_shows_nothing_private(client, published, listed, call):
    selected, _waiting = listed
    recommend(selected[0], list(call.organising_bodies.all()), score=87)
    html = client.get(result_url(published)).content.decode()
    for application in selected:
        application.refresh_from_db()
        assert application.drafter_birth_date.isoformat() not in html
        assert application.drafter_birth_date.strftime("%Y年%-m月%-d日") not in html
        assert application.drafter_mobile not in html
        assert application.drafter_email not in html
        assert application.contact_email not in html
        assert application.credit_code not in html
        assert application.reference not in html
        assert application.drafter_title not in html  # titles only if the call says so
    assert not re.search(r"[\w.+-]+@[\w-]+\.[\w.]+", html)  # no e-mail address at all
    # The score nowhere, as text or in an attribute; ids and anchors carry database keys
    # (a standard's pk may well be 87), so they are left out of this one check.
    without_keys = re.sub(r'\s(?:id|href|aria-labelledby)="[^"]*"', "", html)
    assert not re.search(r"\b87\b", without_keys)
    assert "评分" not in html and "推荐" not in html


def test_titles_are_shown_when_the_call_says_so(client, published, listed):
    selected, _waiting = listed
    published.publish_drafter_titles = True
    published.save(update_fields=["publish_drafter_titles"])
    html = client.get(result_url(published)).content.decode()
    assert f"{selected[0].drafter_name}（{selected[0].drafter_title}）" in html


def form(application, **overrides):
    return {
        "application": str(application.pk),
        "name": "王建国",
        "organisation": "某市质量协会",
        "phone": "010-66094072",
        "email": "wang@example.org",
        "reason": "该单位不符合通知第一条的条件。",
        "website": "",
        **overrides,
    }


def test_an_objection_from_the_form_shows_its_receipt_and_mails_it(client, published, listed):
    selected, _waiting = listed
    data = form(selected[0], attachment=pdf_upload("证明材料.pdf"))
    response = client.post(objection_url(published), data)
    assert response.status_code == 200
    objection = Objection.objects.get()
    assert objection.receipt in response.content.decode()
    assert (objection.attachment_name, objection.phone) == ("证明材料.pdf", "010-66094072")
    run_jobs()
    assert [m.to for m in mail.outbox if objection.receipt in m.subject] == [["wang@example.org"]]


@pytest.mark.parametrize("field", ["name", "organisation", "phone", "email"])
def test_anonymous_objections_are_refused_with_the_reason(client, published, listed, field):
    selected, _waiting = listed
    response = client.post(objection_url(published), form(selected[0], **{field: ""}))
    assert response.status_code == 400
    html = response.content.decode()
    assert "异议须实名提出" in html and "匿名异议不予受理" in html
    assert "该单位不符合通知第一条的条件。" in html  # what was typed is kept
    assert not Objection.objects.exists()


def test_a_reason_too_long_a_bad_phone_and_a_bad_file_are_refused_by_their_fields(
    client, published, listed
):
    selected, _waiting = listed
    data = form(selected[0], reason="异" * 2001, phone="12345")
    data["attachment"] = pdf_upload("证明材料.exe")
    response = client.post(objection_url(published), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "2000" in html
    assert "请填写带区号的固定电话" in html
    assert not Objection.objects.exists()


def test_the_honeypot_refuses_robots(client, published, listed):
    selected, _waiting = listed
    response = client.post(objection_url(published), form(selected[0], website="http://spam"))
    assert response.status_code == 400
    assert not Objection.objects.exists()


def test_objections_are_rate_limited(client, published, listed, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "objection": "2/h"}
    selected, _waiting = listed
    for _ in range(2):
        assert client.post(objection_url(published), form(selected[0])).status_code == 200
    assert client.post(objection_url(published), form(selected[0])).status_code == 429
    assert Objection.objects.count() == 2


def test_no_objection_form_outside_the_period(client, published, listed):
    selected, _waiting = listed
    published.publicity_ends = timezone.now() - dt.timedelta(minutes=1)
    published.save(update_fields=["publicity_ends"])
    response = client.post(objection_url(published), form(selected[0]))
    assert "现在不在公示期内" in response.content.decode()
    assert not Objection.objects.exists()


# --- the admin -----------------------------------------------------------------------------


def test_the_selector_is_told_of_unnamed_drafters_before_publishing(client, call, boss, listed):
    selected, _waiting = listed
    client.force_login(boss)
    url = reverse("admin:applications_call_publicity", args=[call.pk])
    html = client.get(url).content.decode()
    assert "未同意公开姓名" in html and selected[2].unit_name in html
    response = client.post(url, {"do": "publish"})
    assert response.status_code == 302
    call.refresh_from_db()
    assert call.publicity_ends is not None


def test_a_reviewer_cannot_answer_in_the_admin(client, published, listed):
    selected, _waiting = listed
    objection = file_objection(published, selected[0], reason="理由")
    reviewer = reviewer_for(published.organising_bodies.first())
    client.force_login(reviewer)
    url = reverse("admin:applications_objection_answer", args=[objection.pk])
    response = client.post(url, {"verdict": "upheld", "answer": "成立", "reopen": "on"})
    assert response.status_code in (403, 404)
    objection.refresh_from_db()
    assert objection.is_open
    selected[0].refresh_from_db()
    assert selected[0].status == Status.SELECTED


def test_the_selector_upholds_in_the_admin_and_the_waitlist_moves_up(
    client, published, listed, boss
):
    selected, waiting = listed
    objection = file_objection(published, selected[0], reason="理由")
    client.force_login(boss)
    url = reverse("admin:applications_objection_answer", args=[objection.pk])
    page = client.get(url).content.decode()
    assert selected[0].unit_name in page and "理由" in page
    response = client.post(
        url, {"verdict": "upheld", "answer": "经核实成立。", "reopen": "on", "correction": ""}
    )
    assert response.status_code == 302
    objection.refresh_from_db()
    waiting.refresh_from_db()
    selected[0].refresh_from_db()
    assert (objection.verdict, selected[0].status) == ("upheld", Status.SUBMITTED)
    assert waiting.pending_decision == "select"


def test_the_call_page_links_to_the_list_once_published(client, call, boss, listed):
    call_url = reverse("applications:call", args=[call.code])
    assert 'id="result-link"' not in client.get(call_url).content.decode()
    services.publicity_publish(call=call, actor=boss, now=timezone.now())
    html = client.get(call_url).content.decode()
    assert 'id="result-link"' in html and result_url(call) in html


def test_objections_show_beside_the_units_application(client, published, listed, boss):
    selected, _waiting = listed
    objection = file_objection(published, selected[0], reason="理由")
    client.force_login(boss)
    page = client.get(reverse("admin:applications_application_change", args=[selected[0].pk]))
    html = page.content.decode()
    assert 'id="objections"' in html and objection.receipt in html and "待答复" in html
    other = client.get(reverse("admin:applications_application_change", args=[selected[1].pk]))
    assert 'id="objections"' not in other.content.decode()


def test_a_call_manager_changes_the_final_list_with_a_written_reason(
    client, published, listed, boss, manager
):
    selected, _waiting = listed
    services.publicity_close(call=published, now=published.publicity_ends)
    published.refresh_from_db()
    url = reverse("admin:applications_call_publicity", args=[published.pk])
    client.force_login(boss)
    assert 'id="final-change"' not in client.get(url).content.decode()  # selectors: no form
    client.force_login(manager)
    page = client.get(url).content.decode()
    assert 'id="final-change"' in page and "名单已于" in page
    data = {"do": "final_change", "application": str(selected[0].pk), "decision": "reopen"}
    refused = client.post(url, {**data, "reason": ""}, follow=True).content.decode()
    assert "请选择申报、修改内容并填写书面理由" in refused
    selected[0].refresh_from_db()
    assert selected[0].status == Status.SELECTED
    client.post(url, {**data, "reason": "该单位书面申请退出起草工作。", "notify": "none"})
    selected[0].refresh_from_db()
    assert selected[0].status == Status.SUBMITTED
    note = selected[0].audit_entries.get(action="application.final_change").data["note"]
    assert note == "该单位书面申请退出起草工作。"
    html = client.get(result_url(published)).content.decode()
    assert selected[0].unit_name not in html and "名单已确定" in html


def test_the_selector_downloads_the_objections_attachment_a_reviewer_cannot(
    client, published, listed, boss
):
    selected, _waiting = listed
    client.post(objection_url(published), form(selected[0], attachment=pdf_upload("证明材料.pdf")))
    objection = Objection.objects.get()
    url = reverse("admin:applications_objection_attachment", args=[objection.pk])
    client.force_login(reviewer_for(published.organising_bodies.first()))
    assert client.get(url).status_code in (403, 404)
    client.force_login(boss)
    assert (
        url
        in client.get(
            reverse("admin:applications_objection_answer", args=[objection.pk])
        ).content.decode()
    )
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert "attachment" in response["Content-Disposition"]


def test_taking_a_unit_off_the_final_list_asks_for_the_correction_mail(
    client, published, listed, manager
):
    selected, _waiting = listed
    services.publicity_close(call=published, now=published.publicity_ends)
    url = reverse("admin:applications_call_publicity", args=[published.pk])
    client.force_login(manager)
    assert "经征集管理人员复核" in client.get(url).content.decode()  # prefilled, to edit
    data = {
        "do": "final_change",
        "application": str(selected[0].pk),
        "decision": "reopen",
        "reason": "该单位书面申请退出起草工作。",
    }
    # Neither a mail nor an explicit "none": refused next to the choice, the reason kept.
    page = client.post(url, data).content.decode()
    assert "请选择是否发送更正邮件。" in page and "该单位书面申请退出起草工作。" in page
    page = client.post(url, {**data, "notify": "send", "correction": " "}).content.decode()
    assert "请填写更正邮件的内容，或选择不发送。" in page
    selected[0].refresh_from_db()
    assert selected[0].status == Status.SELECTED
    text = "贵单位已书面申请退出，现将贵单位移出入选名单。"
    response = client.post(url, {**data, "notify": "send", "correction": text})
    assert response.status_code == 302
    selected[0].refresh_from_db()
    assert selected[0].status == Status.SUBMITTED
    run_jobs()
    (sent,) = [m for m in mail.outbox if "评审结果更正" in m.subject]
    assert selected[0].reference in sent.subject
    assert sent.to == [selected[0].contact_email] and text in sent.body


def test_the_selector_is_told_when_the_period_runs_into_a_year_the_calendar_lacks(
    client, call, boss, listed
):
    # Thirty working days from now reach into next year, whose holidays are not known yet.
    call.publicity_days = 30
    call.save(update_fields=["publicity_days"])
    client.force_login(boss)
    url = reverse("admin:applications_call_publicity", args=[call.pk])
    next_year = timezone.localdate().year + 1
    html = client.get(url).content.decode()
    assert 'id="calendar-warning"' in html and f"{next_year} 年的法定节假日与调休尚未收录" in html
    CalendarDay.objects.create(date=dt.date(next_year, 1, 1), is_working_day=False, name="元旦")
    assert 'id="calendar-warning"' not in client.get(url).content.decode()
