"""Load test: no application lost in the last minute before a deadline.

Starts the production server (gunicorn, DJANGO_DEBUG=0, several workers) on a fresh
PostgreSQL database, opens the call with its deadline one minute ahead, and lets 50
concurrent clients each load the form and submit complete applications with a seal scan and
a profile PDF until 200+ have gone through. Then it checks, from the database and the disk,
that every 303 has its row and both files, that references are unique and gap-free, and
that no response was a 5xx. Prints throughput and p50/p99 latency of the POSTs.

    .venv/bin/python bench/load_submit.py [--clients 50] [--applications 250] [--workers 5]
        [--servers 2 --bucket]

With ``--servers 2`` two gunicorns, each with its own local folder, share the database, Redis
and (with ``--bucket``) an S3 bucket of a SeaweedFS server started for the run; the clients
are spread over them, and afterwards every seal scan is downloaded through *each* server
and compared byte for byte.

Needs PostgreSQL at 127.0.0.1:5432 (user postgres) and Redis at 127.0.0.1:6379; uses the
database `bench_load`, which it drops and re-creates.
"""

import argparse
import concurrent.futures
import io
import logging
import os
import random
import re
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import free_port, recreate_database  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chiefquality.settings")


def form_fields(number, standard_pks):
    import datetime as dt

    from applications import demo

    values = demo.application_values(random.Random(number), number, today=dt.date.today())
    fields = {}
    for name, value in values.items():
        if isinstance(value, bool):
            if name in ("agrees_to_declaration", "privacy_consent"):
                if value:
                    fields[name] = "on"
            else:
                fields[name] = "True" if value else "False"
        elif isinstance(value, dt.date):
            fields[name] = value.isoformat()
        else:
            fields[name] = str(value)
    fields["standards"] = [str(pk) for pk in standard_pks[: 1 + number % 3]]
    fields["action"] = "submit"
    return fields


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--applications", type=int, default=250)
    parser.add_argument("--workers", type=int, default=5)
    parser.add_argument("--database", default="bench_load")
    parser.add_argument("--servers", type=int, default=1, help="app servers side by side")
    parser.add_argument("--bucket", action="store_true", help="files in a SeaweedFS bucket")
    args = parser.parse_args()

    import django

    logging.getLogger("httpx").setLevel(logging.WARNING)
    recreate_database(args.database)
    media = Path(tempfile.mkdtemp(prefix="bench-media-"))
    weed = None
    storage = {}
    if args.bucket:
        from tests.seaweed import start_server

        weed = start_server(Path(tempfile.mkdtemp(prefix="bench-weed-")))
        weed.client().create_bucket(Bucket="bench")
        storage = {"STORAGE_URL": weed.storage_url("bench")}
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "chiefquality.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_HTTPS": "0",  # plain HTTP on localhost; TLS is the proxy's job
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{args.database}",
        "REDIS_URL": "redis://127.0.0.1:6379/15",
        "MEDIA_ROOT": str(media),
        "RATE_LIMIT_FORM": "1000000/m",  # every client comes from 127.0.0.1 here
        "RATE_LIMIT_DOWNLOAD": "1000000/m",  # and so does every read-back below
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        **storage,
    }
    os.environ.update(env)
    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from applications import demo
    from applications.models import Application, Call

    call_command("migrate", verbosity=0)
    call_command("seed_call", stdout=io.StringIO())
    call = Call.objects.get()
    call.opens_at = timezone.now() - timezone.timedelta(days=1)
    call.deadline = timezone.now() + timezone.timedelta(seconds=60)
    call.save()
    standard_pks = list(call.standards.values_list("pk", flat=True))
    seal, pdf = demo.seal_scan_png(), demo.profile_pdf()

    servers, bases = [], []
    for index in range(args.servers):
        port = free_port()
        folder = media if index == 0 else Path(tempfile.mkdtemp(prefix="bench-media-"))
        servers.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "chiefquality.wsgi",
                    "-b",
                    f"127.0.0.1:{port}",
                    "-w",
                    str(args.workers),
                    "--timeout",
                    "120",
                ],
                cwd=ROOT,
                env={**env, "MEDIA_ROOT": str(folder)},
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                start_new_session=True,
            )
        )
        bases.append(f"http://127.0.0.1:{port}")
    try:
        for base in bases:
            for _ in range(100):
                try:
                    if httpx.get(f"{base}/healthz").text == "ok":
                        break
                except httpx.HTTPError:
                    time.sleep(0.1)
        numbers = iter(range(1, args.applications + 1))
        lock = threading.Lock()
        results = []  # (number, status, seconds, location)

        def client_loop(base):
            with httpx.Client(base_url=base, timeout=120) as client:
                while True:
                    with lock:
                        number = next(numbers, None)
                    if number is None:
                        return
                    page = client.get("/calls/cqo-2021/apply/")
                    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
                    fields = form_fields(number, standard_pks)
                    fields["csrfmiddlewaretoken"] = token.group(1)
                    key = re.search(r'name="idempotency_key" value="([^"]+)"', page.text)
                    if key:
                        fields["idempotency_key"] = key.group(1)
                    files = {
                        "seal_scan": ("盖章扫描件.png", seal, "image/png"),
                        "unit_profile_file": ("单位简介.pdf", pdf, "application/pdf"),
                    }
                    started = time.perf_counter()
                    response = client.post(
                        "/calls/cqo-2021/apply/",
                        data=fields,
                        files=files,
                        headers={"Referer": f"{base}/calls/cqo-2021/apply/"},
                    )
                    elapsed = time.perf_counter() - started
                    results.append(
                        (number, response.status_code, elapsed, response.headers.get("location"))
                    )

        began = time.perf_counter()
        with concurrent.futures.ThreadPoolExecutor(args.clients) as pool:
            futures = [pool.submit(client_loop, bases[i % len(bases)]) for i in range(args.clients)]
            for future in futures:
                future.result()
        wall = time.perf_counter() - began
        # Every seal scan, through every server: the same bytes wherever it is asked for.
        unreadable = 0
        for _number, status, _seconds, location in results:
            if status != 303 or not location:
                continue
            for base in bases:
                got = httpx.get(f"{base}{location}files/seal_scan/", timeout=60)
                if got.status_code != 200 or got.content != seal:
                    unreadable += 1
                    print(f"unreadable through {base}: {location} → {got.status_code}")
    finally:
        for server in servers:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)

    statuses = {}
    for _, status, _, _ in results:
        statuses[status] = statuses.get(status, 0) + 1
    ok = [r for r in results if r[1] == 303]
    latencies = sorted(r[2] for r in ok)
    rows = list(Application.objects.order_by("reference"))
    references = [a.reference for a in rows]
    expected = [call.format_reference(n) for n in range(1, len(rows) + 1)]
    from applications.storage import private_storage

    missing_files = [
        a.reference
        for a in rows
        for field in ("seal_scan", "unit_profile_file")
        if not getattr(a, field) or not private_storage().exists(getattr(a, field).name)
    ]
    linked = {r[3].split("/")[2] for r in ok if r[3]}
    print(
        f"clients {args.clients}, servers {args.servers} x {args.workers} gunicorn workers, "
        f"files {'in a bucket' if args.bucket else 'on disk'}, wall {wall:.1f} s"
    )
    print(f"responses by status: {dict(sorted(statuses.items()))}")
    print(f"POST /apply/ successes: {len(ok)}; throughput {len(ok) / wall:.1f} applications/s")
    if latencies:
        p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
        print(
            f"POST latency p50 {statistics.median(latencies) * 1000:.0f} ms, "
            f"p99 {p99 * 1000:.0f} ms"
        )
    print(f"rows {len(rows)}; references unique and gap-free: {references == expected}")
    print(f"every success has its row: {linked == set(references)}")
    print(f"rows missing a stored file: {len(missing_files)}")
    print(f"seal scans not read back identical through every server: {unreadable}")
    if weed is not None:
        weed.stop()
    server_errors = sum(n for status, n in statuses.items() if status >= 500)
    print(f"5xx responses: {server_errors}")
    good = (
        server_errors == 0
        and references == expected
        and linked == set(references)
        and not missing_files
        and not unreadable
        and len(ok) >= min(200, args.applications)
    )
    print("RESULT:", "no application lost" if good else "PROBLEM")
    return 0 if good else 1


if __name__ == "__main__":
    sys.exit(main())
