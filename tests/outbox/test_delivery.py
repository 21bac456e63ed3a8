"""The outbox: mails written with the change that causes them, delivered by the worker,
retried with back-off while the server is down, failed after the last try, resent from
admin, and never sent twice at once."""

import datetime as dt
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.core import mail
from django.db import transaction
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from applications import services
from applications.models import Application
from outbox import delivery
from outbox.models import MailState, OutgoingMail
from outbox.services import mail_queue
from outbox.tasks import sweep_outbox
from tests.factories import create_application, selector
from tests.jobs import run_jobs
from tests.system.servers import free_port

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


# Nothing listens there: every connection is refused, as when the mail server is down.
SERVER_DOWN = {
    "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
    "EMAIL_HOST": "127.0.0.1",
    "EMAIL_USE_TLS": False,
    "EMAIL_USE_SSL": False,
}


def queued(**overrides) -> OutgoingMail:
    values = {
        "to": "lianxi@example.cn",
        "subject": "测试",
        "text": "链接：http://x/a/CQO-2021-0001/SECRET/",
        "html": '<a href="http://x/a/CQO-2021-0001/SECRET/">链接</a>',
        "language": "zh-hans",
        "secrets": ["http://x/a/CQO-2021-0001/SECRET/"],
    }
    return mail_queue(**{**values, **overrides})


def test_a_save_that_rolls_back_leaves_neither_mail_nor_job(call):
    with pytest.raises(RuntimeError), transaction.atomic():
        create_application(call, 1)
        assert OutgoingMail.objects.count() == 2  # receipt and submitted, in the transaction
        assert DBTaskResult.objects.count() == 2
        raise RuntimeError("the save fails after the mails were written")
    assert Application.objects.count() == OutgoingMail.objects.count() == 0
    assert DBTaskResult.objects.count() == 0


def test_each_mail_of_a_save_is_a_row_with_its_job_and_the_link_goes_once_sent(call):
    application, token = create_application(call, 1)
    receipt, _submitted = OutgoingMail.objects.order_by("pk")
    assert receipt.application == application and receipt.kind == "receipt"
    assert receipt.state == MailState.QUEUED and receipt.to == application.contact_email
    assert token in receipt.text and token in receipt.html  # until it is sent
    assert DBTaskResult.objects.filter(status="READY").count() == 2

    run_jobs()

    receipt.refresh_from_db()
    assert receipt.state == MailState.SENT and receipt.sent_at is not None
    assert receipt.attempts == 1 and receipt.last_error == ""
    assert token not in receipt.text and token not in receipt.html and receipt.secrets == []
    assert "专属链接已随邮件发出" in receipt.text
    [sent_receipt, _sent_submitted] = mail.outbox
    assert token in sent_receipt.body  # the applicant got the link
    assert sent_receipt.subject == receipt.subject
    assert sent_receipt.extra_headers["Content-Language"] == "zh-hans"


def test_a_server_down_for_an_hour_delays_the_mail_and_loses_nothing(settings):
    settings.EMAIL_PORT = free_port()
    for name, value in SERVER_DOWN.items():
        setattr(settings, name, value)
    mail_ = queued()
    start = mail_.next_attempt_at
    expected_retries = [1, 6, 36]  # minutes after the first attempt: 1, +5, +30
    for minutes in [0, *expected_retries]:
        now = start + dt.timedelta(minutes=minutes, seconds=1)
        retry_at = delivery.deliver(mail_.pk, now=now)
        mail_.refresh_from_db()
        assert mail_.state == MailState.QUEUED
        assert "ConnectionRefusedError" in mail_.last_error
        assert retry_at == mail_.next_attempt_at
    assert mail_.attempts == 4
    # Too early for the next try (2 h after the fourth): nothing happens.
    assert delivery.deliver(mail_.pk, now=start + dt.timedelta(minutes=60)) is None
    mail_.refresh_from_db()
    assert mail_.attempts == 4 and mail_.state == MailState.QUEUED

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"  # it is back
    delivery.deliver(mail_.pk, now=mail_.next_attempt_at)
    mail_.refresh_from_db()
    assert (mail_.state, mail_.attempts) == (MailState.SENT, 5)
    assert [m.to for m in mail.outbox] == [["lianxi@example.cn"]]
    assert "SECRET" in mail.outbox[0].body and "SECRET" not in mail_.text


