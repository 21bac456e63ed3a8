"""Issue 19 item 11: a duplicate unit or drafter is answered without confirming it, and the
existing application's contact gets its link."""

from django.core import mail

from applications.models import Application, AuditEntry
from tests.factories import create_application, form_data, seal_upload
from tests.jobs import run_jobs

APPLY = "/calls/cqo-2021/apply/"


def _try(client, call, **same):
    data = {**form_data(call, 2, **same), "action": "submit", "seal_scan": seal_upload()}
    return client.post(APPLY, data)


def test_a_taken_credit_code_is_not_confirmed_and_its_contact_gets_the_link(client, call):
    first, _token = create_application(call, 1)
    run_jobs()
    mail.outbox.clear()
    response = _try(client, call, credit_code=first.credit_code)
    page = response.content.decode()
    assert response.status_code == 200
    assert "如该单位已申报，专属链接已发送到其联系邮箱" in page
    assert first.unit_name not in page and first.contact_email not in page
    assert Application.objects.count() == 1
    run_jobs()
    assert [m.to for m in mail.outbox] == [[first.contact_email]]
    assert "再次申报，未被接受" in mail.outbox[0].body
    assert f"/a/{first.reference}/" in mail.outbox[0].body
    assert AuditEntry.objects.filter(
        application=first, action="application.duplicate_tried"
    ).exists()


def test_a_taken_drafter_mails_the_unit_that_proposed_them(client, call):
    first, _token = create_application(call, 1)
    run_jobs()
    mail.outbox.clear()
    response = _try(
        client, call, drafter_name=first.drafter_name, drafter_mobile=first.drafter_mobile
    )
    assert "如该起草人已被推荐，专属链接已发送到推荐单位的联系邮箱" in response.content.decode()
    run_jobs()
    assert [m.to for m in mail.outbox] == [[first.contact_email]]


def test_trying_again_and_again_mails_the_contact_once_an_hour(client, call):
    first, _token = create_application(call, 1)
    run_jobs()
    mail.outbox.clear()
    for _ in range(3):
        _try(client, call, credit_code=first.credit_code)
    run_jobs()
    assert len(mail.outbox) == 1
