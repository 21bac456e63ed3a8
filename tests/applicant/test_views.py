import os
import re
import smtplib

import pytest
from django.contrib.auth.models import Permission
from django.contrib.staticfiles import finders
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.mail.backends.base import BaseEmailBackend
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from typing_extensions import override

from applications import demo, enums, form_schema
from applications.models import Application, PendingUpload
from applications.services import NewFile
from applications.storage import private_storage
from outbox.models import MailState, OutgoingMail
from tests.factories import (
    UserFactory,
    confirm_by_mail,
    create_application,
    form_data,
    pdf_upload,
    seal_upload,
)
from tests.jobs import run_jobs

pytestmark = pytest.mark.django_db

PRIVATE_URL = re.compile(r"^/a/(CQO-2021-\d{4})/([A-Za-z0-9_-]{40,})/$")


def stored_files():

    root = private_storage().location
    return [f for _d, _s, fs in os.walk(root) for f in fs]


def read_download(response) -> bytes:
    """The body of a FileResponse; reading it to the end lets the test client close the file."""
    return b"".join(response.streaming_content)


def post_apply(client, data, **files):
    return client.post(reverse("applications:apply", args=["cqo-2021"]), {**data, **files})


def test_call_page_shows_the_call(client, call):
    response = client.get("/calls/cqo-2021/")
    html = response.content.decode()
    assert response.status_code == 200
    for text in (
        "关于公开征集首席质量官系列团体标准起草单位和起草人的通知",
        "商贸促字〔2021〕163号",
        "《首席质量官 术语与原则》",
        "CCPIT-CSC-JH2021165",
        "《首席质量官评价指南》",
        "选取 <strong>30</strong> 家以内",
        "一、起草单位、起草人资格条件",
        "二、起草单位、起草人权力和义务",
        "深圳市南山区南海大道 3688 号深圳大学汇元楼 450",
        "ccpitning@163.com",
        "刘伟丽",
        "征集中",
    ):
        assert text in html, text
    assert 'href="/calls/cqo-2021/apply/"' in html and "在线申报" in html
    assert "/static/bootstrap/css/bootstrap.min.css" in html
    assert "cdn" not in html.lower()


def test_closed_call_page_and_form(client, closed_call):
    html = client.get("/calls/cqo-2021/").content.decode()
    assert "已截止" in html and "本次征集已截止，不再接受申报。" in html
    response = client.get("/calls/cqo-2021/apply/")
    assert "本次征集已截止" in response.content.decode()
    response = post_apply(client, form_data(closed_call), seal_scan=seal_upload())
    assert response.status_code == 403
    assert "您提交的内容未被保存" in response.content.decode()
    assert Application.objects.count() == 0
    assert stored_files() == []


def test_form_page_has_every_section_and_field(client, call):
    html = client.get("/calls/cqo-2021/apply/").content.decode()
    assert str(form_schema.SECTIONS[-1].title) == "五、单位意见与盖章"
    positions = [html.index(str(section.title)) for section in form_schema.SECTIONS]
    assert positions == sorted(positions)
    names = [*form_schema.NAMES, "idempotency_key"]

    def first(name: str, within: str = html) -> int:
        """Where the field's input is (the birth date: the first of its 年/月/日 lists)."""
        found = re.search(rf'name="{name}(?:_year)?"', within)
        assert found, name
        return found.start()

    # In the schema's order, each in its section.
    firsts = [first(name) for name in names]
    assert firsts == sorted(firsts)
    ends = [*positions[1:], None]
    for section, start, end in zip(form_schema.SECTIONS, positions, ends, strict=True):
        for field in section.fields:
            first(field.name, html[start:end])
    assert 'enctype="multipart/form-data"' in html
    assert 'name="action" value="draft"' in html and 'name="action" value="submit"' in html
    assert "基诺族" in html and "九三学社社员" in html and "T 国际组织" in html


