"""Running the task queue's jobs in a test, as the worker (``manage.py db_worker``) would."""

import io
from unittest import mock

from django.core.management import call_command


def run_jobs() -> None:
    """Run every job that is due (mail deliveries above all), in this process, then return.

    The worker drops stale connections between jobs (``close_old_connections``); in a test
    the connection holds the test's transaction, which must stay open, so that step is
    skipped here (a test on a real worker process keeps it: tests/outbox).
    """
    with mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"):
        call_command(
            "db_worker",
            batch=True,
            interval=0,
            startup_delay=False,
            reload=False,
            verbosity=0,
            stdout=io.StringIO(),
        )
