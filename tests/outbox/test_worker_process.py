"""A real worker process: killed (SIGKILL) in the middle of a delivery, the mail is sent once
after a new worker starts and the sweep has put it back. PostgreSQL only: the worker is
another process, which must see the test's committed rows."""

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from outbox.models import MailState, OutgoingMail
from outbox.services import mail_queue
from outbox.tasks import sweep_outbox
from tests.outbox.test_delivery import hanging_server

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="a worker process shares the test database on PostgreSQL (CI sets DATABASE_URL)",
    ),
]


def database_url() -> str:
    s = connection.settings_dict
    return f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def start_worker(tmp_path: Path, **mail_env: str) -> subprocess.Popen:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DJANGO_SECRET_KEY": "x" * 50,
        "DATABASE_URL": database_url(),
        **mail_env,
    }
    with (tmp_path / "worker.log").open("ab") as log:  # the child keeps its own descriptor
        return subprocess.Popen(
            [sys.executable, "manage.py", "db_worker", "--no-reload", "--interval", "0.2"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def wait_for(predicate, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.1)


def state(mail) -> str:
    return OutgoingMail.objects.get(pk=mail.pk).state


def test_a_worker_killed_mid_delivery_loses_no_mail_and_sends_it_once(tmp_path):
    mail = mail_queue(to="a@example.cn", subject="回执", text="正文", language="zh-hans")
    port, stop = hanging_server()
    worker = start_worker(
        tmp_path,
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(port),
        EMAIL_TIMEOUT="60",
    )
    try:
        wait_for(lambda: state(mail) == MailState.SENDING)  # the server never answers
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            worker.kill()
        stop.set()
    assert state(mail) == MailState.SENDING  # left behind by the dead worker

    # Ten minutes later the sweep puts it back; a new worker (the server is back) sends it.
    OutgoingMail.objects.filter(pk=mail.pk).update(
        claimed_at=timezone.now() - dt.timedelta(minutes=11)
    )
    assert sweep_outbox.call() == {"released": 1, "enqueued": 1}
    folder = tmp_path / "sent"
    worker = start_worker(
        tmp_path,
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(folder),
    )
    try:
        wait_for(lambda: state(mail) == MailState.SENT)
        time.sleep(1)  # the first job of the dead worker must not send it again
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=10)
        except subprocess.TimeoutExpired:
            worker.kill()
    [written] = list(folder.iterdir())
    assert "a@example.cn" in written.read_text()
    assert OutgoingMail.objects.get(pk=mail.pk).attempts == 2