def test_submit_waits_for_the_confirmed_address_then_shows_the_link_once(
    client, call, django_capture_on_commit_callbacks
):
    """Behaviour changed with issue 20 item 5: the first save of an anonymous visitor
    redirects to "请查收确认邮件"; opening the mailed link gives the reference, submits and
    shows the private link once."""
    with django_capture_on_commit_callbacks(execute=True):
        response = post_apply(
            client,
            form_data(call, action="submit"),
            seal_scan=seal_upload(),
            unit_profile_file=pdf_upload(),
        )
    assert response.status_code == 303, response.content.decode()[:3000]
    assert response["Location"] == "/calls/cqo-2021/apply/check-mail/"
    application = Application.objects.get()
    assert application.status == enums.Status.DRAFT and application.submit_requested_at
    assert application.seal_detected is None  # the request did not wait for the hint
    assert application.seal_scan_name == "盖章扫描件.png"
    assert application.unit_profile_file_name == "单位简介.pdf"
    run_jobs()
    application.refresh_from_db()
    assert application.seal_detected is True  # the worker found the red seal
    assert [m.to for m in mail.outbox] == [[application.contact_email]]  # the confirmation
    with django_capture_on_commit_callbacks(execute=True):
        response = confirm_by_mail(client)
    reference, token = PRIVATE_URL.match(response["Location"]).groups()
    application.refresh_from_db()
    assert application.reference == reference == "CQO-2021-0001"
    assert application.status == enums.Status.SUBMITTED
    run_jobs()
    assert [m.to for m in mail.outbox] == [[application.contact_email]] * 3
    first = client.get(response["Location"]).content.decode()
    assert "请保存您的专属链接" in first and token in first and "已提交" in first
    second = client.get(response["Location"]).content.decode()
    assert "请保存您的专属链接" not in second and "CQO-2021-0001" in second


class RefusingMailServer(BaseEmailBackend):
    """An e-mail backend whose server is down."""

    @override
    def send_messages(self, messages):
        raise smtplib.SMTPServerDisconnected("the mail server went away")


@pytest.mark.django_db(transaction=True)  # real commits, as in production
@override_settings(EMAIL_BACKEND="tests.applicant.test_views.RefusingMailServer")
def test_a_mail_server_that_is_down_does_not_fail_the_saved_application(client, call):
    """No mail is sent inside the request: the applicant gets the saved page and the link,
    the receipt waits in the outbox, and the worker's failed attempt keeps it for a retry."""
    response = post_apply(client, form_data(call, action="draft"))

    assert response.status_code == 303
    application = Application.objects.get()
    assert "请查收确认邮件" in client.get(response["Location"]).content.decode()
    [receipt] = OutgoingMail.objects.all()  # the confirmation mail, first of all
    assert receipt.kind == "confirm"
    assert (receipt.state, receipt.to, receipt.application) == (
        MailState.QUEUED,
        application.contact_email,
        application,
    )
    run_jobs()
    receipt.refresh_from_db()
    assert receipt.state == MailState.QUEUED and receipt.attempts == 1
    assert "the mail server went away" in receipt.last_error
    assert receipt.next_attempt_at > timezone.now()  # the next attempt waits its turn


@pytest.mark.django_db(transaction=True)
def test_the_request_sends_nothing_the_worker_sends_the_receipt(client, call):
    response = post_apply(client, form_data(call, action="draft"))

    assert response.status_code == 303
    assert mail.outbox == []
    run_jobs()
    assert [m.to for m in mail.outbox] == [[Application.objects.get().contact_email]]


def test_values_are_normalised(client, call):
    data = form_data(
        call,
        action="submit",
        credit_code=demo.credit_code(7).lower(),
        drafter_mobile="+86 139-0000-0077",
        drafter_phone="075526536114",
        unit_name="\u3000深圳  质量\u3000协会 ",
    )
    assert post_apply(client, data, seal_scan=seal_upload()).status_code == 303
    application = Application.objects.get()
    assert application.credit_code == demo.credit_code(7)
    assert application.drafter_mobile == "13900000077"
    assert application.drafter_phone == "0755-26536114"
    assert application.unit_name == "深圳 质量 协会"


