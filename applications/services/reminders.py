"""Reminders of drafts before the deadline."""

import datetime

from django.db import transaction
from django.utils import timezone

from applications import emails, enums
from applications.models import Application, Call
from applications.services.audit import audit_write as _audit
from applications.services.locking import lock_application


def drafts_remind(
    *, call: Call, within_days: int = 3, now: datetime.datetime | None = None
) -> list[Application]:
    """E-mail every draft of ``call`` once, when its deadline is at most ``within_days`` away.

    Nothing is sent before that window or after the deadline, and a draft already reminded
    (an ``application.remind`` audit entry) is skipped, so the command can run hourly. The
    mail points to "找回专属链接" rather than carrying a link: tokens are not stored, and
    issuing a new one would break the link the applicant has. Returns the reminded drafts.
    """
    now = now or timezone.now()
    if not (call.is_open(now) and call.deadline - now <= datetime.timedelta(days=within_days)):
        return []
    reminded = []
    # An unconfirmed draft is not reminded: its mails carry no typed text, and it expires
    # long before the reminder would matter (services.confirmation).
    drafts = Application.objects.filter(
        call=call, status=enums.Status.DRAFT, email_confirmed_at__isnull=False
    ).exclude(audit_entries__action="application.remind")
    for draft in drafts:
        with transaction.atomic():
            locked = lock_application(draft)
            if locked.status != enums.Status.DRAFT:
                continue
            _audit(locked, "application.remind", deadline=call.deadline.isoformat())
            emails.send_reminder(locked)
        reminded.append(locked)
    return reminded
