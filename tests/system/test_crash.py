"""A server killed in the middle of an upload leaves no application and nothing that the
next start's cleanup does not remove. Runs the real production server (gunicorn) in a
subprocess on its own SQLite file and media folder, and kills it with SIGKILL."""

import os
import random
import re
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request

import pytest

from applications import demo
from tests.system.servers import ROOT, free_port, start_gunicorn


@pytest.fixture
def server_env(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    env.update(
        DJANGO_SETTINGS_MODULE="chiefquality.settings",
        DJANGO_DEBUG="0",
        DJANGO_HTTPS="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        MEDIA_ROOT=str(tmp_path / "media"),
        FILE_UPLOAD_TEMP_DIR="",
    )
    env.pop("FILE_UPLOAD_TEMP_DIR")

    def manage(*args):
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    manage("migrate", "--no-input")
    manage("seed_call", "--deadline", "2099-12-31")
    return env, manage, tmp_path


def multipart(fields: dict, file_field: str, file_name: str, content: bytes, boundary: str):
    parts = []
    for name, value in fields.items():
        for item in value if isinstance(value, list) else [value]:
            disposition = f'Content-Disposition: form-data; name="{name}"'
            parts.append(f"--{boundary}\r\n{disposition}\r\n\r\n{item}\r\n".encode())
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="{file_field}"; '
        f'filename="{file_name}"\r\nContent-Type: image/png\r\n\r\n'
    ).encode()
    return b"".join(parts) + head, content + f"\r\n--{boundary}--\r\n".encode()


def test_killing_the_server_mid_upload_leaves_nothing_behind(server_env):
    env, manage, tmp_path = server_env
    port = free_port()
    server = start_gunicorn(env, port)
    try:
        with urllib.request.urlopen(
            f"http://127.0.0.1:{port}/calls/cqo-2021/apply/", timeout=10
        ) as page:
            html = page.read().decode()
            cookie = page.headers["Set-Cookie"].split(";")[0]
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
        values = demo.application_values(
            random.Random(1), 1, today=__import__("datetime").date.today()
        )
        fields = {k: str(v) for k, v in values.items() if not isinstance(v, bool)}
        fields.update(csrfmiddlewaretoken=csrf, action="submit", standards=["1"])
        boundary = "----crash" + secrets.token_hex(8)
        head, tail = multipart(
            fields, "seal_scan", "seal.png", b"\x89PNG" + b"0" * 6_000_000, boundary
        )
        length = len(head) + len(tail)
        sock = socket.create_connection(("127.0.0.1", port))
        sock.sendall(
            (
                f"POST /calls/cqo-2021/apply/ HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                f"Cookie: {cookie}\r\n"
                f"Referer: http://127.0.0.1:{port}/calls/cqo-2021/apply/\r\n"
                f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
                f"Content-Length: {length}\r\n\r\n"
            ).encode()
            + head
            + tail[:3_000_000]  # half the file, then the server dies
        )
        uploading = tmp_path / "media" / "uploading"
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            partial = list(uploading.glob("*")) if uploading.exists() else []
            if partial and partial[0].stat().st_size > 1_000_000:
                break
            time.sleep(0.1)
        else:
            raise AssertionError("the upload never reached the server's temporary folder")
    finally:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=10)
    sock.close()

    # The crash left a partial upload and no application.
    assert len(list(uploading.glob("*"))) == 1
    with sqlite3.connect(tmp_path / "db.sqlite3") as db:
        assert db.execute("select count(*) from applications_application").fetchone() == (0,)

    # The next start cleans up before serving; nothing is left anywhere under MEDIA_ROOT.
    out = manage("cleanup_orphan_files", "--grace-minutes", "0")
    assert "1 partial upload(s)" in out
    leftovers = [p for p in (tmp_path / "media").rglob("*") if p.is_file()]
    assert leftovers == []