def test_error_keeps_typed_values_and_uploaded_files(client, call):
    good = demo.credit_code(4242)
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    data = form_data(call, action="submit", credit_code=bad)
    response = post_apply(
        client, data, seal_scan=seal_upload("我的扫描件.png"), unit_profile_file=pdf_upload()
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "最后一位（校验码）应为" in html
    assert "有 1 处需要修改" in html
    assert f'value="{data["unit_name"]}"' in html
    assert "已上传：<strong>我的扫描件.png</strong>" in html
    assert Application.objects.count() == 0
    assert PendingUpload.objects.count() == 2
    pending = dict(re.findall(r'name="(\w+_pending)" value="([^"]+)"', html))
    assert set(pending) == {"seal_scan_pending", "unit_profile_file_pending"}

    # The applicant corrects the code and sends again without picking any file.
    response = post_apply(client, {**data, "credit_code": good, **pending})
    assert response.status_code == 303
    application = Application.objects.get()
    assert application.seal_scan_name == "我的扫描件.png"
    assert application.unit_profile_file_name == "单位简介.pdf"
    with application.seal_scan.open("rb") as stored:
        assert stored.read() == demo.seal_scan_png()
    assert PendingUpload.objects.count() == 0
    assert len(stored_files()) == 2


def test_forged_pending_reference_is_ignored(client, call):
    data = form_data(call, action="submit", seal_scan_pending="forged:token")
    response = post_apply(client, data)
    assert "提交前请上传加盖单位公章的申报表扫描件或照片" in response.content.decode()
    assert Application.objects.count() == 0


@pytest.mark.parametrize(
    ("filename", "content", "message"),
    [
        ("seal.pdf", b"MZ\x90\x00" + b"\x00" * 200, ""),
        ("seal.png", b"<html><script>alert(1)</script></html>", ""),
        ("seal.png", b"", ""),
    ],
)
def test_hostile_seal_scan_is_refused_next_to_the_field(client, call, filename, content, message):
    data = form_data(call, action="submit")
    response = post_apply(client, data, seal_scan=SimpleUploadedFile(filename, content))
    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.errors) == ["seal_scan"]
    assert re.search(r"[\u4e00-\u9fff]", form.errors["seal_scan"][0])
    assert Application.objects.count() == 0
    assert PendingUpload.objects.count() == 0
    assert stored_files() == []


def test_duplicate_unit_is_told_how_to_find_its_link(client, call):
    create_application(call, 1)
    data = form_data(call, 2, action="submit", credit_code=demo.credit_code(1 + 2021))
    first = Application.objects.get()
    data["credit_code"] = first.credit_code
    response = post_apply(client, data, seal_scan=seal_upload())
    assert response.status_code == 200
    (error,) = response.context["form"].errors["credit_code"]
    assert "如该单位已申报，专属链接已发送到其联系邮箱" in error
    assert Application.objects.count() == 1


def test_draft_needs_only_name_and_email(client, call):
    response = post_apply(
        client, {"action": "draft", "unit_name": "某某质量协会", "contact_email": "x@example.com"}
    )
    assert response.status_code == 303
    assert Application.objects.get().status == enums.Status.DRAFT
    response = post_apply(client, {"action": "draft", "unit_name": "某某质量协会"})
    assert list(response.context["form"].errors) == ["contact_email"]


def test_contact_email_defaults_to_drafter_email(client, call):
    data = form_data(call, action="submit", contact_email="")
    assert post_apply(client, data, seal_scan=seal_upload()).status_code == 303
    application = Application.objects.get()
    assert application.contact_email == data["drafter_email"]


def test_replayed_post_finds_the_first_application(client, call):
    page = client.get("/calls/cqo-2021/apply/")
    key = page.context["form"].initial["idempotency_key"]
    data = form_data(call, action="submit", idempotency_key=str(key))
    first = post_apply(client, data, seal_scan=seal_upload())
    again = post_apply(client, data, seal_scan=seal_upload())
    assert first.status_code == again.status_code == 303
    assert first["Location"] == again["Location"]

    elsewhere = Client().post("/calls/cqo-2021/apply/", {**data, "seal_scan": seal_upload()})
    assert elsewhere.status_code == 409
    assert "这份申报已经收到" in elsewhere.content.decode()
    assert Application.objects.count() == 1
    assert len(stored_files()) == 1


