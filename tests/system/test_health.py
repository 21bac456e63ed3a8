"""/healthz and /readyz, and what an operator's tools see of a failing service."""

import dataclasses
import datetime as dt
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from health_check.base import HealthCheck
from health_check.exceptions import ServiceUnavailable

from chiefquality.storage_url import storage_from_url
from outbox.tasks import deliver_mail
from tests.seaweed import free_ports

pytestmark = pytest.mark.django_db(transaction=True)


@dataclasses.dataclass
class QueueStuck(HealthCheck):
    """Stands in for the job queue's check: the oldest waiting job waited too long."""

    def run(self):
        raise ServiceUnavailable("oldest waiting job: 31 minutes")


def get(client, url: str):
    """``client.get`` in a thread of its own: /readyz is an async view, which Django runs
    through async_to_sync, refused in a thread where an event loop runs (the browser
    tests' Playwright leaves one in the main thread). The thread's database connections are
    closed before it ends, so none outlives the test (PostgreSQL would then refuse to drop
    the test database)."""

    def fetch():
        try:
            return client.get(url)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(fetch).result()


def lines(response) -> dict[str, str]:
    text = response.content.decode()
    return dict(line.split(": ", 1) for line in text.splitlines())


def test_readyz_checks_database_cache_and_storage(client):
    response = get(client, "/readyz")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert lines(response) == {
        "Database(alias='default')": "OK",
        "Cache(alias='default')": "OK",
        "Storage(alias='private')": "OK",
        "QueueBacklog(max_wait_seconds=600)": "OK",
    }
    assert "no-cache" in response["Cache-Control"]
    assert get(client, "/readyz?format=json").json()["Storage(alias='private')"] == "OK"


def test_readyz_writes_to_the_bucket_and_leaves_nothing(client, s3_bucket):
    response = get(client, "/readyz")
    assert response.status_code == 200, response.content
    assert s3_bucket.keys() == []


def test_readyz_fails_when_the_bucket_does_not_answer(client, settings, s3_server):
    (port,) = free_ports(1)
    url = s3_server.storage_url("portal").replace(
        s3_server.endpoint.removeprefix("http://"), f"127.0.0.1:{port}"
    )
    settings.STORAGES = {**settings.STORAGES, "private": storage_from_url(url)}
    response = get(client, "/readyz")
    assert response.status_code == 503
    result = lines(response)
    assert result["Database(alias='default')"] == "OK"
    assert result["Storage(alias='private')"] != "OK"
    assert client.get("/healthz").status_code == 200  # the process itself is up


def test_readyz_runs_the_extra_checks_such_as_the_queue(client, settings):
    settings.READYZ_EXTRA_CHECKS = ["tests.system.test_health.QueueStuck"]
    response = get(client, "/readyz")
    assert response.status_code == 503
    assert lines(response)["QueueStuck()"] == "Unavailable: oldest waiting job: 31 minutes"


def test_readyz_says_when_the_oldest_waiting_job_waited_too_long(client):
    result = deliver_mail.enqueue(12345)  # a job no worker has run
    assert get(client, "/readyz").status_code == 200  # just enqueued
    DBTaskResult.objects.filter(pk=result.id).update(
        enqueued_at=timezone.now() - dt.timedelta(minutes=31)
    )
    response = get(client, "/readyz")
    assert response.status_code == 503
    assert (
        lines(response)["QueueBacklog(max_wait_seconds=600)"]
        == "Unavailable: oldest waiting job: 31 minutes"
    )
    # A retry planned for later is not a backlog.
    DBTaskResult.objects.filter(pk=result.id).update(
        run_after=timezone.now() + dt.timedelta(minutes=5)
    )
    assert get(client, "/readyz").status_code == 200
