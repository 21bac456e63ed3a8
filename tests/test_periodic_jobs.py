"""The periodic jobs (applications/tasks.py), enqueued by run_scheduler and run by the worker."""

import datetime as dt
import io
import os

import pytest
from apscheduler.triggers.cron import CronTrigger
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from applications import schedule, tasks
from applications.models import Application
from outbox.models import MailState, OutgoingMail
from tests.factories import create_application
from tests.jobs import run_jobs

pytestmark = pytest.mark.django_db


def test_every_scheduled_job_has_a_valid_cron_and_run_scheduler_once_enqueues_each(call):
    for _job, fields in schedule.SCHEDULE:
        CronTrigger(timezone="Asia/Shanghai", **fields)  # raises on a bad field
    out = io.StringIO()
    call_command("run_scheduler", once=True, stdout=out)
    names = sorted(DBTaskResult.objects.values_list("task_path", flat=True))
    assert names == sorted(job.module_path for job, _fields in schedule.SCHEDULE)
    run_jobs()
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}


def test_the_reminder_job_mails_drafts_of_open_calls_in_their_last_days(call, settings):
    draft = create_application(call, 1, action="draft")[0]
    run_jobs()  # the receipt
    mail.outbox.clear()
    assert tasks.remind_drafts.call() == 0  # 30 days left
    call.deadline = timezone.now() + dt.timedelta(days=settings.DRAFT_REMINDER_DAYS - 1)
    call.save(update_fields=["deadline"])
    assert tasks.remind_drafts.call() == 1
    assert tasks.remind_drafts.call() == 0  # once only
    run_jobs()
    assert [m.subject for m in mail.outbox] == [f"[{draft.reference}] 申报尚未提交，即将截止"]
    assert OutgoingMail.objects.get(kind="reminder").state == MailState.SENT


def test_the_purge_job_waits_for_the_retention_period_after_the_deadline(call, settings):
    settings.PERSONAL_DATA_RETENTION_DAYS = 30
    application = create_application(call, 1)[0]
    Application.objects.filter(pk=application.pk).update(
        updated_at=timezone.now() - dt.timedelta(days=400)
    )
    assert tasks.purge_personal_data.call() == 0  # the call is still open
    call.deadline = timezone.now() - dt.timedelta(days=29)
    call.opens_at = call.deadline - dt.timedelta(days=60)
    call.save(update_fields=["deadline", "opens_at"])
    assert tasks.purge_personal_data.call() == 0  # 29 days after the deadline
    call.deadline = timezone.now() - dt.timedelta(days=31)
    call.opens_at = call.deadline - dt.timedelta(days=60)
    call.save(update_fields=["deadline", "opens_at"])
    assert tasks.purge_personal_data.call() == 1
    application.refresh_from_db()
    assert application.personal_data_purged_at is not None and application.drafter_name == ""


def test_the_cleanup_job_removes_an_orphan_file(call, settings):
    folder = settings.MEDIA_ROOT / "private"
    folder.mkdir(parents=True, exist_ok=True)
    orphan = folder / "orphan.png"
    orphan.write_bytes(b"x")
    old = (timezone.now() - dt.timedelta(hours=3)).timestamp()

    os.utime(orphan, (old, old))
    assert "1 orphan file(s)" in tasks.cleanup_orphan_files.call()
    assert not orphan.exists()
