"""/readyz's look at the job queue: is the worker keeping up? (django-health-check)"""

import dataclasses
import datetime

from asgiref.sync import sync_to_async
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from health_check.base import HealthCheck
from health_check.exceptions import ServiceUnavailable


def oldest_wait(now: datetime.datetime) -> datetime.timedelta | None:
    """How long the oldest job that is due has been waiting (None: nothing waits)."""
    due = (
        DBTaskResult.objects.ready().order_by("enqueued_at").values_list("enqueued_at", "run_after")
    )
    first = due.first()
    if first is None:
        return None
    enqueued_at, run_after = first
    since = enqueued_at if run_after.year >= 9999 else max(enqueued_at, run_after)
    return now - since


@dataclasses.dataclass
class QueueBacklog(HealthCheck):
    """Unavailable when a due job has waited more than ``max_wait_seconds``: no worker
    runs, or the workers cannot keep up (mails then wait; nothing is lost)."""

    max_wait_seconds: int = 600

    async def run(self) -> None:
        waited = await sync_to_async(oldest_wait)(timezone.now())
        if waited is not None and waited.total_seconds() > self.max_wait_seconds:
            raise ServiceUnavailable(
                f"oldest waiting job: {int(waited.total_seconds() // 60)} minutes"
            )
