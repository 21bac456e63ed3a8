"""Delivering one queued mail: claim it, send it, record the outcome.

A mail is claimed by a conditional UPDATE (queued and due → sending), so two workers, or a
job run twice, never send it twice at once. If the SMTP server refuses or does not answer
(``EMAIL_TIMEOUT``), the mail goes back to the queue after the next delay of ``BACKOFF``;
after the last one it is ``failed`` and shown to organisers, who may resend it. A worker
killed while sending leaves the mail ``sending``: the sweep puts it back after
``STUCK_AFTER``, so it is sent at least once (twice if the server had accepted it just
before the kill: the delivery cannot know).
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from outbox.models import MailState, OutgoingMail

logger = logging.getLogger(__name__)

# The delay before each retry; one attempt plus one per delay, then the mail is failed.
BACKOFF = (
    datetime.timedelta(minutes=1),
    datetime.timedelta(minutes=5),
    datetime.timedelta(minutes=30),
    datetime.timedelta(hours=2),
)
MAX_ATTEMPTS = len(BACKOFF) + 1
# A mail still "sending" after this long was left by a worker that died.
STUCK_AFTER = datetime.timedelta(minutes=10)
# What replaces a private link in the stored copy once the mail has gone.
REDACTED = _("〔专属链接已随邮件发出，平台不再保存〕")


def claim(mail_id: int, *, now: datetime.datetime) -> OutgoingMail | None:
    """Mark a queued, due mail as being sent; None when it is not (sent, taken, not due)."""
    claimed = OutgoingMail.objects.filter(
        pk=mail_id, state=MailState.QUEUED, next_attempt_at__lte=now
    ).update(state=MailState.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    if not claimed:
        return None
    return OutgoingMail.objects.get(pk=mail_id)


def message(mail: OutgoingMail) -> EmailMultiAlternatives:
    built = EmailMultiAlternatives(
        subject=mail.subject,
        body=mail.text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[mail.to],
        headers={"Content-Language": mail.language},
    )
    if mail.html:
        built.attach_alternative(mail.html, "text/html")
    return built


def redact(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        text = text.replace(secret, str(REDACTED))
    return text


def deliver(mail_id: int, *, now: datetime.datetime | None = None) -> datetime.datetime | None:
    """Send one mail if it is queued and due.

    Returns when to try again (the caller enqueues that retry), or None: sent, failed for
    good, or not this call's to send.
    """
    now = now or timezone.now()
    mail = claim(mail_id, now=now)
    if mail is None:
        return None
    try:
        message(mail).send()
    except Exception as exc:  # any failure of the mail server or its connection
        return _record_failure(mail, exc, now=now)
    OutgoingMail.objects.filter(pk=mail.pk).update(
        state=MailState.SENT,
        sent_at=timezone.now(),
        last_error="",
        text=redact(mail.text, mail.secrets),
        html=redact(mail.html, mail.secrets),
        secrets=[],
    )
    return None


def _record_failure(
    mail: OutgoingMail, exc: Exception, *, now: datetime.datetime
) -> datetime.datetime | None:
    error = f"{type(exc).__name__}: {exc}"[:2000]
    if mail.attempts >= MAX_ATTEMPTS:
        logger.error("Mail %s to an applicant failed for good: %s", mail.pk, error)
        OutgoingMail.objects.filter(pk=mail.pk).update(state=MailState.FAILED, last_error=error)
        return None
    retry_at = now + BACKOFF[mail.attempts - 1]
    logger.warning(
        "Mail %s not sent (attempt %s), retry at %s: %s", mail.pk, mail.attempts, retry_at, error
    )
    OutgoingMail.objects.filter(pk=mail.pk).update(
        state=MailState.QUEUED, last_error=error, next_attempt_at=retry_at
    )
    return retry_at


def release_stuck(*, now: datetime.datetime) -> list[int]:
    """Put back in the queue the mails a dead worker left ``sending``; returns them."""
    stuck = OutgoingMail.objects.filter(state=MailState.SENDING, claimed_at__lt=now - STUCK_AFTER)
    released = []
    for mail_id in stuck.values_list("pk", flat=True):
        # Conditional, like the claim: a worker that was only slow may have finished since.
        if OutgoingMail.objects.filter(pk=mail_id, state=MailState.SENDING).update(
            state=MailState.QUEUED, next_attempt_at=now
        ):
            released.append(mail_id)
    return released


def overdue(*, now: datetime.datetime, grace: datetime.timedelta) -> list[int]:
    """Queued mails whose time has come and gone (their job lost, or not run yet)."""
    return list(
        OutgoingMail.objects.filter(
            state=MailState.QUEUED, next_attempt_at__lte=now - grace
        ).values_list("pk", flat=True)
    )
