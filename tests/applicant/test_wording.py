"""Issue 19 item 10 (and the withdrawn page of item 18): the pages say what is true."""

import datetime as dt

from django.core import mail
from django.test import Client
from django.utils import timezone

from applications import enums
from tests.factories import confirm_by_mail, create_application, form_data, seal_upload
from tests.jobs import run_jobs

APPLY = "/calls/cqo-2021/apply/"


def test_the_contact_email_is_not_starred_since_it_is_optional(client, call):
    page = client.get(APPLY).content.decode()
    label = page[page.index('for="id_contact_email"') :][:300]
    assert "asteriskField" not in label
    assert "选填" in page[page.index('id="id_contact_email_helptext"') :][:200]
    data = form_data(call, 1, contact_email="", action="submit")
    response = client.post(APPLY, {**data, "seal_scan": seal_upload()})
    assert response.status_code == 303  # the drafter's address serves


def test_an_error_page_says_so_in_its_title(client, call):
    page = client.post(APPLY, {"action": "submit"}).content.decode()
    title = page[page.index("<title>") + 7 : page.index("</title>")]
    assert title.startswith("错误：")
    assert not client.get(APPLY).content.decode().split("<title>")[1].startswith("错误")


def test_the_summary_names_a_field_once(client, call):
    response = client.post(APPLY, {**form_data(call, 1, postcode="5180"), "action": "submit"})
    summary = response.content.decode().split('id="error-summary"')[1].split("</ol>")[0]
    line = summary[summary.index("<li>") : summary.index("</li>")]
    assert line.count("邮政编码") == 1, line
    credit = form_data(call, 1, credit_code="91350100M000100Y44", action="submit")
    summary = client.post(APPLY, credit).content.decode().split('id="error-summary"')[1]
    line = summary[summary.index("<li>") : summary.index("</li>")]
    assert line.count("统一社会信用代码") == 1, line


def test_english_summary_lines_have_no_colon_after_a_question_mark(call):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.post("/i18n/setlang/", {"language": "en", "next": APPLY})
    page = client.post(APPLY, {"action": "submit"}).content.decode()
    summary = page.split('id="error-summary"')[1].split("</ol>")[0]
    assert "?</a>:" not in summary and ".</a>:" not in summary
    assert "?</a>" in summary  # the questions are there, with nothing after their mark


def test_the_submitted_mail_does_not_say_review_waits_for_the_deadline(client, call):
    data = {**form_data(call, 1), "action": "submit", "seal_scan": seal_upload()}
    client.post(APPLY, data)
    confirm_by_mail(client)  # the submission is made when the address is confirmed
    run_jobs()
    submitted = [m for m in mail.outbox if "申报已提交" in m.subject]
    assert submitted and "截止后组织评审" not in submitted[0].body
    assert "评审可在截止前开始" in submitted[0].body


def test_after_the_deadline_the_private_page_no_longer_offers_changes(client, call):
    application, token = create_application(call, 1, action="submit")
    url = f"/a/{application.reference}/{token}/"
    assert "截止时间（" in client.get(url).content.decode()
    call.deadline = timezone.now() - dt.timedelta(minutes=1)
    call.opens_at = call.deadline - dt.timedelta(days=30)
    call.save()
    page = client.get(url).content.decode()
    assert "前仍可修改或撤回" not in page
    assert "征集已截止，申报不能再修改" in page


def test_the_withdrawn_page_states_the_status_once_or_twice(client, call):
    application, token = create_application(call, 1, action="submit")
    client.post(f"/a/{application.reference}/{token}/withdraw/")
    application.refresh_from_db()
    assert application.status == enums.Status.WITHDRAWN
    page = client.get(f"/a/{application.reference}/{token}/").content.decode()
    main = page.split('<main id="main"')[1].split("</main>")[0]
    flash = "申报已撤回，确认邮件已发送。"  # the answer to the click, shown once
    assert main.count(flash) == 1
    # the status badge and the line under the steps; before: ten times (five unseen)
    assert main.replace(flash, "").count("已撤回") == 2
