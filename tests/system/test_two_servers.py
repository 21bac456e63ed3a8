"""Two app servers side by side, as behind a load balancer: two gunicorns on two ports, each
with its own local folder, sharing PostgreSQL, Redis and the bucket, and one worker.

What one server does, the other sees: a file uploaded through A downloads through B; an
edit of the call in admin on A shows on B's cached public page within a second; a rate
limit counts requests to both; a login made on A holds on B; the mails of A's request go
out through the worker. PostgreSQL only: the servers share the test's database.
"""

import html.parser
import os
import re
import secrets
import signal
import subprocess
import sys
import time

import httpx
import pytest
import redis
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.contrib.auth.models import User
from django.db import connection

from applications import demo
from applications.models import Application
from outbox.models import OutgoingMail
from tests.factories import CONFIRM_LINK, form_data
from tests.system.servers import ROOT, free_port, start_gunicorn

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="the servers share the test database on PostgreSQL (CI sets DATABASE_URL)",
    ),
]

REDIS_DB = 11  # a database of the machine's Redis for this test alone, emptied first
PASSWORD = "two servers, one portal"


class FormFields(html.parser.HTMLParser):
    """The fields a browser would send for the form with ``form_id``, as they stand."""

    def __init__(self, form_id: str):
        super().__init__()
        self.form_id, self.inside, self.fields = form_id, False, []
        self._select, self._textarea = None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("id") == self.form_id:
            self.inside = True
        if not self.inside or ("name" not in a and tag != "option"):
            return
        if tag == "input":
            kind = a.get("type", "text")
            if kind in {"submit", "button", "file", "image", "reset"}:
                return
            if kind in {"checkbox", "radio"} and "checked" not in a:
                return
            self.fields.append((a["name"], a.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "select":
            self._select = a["name"]
        elif tag == "option" and self._select and "selected" in a:
            self.fields.append((self._select, a.get("value", "")))
        elif tag == "textarea":
            self._textarea = [a["name"], ""]

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self.fields.append(tuple(self._textarea))
            self._textarea = None


def fields_of(page: str, form_id: str) -> list[tuple[str, str]]:
    parser = FormFields(form_id)
    parser.feed(page)
    return parser.fields


def csrf_of(page: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)


@pytest.fixture
def cluster(tmp_path, call, s3_server):
    """Servers A and B and a worker, on the test's database, one Redis and one bucket."""
    bucket = f"two-{secrets.token_hex(6)}"
    s3_server.client().create_bucket(Bucket=bucket)
    redis_url = f"redis://127.0.0.1:6379/{REDIS_DB}"
    redis.Redis.from_url(redis_url).flushdb()
    db = connection.settings_dict
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    base.update(
        DJANGO_SETTINGS_MODULE="chiefquality.settings",
        DJANGO_DEBUG="0",
        DJANGO_HTTPS="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),  # the same on every server
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
        f"/{db['NAME']}",
        REDIS_URL=redis_url,
        STORAGE_URL=s3_server.storage_url(bucket),
        RATE_LIMIT_RESEND="3/h",
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(tmp_path / "mails"),
    )
    servers, processes = {}, []
    try:
        for name in ("A", "B"):
            port = free_port()
            env = {**base, "MEDIA_ROOT": str(tmp_path / f"media-{name}")}
            env["SITE_URL"] = f"http://127.0.0.1:{port}"
            log = (tmp_path / f"gunicorn-{name}.log").open("wb")
            processes.append(start_gunicorn(env, port, log=log))
            log.close()
            servers[name] = f"http://127.0.0.1:{port}"
        with (tmp_path / "worker.log").open("wb") as log:
            processes.append(
                subprocess.Popen(
                    [sys.executable, "manage.py", "db_worker", "--no-reload", "--interval", "0.2"],
                    cwd=ROOT,
                    env=base,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )
        yield servers, tmp_path / "mails"
    finally:
        for process in processes:  # gunicorn's master and its worker: the whole group
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        with connection.cursor() as cursor:  # their sessions, before the database goes
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )


def mailed_confirmation_token(mails) -> str:
    """The confirmation link's token: from the outbox while the mail waits, else from the
    mail the worker wrote (the stored copy drops the link once sent)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        texts = list(OutgoingMail.objects.filter(kind="confirm").values_list("text", flat=True))
        texts += [p.read_text() for p in mails.glob("*")]
        for text in texts:
            found = CONFIRM_LINK.search(text.replace("=\n", ""))
            if found:
                return found.group(1)
        time.sleep(0.2)
    raise AssertionError("no confirmation link")


def test_two_servers_share_files_cache_limits_sessions_and_the_worker(call, cluster):
    (servers, mails) = cluster
    a = httpx.Client(base_url=servers["A"], timeout=30)
    b = httpx.Client(base_url=servers["B"], timeout=30)

    # 1. Apply on A, with a seal scan; download the scan through B with the private link.
    apply = f"/calls/{call.code}/apply/"
    form = a.get(apply)
    assert form.status_code == 200
    seal = demo.seal_scan_png()
    response = a.post(
        apply,
        data={**form_data(call, 1, action="submit"), "csrfmiddlewaretoken": csrf_of(form.text)},
        files={"seal_scan": ("盖章扫描件.png", seal, "image/png")},
        headers={"Referer": f"{servers['A']}{apply}"},
    )
    assert response.status_code == 303, response.text[:2000]
    assert response.headers["location"] == f"/calls/{call.code}/apply/check-mail/"
    # The applicant opens the link of the confirmation mail (on A): the private page.
    opened = a.get(f"/confirm/{mailed_confirmation_token(mails)}/")
    assert opened.status_code == 303, opened.text[:2000]
    private = opened.headers["location"]
    assert re.fullmatch(r"/a/CQO-2021-0001/[\w-]+/", private)
    downloaded = httpx.get(f"{servers['B']}{private}files/seal_scan/", timeout=30)
    assert downloaded.status_code == 200
    assert downloaded.content == seal
    assert not any(p for p in (mails.parent / "media-B").rglob("*") if p.is_file())

    # The address confirmation, the receipt and the submission, sent by the worker, not by A.
    deadline = time.monotonic() + 30
    while len(list(mails.glob("*"))) < 3 and time.monotonic() < deadline:
        time.sleep(0.2)
    sent = "".join(p.read_text() for p in mails.glob("*"))
    assert sent.count("To: ") == 3 and Application.objects.get().contact_email in sent

    # 2. A login made on A holds on B (sessions in the database, behind the shared cache).
    User.objects.create(
        username="boss",
        is_staff=True,
        is_superuser=True,
        password=PBKDF2PasswordHasher().encode(PASSWORD, secrets.token_hex(8)),
    )
    admin = httpx.Client(base_url=servers["A"], timeout=30)
    login = admin.get("/admin/login/")
    done = admin.post(
        "/admin/login/?next=/admin/",
        data={"username": "boss", "password": PASSWORD, "csrfmiddlewaretoken": csrf_of(login.text)},
        headers={"Referer": f"{servers['A']}/admin/login/"},
    )
    assert done.status_code == 302, done.text[:1000]
    on_b = httpx.get(f"{servers['B']}/admin/", cookies=admin.cookies, timeout=30)
    assert on_b.status_code == 200 and "boss" in on_b.text

    # 3. An edit of the call in admin on A reaches B's cached public page within a second.
    assert call.title in b.get("/").text  # B keeps the page now
    change = f"/admin/applications/call/{call.pk}/change/"
    page = admin.get(change)
    assert page.status_code == 200
    fields = [(k, v) for k, v in fields_of(page.text, "call_form") if k != "title"]
    new_title = call.title + "（第二轮）"
    data: dict[str, list[str]] = {}
    for key, value in [*fields, ("title", new_title), ("_save", "保存")]:
        data.setdefault(key, []).append(value)
    saved = admin.post(
        change,
        data=data,
        headers={"Referer": f"{servers['A']}{change}"},
    )
    assert saved.status_code == 302, re.findall(r'class="errorlist[^>]*>(.*?)</ul>', saved.text)
    started = time.monotonic()
    while new_title not in b.get("/").text:
        assert time.monotonic() - started < 1.5, "B still shows the old title"
        time.sleep(0.1)

    # 4. The link page's limit (3 an hour here) counts the requests to both servers.
    def ask(client: httpx.Client, number: int) -> int:
        page = client.get("/link/")
        return client.post(
            "/link/",
            data={"email": f"u{number}@example.cn", "csrfmiddlewaretoken": csrf_of(page.text)},
            headers={"Referer": f"{client.base_url}link/"},
        ).status_code

    assert [ask(a, 1), ask(b, 2), ask(a, 3)] == [200, 200, 200]
    assert ask(b, 4) == 429