def test_the_worker_enqueues_the_retry_for_later(settings):
    settings.EMAIL_PORT = free_port()
    for name, value in SERVER_DOWN.items():
        setattr(settings, name, value)
    mail_ = queued()
    run_jobs()
    mail_.refresh_from_db()
    assert (mail_.state, mail_.attempts) == (MailState.QUEUED, 1)
    retry = DBTaskResult.objects.get(status="READY")
    assert retry.args_kwargs["args"] == [mail_.pk]
    assert abs(retry.run_after - (mail_.next_attempt_at)) < dt.timedelta(seconds=1)
    assert retry.run_after > timezone.now() + dt.timedelta(seconds=50)
    run_jobs()  # not due yet: the worker leaves it
    mail_.refresh_from_db()
    assert mail_.attempts == 1


def test_after_the_last_attempt_the_mail_is_failed_and_an_organiser_resends_it(
    settings, client, call
):
    settings.EMAIL_PORT = free_port()
    for name, value in SERVER_DOWN.items():
        setattr(settings, name, value)
    mail_ = queued()
    now = mail_.next_attempt_at
    while (retry := delivery.deliver(mail_.pk, now=now)) is not None:
        now = retry
    mail_.refresh_from_db()
    assert (mail_.state, mail_.attempts) == (MailState.FAILED, delivery.MAX_ATTEMPTS)
    assert "SECRET" in mail_.text  # never sent: the link is still needed

    client.force_login(selector())
    listing = client.get("/admin/outbox/outgoingmail/?state__exact=failed").content.decode()
    assert "lianxi@example.cn" in listing and "发送失败" in listing
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    response = client.post(
        "/admin/outbox/outgoingmail/",
        {"action": "resend", "_selected_action": [mail_.pk]},
        follow=True,
    )
    assert "1 封邮件已重新排队发送" in response.content.decode()
    run_jobs()
    mail_.refresh_from_db()
    assert mail_.state == MailState.SENT
    assert [m.to for m in mail.outbox] == [["lianxi@example.cn"]]


def test_resend_leaves_mails_that_did_not_fail_alone(client, call):
    sent, waiting = queued(), queued(to="other@example.cn")
    delivery.deliver(sent.pk)
    client.force_login(selector())
    response = client.post(
        "/admin/outbox/outgoingmail/",
        {"action": "resend", "_selected_action": [sent.pk, waiting.pk]},
        follow=True,
    )
    assert "2 封邮件未处于“发送失败”状态" in response.content.decode()
    assert OutgoingMail.objects.get(pk=sent.pk).attempts == 1


def test_reviewers_do_not_see_the_outbox(client, call):
    from tests.factories import reviewer_for  # noqa: PLC0415

    client.force_login(reviewer_for(call.organising_bodies.first()))
    assert client.get("/admin/outbox/outgoingmail/").status_code == 403


def test_a_mail_is_claimed_before_it_is_sent_so_a_second_job_does_nothing():
    mail_ = queued()
    assert delivery.claim(mail_.pk, now=timezone.now()) is not None
    assert delivery.claim(mail_.pk, now=timezone.now()) is None  # already "sending"
    assert delivery.deliver(mail_.pk) is None
    assert mail.outbox == []


def test_the_sweep_puts_back_what_a_dead_worker_left_and_what_lost_its_job():
    stuck, lost = queued(), queued(to="lost@example.cn")
    long_ago = timezone.now() - dt.timedelta(hours=1)
    OutgoingMail.objects.filter(pk=stuck.pk).update(state=MailState.SENDING, claimed_at=long_ago)
    OutgoingMail.objects.filter(pk=lost.pk).update(next_attempt_at=long_ago)
    DBTaskResult.objects.all().delete()  # the jobs are gone (a restored backup, say)

    result = sweep_outbox.call()

    assert result == {"released": 1, "enqueued": 2}
    run_jobs()
    assert sorted(m.to[0] for m in mail.outbox) == ["lianxi@example.cn", "lost@example.cn"]
    assert set(OutgoingMail.objects.values_list("state", flat=True)) == {MailState.SENT}


