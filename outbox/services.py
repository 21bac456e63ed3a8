"""Putting mail in the outbox, and sending a failed one again."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from outbox.models import MailState, OutgoingMail
from outbox.tasks import deliver_mail

if TYPE_CHECKING:
    from applications.models import Application


def mail_queue(
    *,
    to: str,
    subject: str,
    text: str,
    html: str = "",
    language: str,
    kind: str = "",
    application: Application | None = None,
    secrets: Iterable[str] = (),
) -> OutgoingMail:
    """Write the mail and its delivery job in the caller's transaction.

    Both are rows of our database: if the change that causes the mail is rolled back, so is
    the mail; once it commits, the mail is kept until it is sent. ``secrets`` (a private
    link) are dropped from the stored copy once the mail has been sent.
    """
    with transaction.atomic():
        mail = OutgoingMail.objects.create(
            to=to,
            subject=subject,
            text=text,
            html=html,
            language=language,
            kind=kind,
            application=application,
            secrets=[s for s in secrets if s],
            next_attempt_at=timezone.now(),
        )
        deliver_mail.enqueue(mail.pk)
    return mail


def mail_resend(mail: OutgoingMail) -> bool:
    """An organiser sends a failed mail again: back in the queue, attempts counted afresh."""
    with transaction.atomic():
        requeued = OutgoingMail.objects.filter(pk=mail.pk, state=MailState.FAILED).update(
            state=MailState.QUEUED, attempts=0, next_attempt_at=timezone.now()
        )
        if requeued:
            deliver_mail.enqueue(mail.pk)
    return bool(requeued)


def mails_forget(*, application_id: int) -> int:
    """Delete every mail of an application that is itself being deleted (an unconfirmed
    draft that expired): its address and texts are nobody's record. Returns how many."""
    deleted, _detail = OutgoingMail.objects.filter(application_id=application_id).delete()
    return deleted