def private(application, token, name="private", **kwargs):
    return reverse(
        f"applications:{name}",
        kwargs={"reference": application.reference, "token": token, **kwargs},
    )


def test_wrong_or_old_token_is_404(client, call):
    application, token = create_application(call, 1)
    _other, other_token = create_application(call, 2)
    assert client.get(private(application, token)).status_code == 200
    assert client.get(private(application, other_token)).status_code == 404
    assert client.get(private(application, token[:-1])).status_code == 404
    assert (
        client.get(private(application, other_token, "private_file", field="seal_scan")).status_code
        == 404
    )
    response = client.get(private(application, "nope"))
    assert response.status_code == 404 and "重新获取专属链接" in response.content.decode()


def test_file_download_is_private_and_an_attachment(client, call):
    application, token = create_application(call, 1)
    response = client.get(private(application, token, "private_file", field="seal_scan"))
    assert response.status_code == 200
    assert read_download(response) == demo.seal_scan_png()
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "image/png"
    assert (
        client.get(private(application, token, "private_file", field="credit_code")).status_code
        == 404
    )
    assert (
        client.get(
            private(application, token, "private_file", field="drafter_resume_file")
        ).status_code
        == 404
    )


def test_edit_form_prefilled_and_saved(client, call):
    application, token = create_application(call, 1)
    page = client.get(private(application, token, "edit"))
    html = page.content.decode()
    assert f'value="{application.unit_name}"' in html
    assert "当前文件：<strong>盖章扫描件.png</strong>" in html
    assert 'value="draft"' not in html  # a submitted application is edited, not re-drafted
    data = form_data(call, 1, action="submit", drafter_title="研究员")
    response = client.post(private(application, token, "edit"), data)
    assert response.status_code == 303
    application.refresh_from_db()
    assert application.drafter_title == "研究员"
    assert application.seal_scan_name == "盖章扫描件.png"  # kept without re-uploading


def test_edit_after_deadline_is_refused(client, call):
    application, token = create_application(call, 1)
    call.deadline = call.opens_at.replace(year=2021, month=8, day=20)
    call.save()
    assert "本次征集已截止" in client.get(private(application, token, "edit")).content.decode()
    data = form_data(call, 1, action="submit", drafter_title="研究员")
    assert client.post(private(application, token, "edit"), data).status_code == 403
    application.refresh_from_db()
    assert application.drafter_title != "研究员"
    assert "征集已截止，申报不能再修改" in client.get(private(application, token)).content.decode()


def test_withdraw_asks_first(client, call):
    application, token = create_application(call, 1)
    page = client.get(private(application, token, "withdraw"))
    assert "确认撤回申报" in page.content.decode()
    application.refresh_from_db()
    assert application.status == enums.Status.SUBMITTED
    response = client.post(private(application, token, "withdraw"))
    assert response.status_code == 303
    application.refresh_from_db()
    assert application.status == enums.Status.WITHDRAWN


def test_the_private_page_sums_up_every_field_but_the_files_and_the_consent(client, call):
    application, token = create_application(call, 1, drafter_fax="010-66094072")
    html = client.get(private(application, token)).content.decode()
    summary = html[html.index('id="sum-standards"') : html.index('id="files-heading"')]
    shown = [
        f
        for f in form_schema.FIELDS
        if f.kind not in (form_schema.Kind.FILE, form_schema.Kind.STANDARDS)
        and f.name != "privacy_consent"
    ]
    labels = re.findall(r"<dt[^>]*>(.*?)</dt>", summary)
    assert labels == [str(f.summary_label or Application.label(f.name)) for f in shown]
    assert labels[:2] == ["单位名称", "统一社会信用代码"] and "姓名" in labels
    positions = [summary.index(f'id="sum-{section.key}"') for section in form_schema.SECTIONS]
    assert positions == sorted(positions)
    for text in (
        application.standards.get().title,
        application.get_unit_type_display(),
        f">{application.get_drafter_ethnicity_display()}<",
        application.drafter_birth_date.isoformat(),
        f"{application.signed_on.year}年{application.signed_on.month}月{application.signed_on.day}日",
        "010-66094072",
        application.contact_email,
    ):
        assert text in summary, text


