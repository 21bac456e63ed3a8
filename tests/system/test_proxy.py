"""Per-client limits behind a real proxy: the production server (gunicorn, with the
environment of the README's production layout) behind Debian's nginx (or, where nginx is
not installed, a small forwarding proxy that adds X-Forwarded-For as nginx does), and two
clients on two loopback addresses. One client's rate limit or admin lock-out must not
touch the other; a client's own X-Forwarded-For must never pick its bucket."""

import itertools
import os
import re
import secrets
import signal
import subprocess
import sys
from contextlib import contextmanager

import httpx
import pytest

from tests.system.servers import (
    NGINX,
    ROOT,
    forwarding_proxy,
    free_port,
    nginx,
    portal_env,
    start_gunicorn,
)

LIMIT = 3  # form POSTs per client per day, and failed admin logins per username and client
PASSWORD = secrets.token_urlsafe(12)


@pytest.fixture(scope="module")
def portal(tmp_path_factory):
    """A migrated SQLite database with the call and an organiser, and the server's env."""
    directory = tmp_path_factory.mktemp("proxy")
    env = portal_env(
        directory,
        # Per day: django-ratelimit's windows are aligned to the clock.
        RATE_LIMIT_FORM=f"{LIMIT}/d",
        AXES_FAILURE_LIMIT=str(LIMIT),
        DJANGO_SUPERUSER_PASSWORD=PASSWORD,
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "createsuperuser", "--no-input", "--username",
         "organiser", "--email", "o@example.cn"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    return env, directory


@contextmanager
def gunicorn(env):
    port = free_port()
    server = start_gunicorn(env, port)
    try:
        yield port
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)


@contextmanager
def proxied(kind, env, directory):
    """The portal behind the proxy, with DJANGO_BEHIND_PROXY=1 as the README says."""
    with gunicorn({**env, "DJANGO_BEHIND_PROXY": "1"}) as upstream:
        if kind == "nginx":
            with nginx(upstream, directory / f"nginx-{secrets.token_hex(4)}") as port:
                yield port
        else:
            with forwarding_proxy(upstream) as port:
                yield port


PROXIES = [
    pytest.param(
        "nginx", marks=pytest.mark.skipif(NGINX is None, reason="Debian's nginx not installed")
    ),
    "python",
]


# Loopback addresses, a new one for each client: the tests share the database (axes' records).
ADDRESSES = (f"127.0.0.{n}" for n in itertools.count(2))


def client(port: int) -> httpx.Client:
    """A client whose connections come from an address of its own, in 127.0.0.0/8."""
    address = next(ADDRESSES)
    return httpx.Client(
        base_url=f"http://127.0.0.1:{port}",
        transport=httpx.HTTPTransport(local_address=address),
        timeout=30,
    )


APPLY = "/calls/cqo-2021/apply/"  # the form of the call seed_call makes


def csrf_token(session: httpx.Client, path: str) -> str:
    page = session.get(path)
    assert page.status_code == 200, page.text
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)


def post_form(session: httpx.Client, *, forged: str | None = None) -> int:
    token = csrf_token(session, APPLY)
    headers = {"X-Forwarded-For": forged} if forged else {}
    response = session.post(
        APPLY, data={"csrfmiddlewaretoken": token, "action": "draft"}, headers=headers
    )
    return response.status_code


def log_in(session: httpx.Client, password: str, *, forged: str | None = None) -> int:
    token = csrf_token(session, "/admin/login/")
    headers = {"X-Forwarded-For": forged} if forged else {}
    response = session.post(
        "/admin/login/?next=/admin/",
        data={
            "csrfmiddlewaretoken": token,
            "username": "organiser",
            "password": password,
            "next": "/admin/",
        },
        headers=headers,
    )
    return response.status_code


@pytest.mark.parametrize("kind", PROXIES)
def test_one_clients_form_limit_does_not_touch_another_behind_the_proxy(portal, kind):
    env, directory = portal
    with proxied(kind, env, directory) as port, client(port) as a, client(port) as b:
        # A empty form is refused with its errors (200) until A's limit is reached; A's
        # own X-Forwarded-For, a new one each time, does not give it a new bucket.
        answers = [post_form(a, forged=f"203.0.113.{i}") for i in range(LIMIT + 2)]
        assert answers == [200] * LIMIT + [429, 429]
        # B, another client behind the same proxy, still gets its form back.
        assert [post_form(b) for _ in range(LIMIT)] == [200] * LIMIT
        assert post_form(b) == 429


@pytest.mark.parametrize("kind", PROXIES)
def test_one_clients_failed_logins_do_not_lock_out_another_behind_the_proxy(portal, kind):
    env, directory = portal
    with proxied(kind, env, directory) as port, client(port) as a, client(port) as b:
        answers = [log_in(a, "wrong", forged=f"198.51.100.{i}") for i in range(LIMIT + 1)]
        # django-axes locks at the LIMIT-th failure: the lock-out page (429), even for
        # the right password from A.
        assert answers == [200] * (LIMIT - 1) + [429, 429]
        assert log_in(a, PASSWORD) == 429
        # The organiser logs in from B: the admin's redirect to its index.
        assert log_in(b, PASSWORD) == 302


def test_without_the_proxy_setting_a_forged_forwarded_for_is_ignored(portal):
    env, _directory = portal
    assert "DJANGO_BEHIND_PROXY" not in env
    with gunicorn(env) as port, client(port) as a:
        answers = [post_form(a, forged=f"192.0.2.{i}") for i in range(LIMIT + 1)]
        assert answers == [200] * LIMIT + [429]
        answers = [log_in(a, "wrong", forged=f"192.0.2.{i}") for i in range(LIMIT)]
        assert answers == [200] * (LIMIT - 1) + [429]