def test_a_mail_being_sent_just_now_is_left_alone_by_the_sweep():
    sending = queued()
    OutgoingMail.objects.filter(pk=sending.pk).update(
        state=MailState.SENDING, claimed_at=timezone.now()
    )
    assert sweep_outbox.call()["released"] == 0


def hanging_server() -> tuple[int, threading.Event]:
    """A mail server that accepts the connection and never says a word."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    stop = threading.Event()
    held = []

    def serve():
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except TimeoutError:
                continue
        for conn in held:
            conn.close()
        listener.close()

    threading.Thread(target=serve, daemon=True).start()
    return listener.getsockname()[1], stop


def test_a_hanging_mail_server_holds_the_worker_only_for_the_timeout(settings, call, client):
    port, stop = hanging_server()
    try:
        for name, value in SERVER_DOWN.items():
            setattr(settings, name, value)
        settings.EMAIL_PORT = port
        settings.EMAIL_TIMEOUT = 1
        started = time.monotonic()
        application, _token = create_application(call, 1, action="draft")
        assert time.monotonic() - started < 1  # the save never talks to the mail server
        started = time.monotonic()
        run_jobs()
        assert time.monotonic() - started < 5
    finally:
        stop.set()
    receipt = OutgoingMail.objects.get(application=application)
    assert receipt.state == MailState.QUEUED and receipt.attempts == 1
    assert "timed out" in receipt.last_error


def test_services_write_the_decision_mail_in_their_transaction(call):
    application, _ = create_application(call, 1)
    call.required_recommendations = 0
    call.save()
    boss = selector()
    services.decide(decision="waitlist", application=application, actor=boss)
    assert not OutgoingMail.objects.filter(kind="decision_waitlisted").exists()  # staged
    with pytest.raises(RuntimeError), transaction.atomic():
        services.decisions_release(call=call, actor=boss)
        assert OutgoingMail.objects.filter(kind="decision_waitlisted").count() == 1
        raise RuntimeError("rolled back")
    assert not OutgoingMail.objects.filter(kind="decision_waitlisted").exists()
    application.refresh_from_db()
    assert application.pending_decision == "waitlist"  # still pending, as before the release


@override_settings()
def test_djangos_own_mail_settings_are_read_from_the_environment(tmp_path):
    """EMAIL_BACKEND=…filebased… with EMAIL_FILE_PATH: the mails land in that folder."""
    folder = tmp_path / "mails"
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SECRET_KEY": "x" * 50,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(folder),
        "EMAIL_TIMEOUT": "3",
    }
    script = (
        "from django.conf import settings; from django.core.mail import send_mail;"
        "print(settings.EMAIL_TIMEOUT);"
        "send_mail('主题', '正文', None, ['a@example.cn'])"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "3"
    [written] = list(folder.iterdir())
    assert "a@example.cn" in written.read_text()


def test_the_admin_list_names_kinds_and_shows_next_attempts_only_for_waiting_mail(client, call):
    sent = queued(kind="receipt", subject="申报回执 CQO-2021-0001")
    delivery.deliver(sent.pk)
    queued(kind="decision_selected", to="waiting@example.cn")
    queued(kind="made_up_kind", to="old@example.cn")
    client.force_login(selector())
    html = client.get("/admin/outbox/outgoingmail/").content.decode()
    # The filter and the column say what each mail is, not its template's key; a kind no
    # app names shows its key rather than nothing.
    for label in ("申报回执（专属链接）", "结果通知：入选", "made_up_kind"):
        assert label in html, label
    assert "?kind=decision_selected" in html and ">decision_selected<" not in html
    rows = {
        row.split('class="field-to">')[1].split("<")[0]: row
        for row in html.split("<tr")[1:]
        if 'class="field-to"' in row
    }

    def next_attempt(row: str) -> str:
        return row.split('class="field-next_attempt')[1].split("</td>")[0].split(">", 1)[1]

    assert next_attempt(rows["lianxi@example.cn"]) == "-"  # sent: no next attempt
    waiting_cell = next_attempt(rows["waiting@example.cn"])
    assert waiting_cell != "-" and f"{timezone.localdate().year}年" in waiting_cell
    filtered = client.get("/admin/outbox/outgoingmail/?kind=receipt").content.decode()
    assert "lianxi@example.cn" in filtered and "waiting@example.cn" not in filtered
    assert "outbox/outbox-admin" in html