def test_print_view_shows_the_filled_table(client, call):
    application, token = create_application(call, 1)
    html = client.get(private(application, token, "print")).content.decode()
    for text in (
        "首席质量官系列团体标准起草单位申报表",
        application.reference,
        application.unit_name,
        application.drafter_name,
        "（公章）",
        "☑ 《首席质量官 术语与原则》",
        "☐ 《首席质量官培育指南》",
    ):
        assert text in html, text


def test_resend_link_never_reveals_whether_an_address_is_known(
    client, call, django_capture_on_commit_callbacks
):
    application, _ = create_application(call, 1)
    run_jobs()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        known = client.post("/link/", {"email": application.contact_email})
        unknown = client.post("/link/", {"email": "stranger@example.com"})
    run_jobs()

    def strip(r):
        return (
            r.content.decode()
            .replace(application.contact_email, "X")
            .replace("stranger@example.com", "X")
        )

    assert known.status_code == unknown.status_code == 200
    assert re.sub(r'value="[^"]+"', "", strip(known)) == re.sub(
        r'value="[^"]+"', "", strip(unknown)
    )
    assert [m.to for m in mail.outbox] == [[application.contact_email]]


def test_organiser_file_needs_a_staff_login_with_permission(client, call):
    application, _ = create_application(call, 1)
    url = reverse("applications:organiser_file", args=[application.pk, "seal_scan"])
    assert client.get(url).status_code == 302
    staff = UserFactory(is_staff=True)
    client.force_login(staff)
    assert client.get(url).status_code == 403
    staff.user_permissions.add(Permission.objects.get(codename="view_application"))
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    assert read_download(response) == demo.seal_scan_png()


def test_healthz(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.content == b"ok"


def test_csrf_failure_is_explained_in_chinese(call):

    strict = Client(enforce_csrf_checks=True)
    response = strict.post("/calls/cqo-2021/apply/", form_data(call, action="submit"))
    assert response.status_code == 403
    assert "页面已过期，请重新提交" in response.content.decode()
    assert Application.objects.count() == 0


def test_the_portal_has_an_icon(client, call):
    """Every page links the mark, and /favicon.ico (asked by admin pages) leads to it."""
    html = client.get("/calls/cqo-2021/").content.decode()
    assert 'rel="icon"' in html and "favicon" in html
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert "applications/favicon" in response["Location"]
    assert response["Location"].endswith(".svg")
    with open(finders.find("applications/favicon.svg"), "rb") as icon:
        assert icon.read().startswith(b"<svg")


def test_the_private_page_shows_a_thumbnail_of_a_pictured_seal_scan(client, call):
    application, token = create_application(call, 1)  # the factory's seal scan is a PNG
    page = client.get(f"/a/{application.reference}/{token}/").content.decode()
    url = f"/a/{application.reference}/{token}/files/seal_scan/?inline=1"
    assert f'class="seal-thumb" src="{url}"' in page.replace("&amp;", "&")
    shown = client.get(url)
    assert shown.status_code == 200
    assert shown["Content-Type"] == "image/png"
    assert shown["Content-Disposition"].startswith("inline")
    assert "sandbox" in shown["Content-Security-Policy"]
    assert read_download(shown).startswith(b"\x89PNG")
    download = client.get(url.replace("?inline=1", ""))
    assert download["Content-Disposition"].startswith("attachment")
    read_download(download)


def test_a_seal_scan_in_pdf_has_no_thumbnail(client, call):
    pdf_seal = NewFile(
        upload=pdf_upload("盖章表.pdf"), original_name="盖章表.pdf", extension=".pdf"
    )
    application, token = create_application(call, 1, files={"seal_scan": pdf_seal})
    page = client.get(f"/a/{application.reference}/{token}/").content.decode()
    assert "seal-thumb" not in page
