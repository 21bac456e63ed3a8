"""PostgreSQL restarted between two requests: the next request still succeeds.

A real gunicorn worker keeps its database connection between requests (CONN_MAX_AGE); the
test then ends the server's connections to the database, as a PostgreSQL restart or a
failover does, and asks again. Django's CONN_HEALTH_CHECKS notices the dead connection at
the start of the request and opens a new one, instead of failing the request with
"terminating connection due to administrator command".
"""

import os
import secrets
import urllib.request

import pytest
from django.db import connection

from tests.factories import create_application
from tests.system.test_crash import free_port, start_gunicorn

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="PostgreSQL's own behaviour (CI sets DATABASE_URL)",
    ),
]


APP_NAME = "restart-test-server"  # libpq's PGAPPNAME: the server's connections carry it


def terminate_server_connections() -> int:
    """What a restart does to the server's connections (others of this test run are spared)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND application_name = %s",
            [APP_NAME],
        )
        return cursor.fetchone()[0]


def server_connections() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND application_name = %s",
            [APP_NAME],
        )
        return cursor.fetchone()[0]


def get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=20) as response:
        return response.status, response.read().decode()


def test_the_next_request_after_a_database_restart_succeeds(call, tmp_path):
    application, token = create_application(call, 1)
    db = connection.settings_dict
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    env.update(
        DJANGO_SETTINGS_MODULE="chiefquality.settings",
        DJANGO_DEBUG="0",
        DJANGO_HTTPS="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_CONN_MAX_AGE="600",  # the worker keeps its connection between requests
        DATABASE_URL=(
            f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
        ),
        MEDIA_ROOT=str(tmp_path / "media"),
        PGAPPNAME=APP_NAME,
    )
    port = free_port()
    server = start_gunicorn(env, port)
    private = f"http://127.0.0.1:{port}/a/{application.reference}/{token}/"
    try:
        status, html = get(private)
        assert status == 200 and application.reference in html
        assert server_connections() == 1  # the worker's, kept open

        assert terminate_server_connections() == 1

        status, html = get(private)
        assert status == 200 and application.reference in html
        assert get(f"http://127.0.0.1:{port}/healthz") == (200, "ok")
    finally:
        server.terminate()
        server.wait(10)
