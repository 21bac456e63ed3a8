"""Two paths where hand-written code stands in for Django's: the private page (its link's
stamp, read on every view) and the admin change list (its action checkbox, on every row).

    .venv/bin/python bench/link_and_list.py [--seconds 5] [--rounds 5] [--applications 1000]
    .venv/bin/python bench/link_and_list.py --reuse --link /a/… [--only stamp] [--requests 2000]

Run it in two trees to compare them. It serves this tree as bench/run.py does (gunicorn,
DJANGO_DEBUG=0, PostgreSQL, Redis) and drives the floor, the call page, one applicant's
private page and the change list (100 rows a page) with wrk, the URLs alternating, several
rounds: median throughput, p50 and each path's ratio to the floor. Then, in this process
(Django's test client, same database), medians: ``private_link_stamp`` alone, a private page
and the call page (both kept in the worker's cache), a change list page. ``--reuse`` keeps
the database of an earlier run and skips the server, and ``--only`` times one of the four:
for timing the whole process from outside, two trees in turn.

Needs PostgreSQL at 127.0.0.1:5432 (user postgres; the database, `bench_link_and_list`
unless --database says otherwise, is dropped and re-created), Redis at 127.0.0.1:6379 and
Debian's `wrk`.
"""

import argparse
import io
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import recreate_database, vacuum_analyze  # noqa: E402
from bench.run import Server, median_of, wrk  # noqa: E402


def environment(database: str, redis_db: int, media: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_HTTPS": "0",
        "DJANGO_SECRET_KEY": "bench-" + "k" * 50,  # the same in every process: sessions
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,testserver",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{database}",
        "REDIS_URL": f"redis://127.0.0.1:6379/{redis_db}",
        "MEDIA_ROOT": str(media),
        "STATIC_ROOT": str(media / "static"),
        "DJANGO_STATIC_MANIFEST": "1",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "DJANGO_LOG_LEVEL": "WARNING",
    }


def seed(database: str, applications: int) -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("seed_call", "--deadline", "2099-12-31", stdout=io.StringIO())
    call_command(
        "seed_demo", "--applications", str(applications), "--reviews", "0.7", stdout=io.StringIO()
    )
    vacuum_analyze(database)


def private_link() -> str:
    """The private page of a new draft application."""
    import datetime
    import random

    from applications import demo, services
    from applications.models import Call

    call = Call.objects.get()
    application, token = services.application_create(
        call=call,
        values=demo.application_values(random.Random(7), 99999, today=datetime.date.today()),
        standards=list(call.standards.all()[:1]),
        files={},
        action="draft",
    )
    return f"/a/{application.reference}/{token}/"


def admin_client():
    from django.contrib.auth import get_user_model
    from django.test import Client

    user, _ = get_user_model().objects.get_or_create(
        username="bench-admin", defaults={"is_staff": True, "is_superuser": True}
    )
    client = Client()
    client.force_login(user)
    return client


def median_ms(action, count: int) -> float:
    samples = []
    for _ in range(count):
        started = time.perf_counter()
        action()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples) * 1000


def in_process(link: str, requests: int, only: str | None) -> None:
    from django.test import Client

    from applications.queries import private_link_stamp

    _, _, reference, token, _ = link.split("/")
    applicant, organiser = Client(), admin_client()
    assert applicant.get(link).status_code == 200
    assert organiser.get("/admin/applications/application/").status_code == 200
    visitor = Client()  # no cookie: the call page comes from the worker's cache
    actions = {
        "stamp": (lambda: private_link_stamp(reference=reference, token=token), requests),
        "page": (lambda: applicant.get(link), requests),
        "call": (lambda: visitor.get("/"), requests),
        "changelist": (
            lambda: organiser.get("/admin/applications/application/"),
            max(1, requests // 20),
        ),
    }
    for name, (action, count) in actions.items():
        if only in (None, name):
            print(f"in process, {name}: median {median_ms(action, count):.3f} ms of {count}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--applications", type=int, default=1000)
    parser.add_argument("--database", default="bench_link_and_list")
    parser.add_argument("--redis-db", type=int, default=13)
    parser.add_argument("--requests", type=int, default=1000, help="in-process requests")
    parser.add_argument("--reuse", action="store_true", help="the database as it is; no server")
    parser.add_argument("--link", help="with --reuse: the private page to request")
    parser.add_argument("--only", choices=("stamp", "page", "call", "changelist"))
    args = parser.parse_args()

    media = Path(tempfile.mkdtemp(prefix="bench-link-"))
    env = environment(args.database, args.redis_db, media)
    if args.reuse:
        env["DJANGO_STATIC_MANIFEST"] = "0"  # nothing to collect: a quicker start
    if not args.reuse:
        recreate_database(args.database)
    os.environ.update(env)
    import django

    django.setup()
    from django.core.cache import cache
    from django.core.management import call_command

    cache.clear()
    if args.reuse:
        link = args.link or parser.error("--reuse needs --link (printed by the first run)")
    else:
        call_command("collectstatic", "--no-input", verbosity=0)
        seed(args.database, args.applications)
        link = private_link()
        print(f"private page: {link}")
        organiser = admin_client()
        cookie = f"sessionid={organiser.cookies['sessionid'].value}"
        server = Server(env, args.workers)
        try:
            paths = {
                "floor": ("/bench/floor/", None),
                "call page": ("/", None),
                "private page": (link, None),
                "change list": ("/admin/applications/application/", cookie),
            }
            runs = {name: [] for name in paths}
            for _ in range(args.rounds):
                for name, (path, with_cookie) in paths.items():
                    runs[name].append(wrk(server.base + path, args.seconds, cookie=with_cookie))
        finally:
            server.stop()
        floor = median_of(runs["floor"], "rps")
        print(f"{'path':<16}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'× floor':>9}  non-2xx")
        for name, samples in runs.items():
            rps, p50, p99 = (median_of(samples, key) for key in ("rps", "p50", "p99"))
            bad = sum(sample["bad"] for sample in samples)
            print(f"{name:<16}{rps:>9.0f}{p50:>9.1f}{p99:>9.1f}{rps / floor:>9.2f}  {bad}")
    in_process(link, args.requests, args.only)
    shutil.rmtree(media, ignore_errors=True)


if __name__ == "__main__":
    main()
