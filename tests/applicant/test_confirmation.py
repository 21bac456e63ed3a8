"""Issue 20 item 5, as the applicant meets it: save, "请查收确认邮件", the link in the mail,
the private page with the reference; files capped until then, and typed text kept."""

import re

import pytest
from django.core import mail
from django.test import Client

from applications import enums
from applications.models import Application, PendingUpload
from outbox.models import OutgoingMail
from tests.factories import (
    confirm_by_mail,
    confirmation_token,
    form_data,
    pdf_upload,
    seal_upload,
)
from tests.jobs import run_jobs

pytestmark = pytest.mark.django_db

APPLY = "/calls/cqo-2021/apply/"
CAP_MESSAGE = "请先不选此文件保存草稿，再打开确认邮件中的链接，确认邮箱后即可上传较大的附件。"


def field_errors(html: str, field: str) -> str:
    """The text of the error block tied to ``field`` (its ``aria-describedby`` target)."""
    found = re.search(rf'id="id_{field}_error"[^>]*>(.*?)</div>', html, re.S)
    return found.group(1) if found else ""


def test_save_says_check_your_mail_and_the_link_opens_the_private_page(client, call):
    data = form_data(call, 1, action="draft", unit_name="某某科技有限公司")
    response = client.post(APPLY, data)

    assert response.status_code == 303
    assert response["Location"] == "/calls/cqo-2021/apply/check-mail/"
    page = client.get(response["Location"]).content.decode()
    assert "请查收确认邮件" in page and data["contact_email"] in page
    assert "申报尚未提交" not in page
    application = Application.objects.get()
    assert application.reference.startswith("CQO-2021-U")
    assert application.reference not in page  # a provisional reference is never shown
    [confirmation] = OutgoingMail.objects.all()
    assert "某某科技有限公司" not in confirmation.text + confirmation.html + confirmation.subject

    opened = confirm_by_mail(client)

    assert opened.status_code == 303
    assert opened["Location"].startswith("/a/CQO-2021-0001/")
    private = client.get(opened["Location"]).content.decode()
    assert "邮箱已确认。申报编号：CQO-2021-0001。" in private
    assert "请保存您的专属链接" in private and "某某科技有限公司" in private
    # opened again (a second click), the link is the private link
    again = confirm_by_mail(client)
    assert again.status_code == 303 and again["Location"] == opened["Location"]
    assert Application.objects.get().reference == "CQO-2021-0001"
    assert client.get("/confirm/" + "x" * 43 + "/").status_code == 404


def test_submit_before_confirmation_is_not_called_submitted(client, call):
    response = client.post(
        APPLY, {**form_data(call, 1, action="submit"), "seal_scan": seal_upload()}
    )

    page = client.get(response["Location"]).content.decode()
    assert "申报尚未提交" in page and "请打开确认邮件中的链接完成提交" in page
    assert "申报已提交" not in page
    assert Application.objects.get().status == enums.Status.DRAFT

    private = client.get(confirm_by_mail(client)["Location"]).content.decode()
    assert "申报已提交。确认邮件已发送至" in private
    assert Application.objects.get().status == enums.Status.SUBMITTED


def test_a_file_over_the_cap_is_refused_next_to_its_field_and_the_rest_is_kept(
    client, call, settings
):
    seal, pdf = seal_upload(), pdf_upload()
    settings.UNCONFIRMED_DRAFT_MAX_BYTES = pdf.size + seal.size - 1
    data = form_data(call, 1, action="draft", unit_name="保留输入有限公司")

    response = client.post(APPLY, {**data, "unit_profile_file": pdf, "seal_scan": seal})

    assert response.status_code == 200
    html = response.content.decode()
    assert CAP_MESSAGE in field_errors(html, "seal_scan")
    assert 'value="保留输入有限公司"' in html  # what was typed stays
    assert not Application.objects.exists()
    # the profile fitted and waits for the next try; the refused scan is not kept
    assert list(PendingUpload.objects.values_list("field_name", flat=True)) == ["unit_profile_file"]


def test_a_form_refused_for_other_reasons_does_not_keep_a_file_over_the_cap(client, call, settings):
    settings.UNCONFIRMED_DRAFT_MAX_BYTES = 100
    data = form_data(call, 1, action="submit", unit_name="")  # the unit's name is missing

    response = client.post(APPLY, {**data, "seal_scan": seal_upload()})

    html = response.content.decode()
    assert response.status_code == 200
    assert CAP_MESSAGE in field_errors(html, "seal_scan")
    assert not PendingUpload.objects.exists()


def test_the_client_cap_counts_every_draft_of_one_address(call, settings):
    size = pdf_upload().size
    settings.UNCONFIRMED_CLIENT_MAX_BYTES = 2 * size
    for number in (1, 2):
        browser = Client(REMOTE_ADDR="203.0.113.7")
        response = browser.post(
            APPLY, {**form_data(call, number, action="draft"), "unit_profile_file": pdf_upload()}
        )
        assert response.status_code == 303
    third = Client(REMOTE_ADDR="203.0.113.7").post(
        APPLY, {**form_data(call, 3, action="draft"), "unit_profile_file": pdf_upload()}
    )
    assert third.status_code == 200
    assert "您所在的网络一天内保存的未确认草稿" in third.content.decode()
    elsewhere = Client(REMOTE_ADDR="198.51.100.9").post(
        APPLY, {**form_data(call, 4, action="draft"), "unit_profile_file": pdf_upload()}
    )
    assert elsewhere.status_code == 303


def test_after_confirmation_a_big_file_is_accepted(client, call, settings):
    settings.UNCONFIRMED_DRAFT_MAX_BYTES = 100
    client.post(APPLY, form_data(call, 1, action="draft"))
    private = confirm_by_mail(client)["Location"]

    response = client.post(
        f"{private}edit/",
        {**form_data(call, 1, action="draft"), "unit_profile_file": pdf_upload()},
    )

    assert response.status_code == 303
    assert Application.objects.get().unit_profile_file_name == "单位简介.pdf"


def test_find_my_link_for_an_unconfirmed_draft_mails_the_confirmation_again(client, call):
    data = form_data(call, 1, action="draft")
    client.post(APPLY, data)
    first = confirmation_token()
    client.post("/link/", {"email": data["contact_email"]})
    run_jobs()

    assert [m.subject for m in mail.outbox].count(mail.outbox[0].subject) == 2
    assert all(data["unit_name"] not in m.body for m in mail.outbox)
    assert confirmation_token() != first
    assert Client().get(f"/confirm/{first}/").status_code == 404  # replaced by the new one
    assert confirm_by_mail(Client()).status_code == 303
