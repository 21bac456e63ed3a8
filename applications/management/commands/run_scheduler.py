"""Enqueue the periodic jobs at their times (applications/schedule.py); run exactly one."""

import logging

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import close_old_connections

from applications.schedule import SCHEDULE

logger = logging.getLogger(__name__)


def enqueue(job) -> None:
    result = job.enqueue()
    logger.info("Enqueued %s (%s)", job.name, result.id)


def enqueue_on_time(job) -> None:
    """What the scheduler runs at each time: hours may have passed since the last run."""
    close_old_connections()  # a connection the database dropped (a restart) meanwhile
    enqueue(job)


class Command(BaseCommand):
    help = (
        "Enqueue the portal's periodic jobs (outbox sweep, draft reminders, orphan files, "
        "personal-data purge) at their times; `manage.py db_worker` runs them. "
        "--once enqueues each job now and exits."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="enqueue every job now, exit")

    def handle(self, *args, once, **options):
        if once:
            for job, _fields in SCHEDULE:
                enqueue(job)
                self.stdout.write(f"Enqueued {job.name}.")
            return
        scheduler = BlockingScheduler(timezone=settings.TIME_ZONE)
        for job, fields in SCHEDULE:
            scheduler.add_job(
                enqueue_on_time,
                CronTrigger(timezone=settings.TIME_ZONE, **fields),
                args=[job],
                id=job.name,
                coalesce=True,  # after a pause, one run, not one per missed time
                misfire_grace_time=300,
            )
            self.stdout.write(f"Scheduled {job.name}: {fields}")
        scheduler.start()
