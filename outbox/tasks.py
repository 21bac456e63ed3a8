"""Jobs of the outbox: deliver one mail, and the sweep that catches what was missed."""

from __future__ import annotations

import datetime

from django.utils import timezone

from outbox import delivery
from outbox.jobs import task

# A queued mail this late with no delivery is re-enqueued by the sweep.
SWEEP_GRACE = datetime.timedelta(minutes=2)


@task()
def deliver_mail(mail_id: int) -> str:
    retry_at = delivery.deliver(mail_id)
    if retry_at is None:
        return "done"
    deliver_mail.using(run_after=retry_at).enqueue(mail_id)
    return f"retry at {retry_at.isoformat()}"


@task()
def sweep_outbox() -> dict[str, int]:
    """Every few minutes: mails left "sending" by a dead worker, and queued mails whose job
    was lost, get a delivery job again (a mail is claimed before it is sent, so a second
    job for the same mail does nothing)."""
    now = timezone.now()
    released = delivery.release_stuck(now=now)
    overdue = delivery.overdue(now=now, grace=SWEEP_GRACE)
    for mail_id in [*released, *overdue]:
        deliver_mail.enqueue(mail_id)
    return {"released": len(released), "enqueued": len(released) + len(overdue)}
