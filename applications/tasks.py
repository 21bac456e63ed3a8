"""Periodic jobs of the portal, enqueued by ``manage.py run_scheduler`` (``schedule.py``)
and run by the worker (``manage.py db_worker``). Each is idempotent: run twice, it does
nothing more than run once."""

from __future__ import annotations

import datetime
import io

from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from applications import services
from applications.models import Application, Call
from outbox.jobs import task


@task()
def remind_drafts() -> int:
    """Drafts of the open calls, once each, a few days before the deadline."""
    now = timezone.now()
    calls = Call.objects.filter(opens_at__lte=now, deadline__gt=now)
    return sum(
        len(services.drafts_remind(call=call, within_days=settings.DRAFT_REMINDER_DAYS, now=now))
        for call in calls
    )


@task()
def cleanup_orphan_files() -> str:
    """Kept uploads past their age, and files no row refers to (an hour's grace)."""
    out = io.StringIO()
    call_command("cleanup_orphan_files", stdout=out)
    return out.getvalue().strip()


@task()
def purge_personal_data() -> int:
    """PIPL: once a call's deadline is PERSONAL_DATA_RETENTION_DAYS past, erase the personal
    data of its applications that were not selected (and have not changed since)."""
    days = settings.PERSONAL_DATA_RETENTION_DAYS
    now = timezone.now()
    calls = Call.objects.filter(deadline__lt=now - datetime.timedelta(days=days))
    return sum(
        len(services.personal_data_purge(call=call, older_than_days=days, now=now))
        for call in calls
    )


@task()
def expire_unconfirmed_drafts() -> str:
    """Drafts whose contact address was not confirmed in time, deleted with their files."""
    drafts, files = services.unconfirmed_drafts_expire()
    return f"{drafts} drafts, {files} files"


@task()
def resend_links(email: str) -> int:
    """ "找回专属链接": a new link to every application of ``email``, in whichever call. A job,
    so that the page answers as fast for a known address as for an unknown one."""
    return services.application_resend_links(email=email)


@task()
def duplicate_link(application_id: int) -> int:
    """Someone tried to apply again with this application's unit or drafter: its contact
    gets a link (the page said "如该单位已申报，专属链接已发送到其联系邮箱")."""
    application = Application.objects.filter(pk=application_id).first()
    if application is None:
        return 0
    services.private_link_send(
        application=application, action="application.duplicate_tried", duplicate=True
    )
    return 1


@task()
def close_publicity() -> int:
    """The 公示 periods that have ended: each list becomes final, or waits for the open
    objections (the selectors are told once)."""
    now = timezone.now()
    return sum(
        services.publicity_close(call=call, now=now) == "final"
        for call in services.calls_due_to_close(now)
    )
