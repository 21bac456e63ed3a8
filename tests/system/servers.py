"""Real servers for the system tests: gunicorn on its own SQLite file, and the proxies in
front of it (Debian's nginx with a generated configuration, or a small forwarding proxy
that adds X-Forwarded-For as nginx does). Everything listens on free loopback ports."""

import http.client
import http.server
import os
import secrets
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, process: subprocess.Popen, what: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"{what} exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"{what} did not start")


def start_gunicorn(
    env: dict, port: int, *, log=subprocess.DEVNULL, extra: tuple[str, ...] = ()
) -> subprocess.Popen:
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "chiefquality.wsgi",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            "1",
            "--timeout",
            "120",
            *extra,
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=log,
        start_new_session=True,
    )
    try:
        wait_for(f"http://127.0.0.1:{port}/healthz", server, "gunicorn")
    except AssertionError:
        server.kill()
        raise
    return server


def portal_env(directory: Path, **extra: str) -> dict:
    """The environment of a production server on its own migrated SQLite database (with the
    seeded call) and media folder under ``directory``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    for name in ("REDIS_URL", "FILE_UPLOAD_TEMP_DIR", "SITE_URL"):
        env.pop(name, None)
    env.update(
        DJANGO_SETTINGS_MODULE="chiefquality.settings",
        DJANGO_DEBUG="0",
        DJANGO_HTTPS="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=f"sqlite:///{directory / 'db.sqlite3'}",
        MEDIA_ROOT=str(directory / "media"),
        **extra,
    )
    for args in (["migrate", "--no-input"], ["seed_call", "--deadline", "2099-12-31"]):
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stdout + result.stderr
    return env


# The README's nginx layout (section "Production"), on loopback ports, without TLS.
NGINX_CONF = """\
{user}
worker_processes 1;
daemon off;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    client_max_body_size 60m;
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://127.0.0.1:{upstream};
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        }}
    }}
}}
"""


@contextmanager
def nginx(upstream: int, directory: Path) -> Iterator[int]:
    """Debian's nginx in front of 127.0.0.1:``upstream``; yields the port it listens on."""
    assert NGINX
    directory.mkdir(parents=True, exist_ok=True)
    port = free_port()
    conf = directory / "nginx.conf"
    conf.write_text(
        NGINX_CONF.format(
            user="user root;" if os.geteuid() == 0 else "",
            dir=directory,
            port=port,
            upstream=upstream,
        )
    )
    process = subprocess.Popen(
        [NGINX, "-p", str(directory), "-c", str(conf)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait_for(f"http://127.0.0.1:{port}/healthz", process, "nginx")
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)


HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "upgrade", "trailer"}


@contextmanager
def forwarding_proxy(upstream: int) -> Iterator[int]:
    """A proxy written here, for machines without nginx: like nginx's
    ``proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for``, it appends the address
    of the connection it accepted to the client's X-Forwarded-For."""

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def forward(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
            headers.pop("X-Forwarded-For", None)
            earlier = ", ".join(self.headers.get_all("X-Forwarded-For") or [])
            client = self.client_address[0]
            headers["X-Forwarded-For"] = f"{earlier}, {client}" if earlier else client
            headers["X-Forwarded-Proto"] = "http"
            upstream_connection = http.client.HTTPConnection("127.0.0.1", upstream, timeout=30)
            upstream_connection.request(self.command, self.path, body=body, headers=headers)
            response = upstream_connection.getresponse()
            content = response.read()
            self.send_response(response.status)
            for name, value in response.getheaders():
                if name.lower() not in HOP_BY_HOP and name.lower() != "content-length":
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)
            upstream_connection.close()

        do_GET = do_POST = do_HEAD = forward

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()
