"""Redis goes down (a real redis-server of the test's own, stopped and started again): the
public pages, the form and the admin login go on, the rate limits still count (per
process), and the cache is back when Redis is."""

import logging
import socket
import subprocess
import time

import pytest
from django.core.cache import caches
from django.urls import reverse

from applications import public_pages
from applications.models import Application
from chiefquality import cache as resilient
from tests.factories import UserFactory, form_data, seal_upload
from tests.system.servers import free_port
from tests.system.test_health import get, lines
from tests.system.test_security import PASSWORD

pytestmark = pytest.mark.django_db


class RedisServer:
    def __init__(self):
        self.port = free_port()
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self):
        self.process.kill()
        self.process.wait(timeout=10)


@pytest.fixture
def redis_server():
    server = RedisServer()
    server.start()
    yield server
    if server.process.poll() is None:
        server.stop()


@pytest.fixture
def shared_cache(settings, redis_server, monkeypatch):
    """The production cache settings (REDIS_URL set), on the test's own Redis."""
    url = f"redis://127.0.0.1:{redis_server.port}/0"
    backend = "chiefquality.cache.ResilientRedisCache"
    settings.CACHES = {
        **settings.CACHES,
        "default": {"BACKEND": backend, "LOCATION": url},
        "ratelimit": {"BACKEND": backend, "LOCATION": url, "OPTIONS": {"FALLBACK": "local"}},
    }
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    settings.RATELIMIT_USE_CACHE = "ratelimit"
    monkeypatch.setattr(resilient, "RETRY_AFTER", 0.5)
    return redis_server


def apply(client, call, number):
    return client.post(
        reverse("applications:apply", args=[call.code]),
        {**form_data(call, number), "action": "submit", "seal_scan": seal_upload()},
    )


def test_with_redis_down_the_site_goes_on_and_comes_back_with_it(
    client, call, shared_cache, caplog
):
    page = f"/calls/{call.code}/"
    assert client.get(page).status_code == 200
    assert apply(client, call, 1).status_code == 303
    assert caches["default"].available and public_pages.version() is not None

    shared_cache.stop()
    caplog.set_level(logging.WARNING, logger="chiefquality.cache")
    started = time.monotonic()
    shown = client.get(page)
    assert shown.status_code == 200 and "商贸促字〔2021〕163号" in shown.content.decode()
    assert apply(client, call, 2).status_code == 303  # the form still takes applications
    assert Application.objects.count() == 2
    assert time.monotonic() - started < 5  # nobody waits for a dead Redis
    assert not caches["default"].available
    assert public_pages.version() is None  # pages served uncached meanwhile
    assert "unreachable" in caplog.text
    ready = get(client, "/readyz")  # the load balancer hears of it
    assert ready.status_code == 503
    assert lines(ready)["Cache(alias='default')"] != "OK"
    assert lines(ready)["Database(alias='default')"] == "OK"

    # An organiser can still log in: the session is in the database.
    UserFactory(username="organiser", is_staff=True, is_superuser=True)
    login = client.post(
        "/admin/login/?next=/admin/", {"username": "organiser", "password": PASSWORD}
    )
    assert login.status_code == 302
    assert client.get("/admin/").status_code == 200

    shared_cache.start()  # Redis is back
    time.sleep(resilient.RETRY_AFTER + 0.1)
    assert client.get(page).status_code == 200
    assert caches["default"].available and public_pages.version() is not None
    assert client.get("/admin/").status_code == 200  # the login made meanwhile still holds


def test_with_redis_down_the_rate_limits_count_in_the_process(client, call, shared_cache, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "form_post": "2/d"}
    shared_cache.stop()
    assert apply(client, call, 1).status_code == 303
    assert apply(client, call, 2).status_code == 303
    assert apply(client, call, 3).status_code == 429  # still limited, in this process
    assert Application.objects.count() == 2
