"""The performance benchmark: every hot path as a ratio to the framework's floor.

    .venv/bin/python bench/run.py [--seconds 5] [--rounds 3] [--workers 3] [--quick]

Serves the portal with the production server and settings (gunicorn, DJANGO_DEBUG=0,
PostgreSQL, Redis cache, several workers) next to a bare Django view returning a constant
page (``/bench/floor/``, bench/urls.py). wrk drives each URL for the same time at the same
concurrency, the URLs alternating, several rounds; the table gives median throughput and
p50/p99 latency, and each page's ratio to the floor. Figures from one run only; the machine
is shared and noisy, so read the ratios, not the absolute numbers.

As the applications grow (100, 1,000, 10,000) it also times the change list, the call page
and the CSV and XLSX exports (in this process, bench/exports.py's ``measure_exports``);
bench/documents.py times the PDFs in a process of its own. One markdown table at the end
holds every target; after it, bench/profile.py's breakdown of where the time goes on the
two paths that miss theirs (the submission and the change list).

Needs: PostgreSQL at 127.0.0.1:5432 (user postgres; the database `bench_perf` is dropped
and re-created), Redis at 127.0.0.1:6379, and Debian's `wrk` (apt-get install wrk).
"""

import argparse
import io
import json
import os
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import free_port, recreate_database, vacuum_analyze  # noqa: E402
from bench.exports import EXPORTS, measure_exports  # noqa: E402
from bench.profile import changelist_parts, post_parts, print_parts  # noqa: E402

DATABASE = "bench_perf"
PDF_UNITS = 30


class Server:
    """gunicorn serving bench.settings (production settings + the floor URL)."""

    def __init__(self, env, workers):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "chiefquality.wsgi",
                "-b",
                f"127.0.0.1:{self.port}",
                "-w",
                str(workers),
                "--timeout",
                "300",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        import httpx

        for _ in range(200):
            try:
                if httpx.get(f"{self.base}/bench/floor/").text == "ok":
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError("gunicorn did not start")

    def worker_pids(self):
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(p) for p in children.read_text().split()]

    def stop(self):
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=30)


LATENCY = re.compile(r"^\s+(50|99)(?:\.000)?%\s+([\d.]+)(us|ms|s)\s*$", re.M)


def wrk(url, seconds, connections=16, cookie=None):
    """Requests/s, p50 ms, p99 ms and non-2xx/3xx count of one wrk run."""
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", url]
    if cookie:
        command[1:1] = ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    latency = {p: float(v) * scale[u] for p, v, u in LATENCY.findall(out)}
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return {
        "rps": rps,
        "p50": latency["50"],
        "p99": latency["99"],
        "bad": int(bad.group(1)) if bad else 0,
    }


def median_of(runs, key):
    return statistics.median(r[key] for r in runs)


def setup_django(env):
    os.environ.update(env)
    import django

    django.setup()


def fixture_data(n_applications):
    """Call, demo applications with verdicts, an admin session, one private link."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client

    from applications import demo, services
    from applications.models import Call

    call_command("migrate", verbosity=0)
    call_command("collectstatic", "--no-input", verbosity=0)
    call_command("seed_call", "--deadline", "2099-12-31", stdout=io.StringIO())
    call = Call.objects.get()
    started = time.perf_counter()
    call_command(
        "seed_demo",
        "--applications",
        str(n_applications),
        "--reviews",
        "0.7",
        stdout=io.StringIO(),
    )
    seed_seconds = time.perf_counter() - started
    vacuum_analyze(DATABASE)
    application, token = services.application_create(
        call=call,
        values=demo.application_values(
            __import__("random").Random(7), 99999, today=__import__("datetime").date.today()
        ),
        standards=list(call.standards.all()[:2]),
        files={},
        action="draft",
    )
    user, _ = get_user_model().objects.get_or_create(
        username="bench-admin", defaults={"is_staff": True, "is_superuser": True}
    )
    client = Client()
    client.force_login(user)
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    return {
        "call": call,
        "private": f"/a/{application.reference}/{token}/",
        "cookie": cookie,
        "seed_seconds": seed_seconds,
        "client": client,
    }


def changelist_queries(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get("/admin/applications/application/")
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/admin/applications/application/")
    assert response.status_code == 200, response.status_code
    return len(captured)


def export_responses(client) -> dict[str, type]:
    """The response class of each export view (of every application: the change list
    unfiltered), its content left unread."""
    responses = {}
    for fmt in EXPORTS:
        response = client.get(f"/organiser/applications.{fmt}")
        assert response.status_code == 200, (fmt, response.status_code)
        responses[fmt] = type(response)
        response.close()  # ends the CSV's generator, deletes the XLSX's temporary file
    return responses


def print_export_growth(growth):
    print("\nexports of the first N applications (peak Python memory: tracemalloc, second pass)")
    print(
        f"{'N':>7}{'format':>8}{'seconds':>10}{'s / 1,000 rows':>16}{'file MB':>10}{'peak MB':>10}"
    )
    for size, formats in growth.items():
        for fmt, (seconds, length, peak) in formats.items():
            print(
                f"{size:>7}{fmt:>8}{seconds:>10.2f}{seconds / size * 1000:>16.3f}"
                f"{length / 1e6:>10.1f}{peak / 1e6:>10.1f}"
            )


def export_rows(growth, responses):
    """A row per export format: the view streams, memory is flat and time linear in N.

    Both compare the largest N with the N before it. Flat memory: the peak at most
    1.5 × the one before + 2 MB (memory that held the rows would grow ten times from 1,000
    to 10,000). Rows are read a chunk of 500 at a time (``exports.CHUNK_SIZE``), so the
    N before must fill a chunk: below that the peak is lower only because the chunk is, and
    with --quick (100 / 1,000) flatness is not shown. Linear time: the time per row at most
    1.5 × the one before (which also pays the fixed costs over fewer rows).
    """
    from django.http import StreamingHttpResponse

    from applications.documents.exports import CHUNK_SIZE

    (before, at_before), (last, at_last) = list(growth.items())[-2:]
    rows = []
    for fmt, (seconds_before, _length, peak_before) in at_before.items():
        seconds_last, _length, peak_last = at_last[fmt]
        per_before, per_last = seconds_before / before * 1000, seconds_last / last * 1000
        flat = before >= CHUNK_SIZE and peak_last <= 1.5 * peak_before + 2e6
        unshown = "" if before >= CHUNK_SIZE else f" (not a full {CHUNK_SIZE}-row chunk)"
        rows.append(
            (
                f"{fmt.upper()} export, {last:,}",
                "streamed; memory flat in N; time linear in N",
                f"{responses[fmt].__name__}; peak {peak_last / 1e6:.1f} MB at {last:,} vs "
                f"{peak_before / 1e6:.1f} MB at {before:,}{unshown}; {per_before:.2f} s per "
                f"1,000 rows at {before:,} and {per_last:.2f} at {last:,}",
                issubclass(responses[fmt], StreamingHttpResponse)
                and flat
                and per_last <= 1.5 * per_before,
            )
        )
    return rows


def document_rows(env, rounds):
    """A row per PDF: the whole request against WeasyPrint alone on the same HTML, medians
    of bench/documents.py. It runs in a process of its own, which sets Django up on a
    scratch SQLite database; its details are printed, its last line is JSON."""
    out = subprocess.run(
        [
            sys.executable,
            "bench/documents.py",
            "--units",
            str(PDF_UNITS),
            "--rounds",
            str(rounds),
            "--json",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
        check=True,
    ).stdout
    *details, last = out.splitlines()
    print("\n".join(details))
    medians = json.loads(last)
    names = {"list": f"selected-list PDF, {PDF_UNITS} units", "form": "申报表 PDF"}
    rows = []
    for document, name in names.items():
        request, alone = medians[document]["request"], medians[document]["weasyprint"]
        rows.append(
            (
                name,
                "≤ 1.2 × WeasyPrint alone",
                f"{request / alone:.2f} × ({request:.2f} s)",
                request / alone <= 1.2,
            )
        )
    return rows


def post_latencies(base, count, seal):
    """Sequential POST /apply/ with a ``len(seal)``-byte seal scan, the floor's GET, and the
    same POST to the upload floor, in turn; the median of each in ms."""
    import httpx

    from applications.models import Standard
    from bench.load_submit import form_fields

    standards = list(Standard.objects.values_list("pk", flat=True))
    times = {"post": [], "floor": [], "upload floor": []}

    def timed(name, send):
        started = time.perf_counter()
        response = send()
        times[name].append(time.perf_counter() - started)
        return response

    with httpx.Client(base_url=base, timeout=120) as client:
        for number in range(count):
            timed("floor", lambda: client.get("/bench/floor/"))
            page = client.get("/calls/cqo-2021/apply/")
            fields = form_fields(200000 + number, standards)
            fields["csrfmiddlewaretoken"] = re.search(
                r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text
            ).group(1)
            for name, path in (
                ("post", "/calls/cqo-2021/apply/"),
                ("upload floor", "/bench/floor-upload/"),
            ):
                response = timed(
                    name,
                    lambda path=path, fields=fields: client.post(
                        path,
                        data=fields,
                        files={"seal_scan": ("盖章扫描件.png", seal, "image/png")},
                        headers={"Referer": f"{base}/calls/cqo-2021/apply/"},
                    ),
                )
                assert response.status_code == 303, (response.status_code, response.text[:500])
    return {name: statistics.median(values) * 1000 for name, values in times.items()}


def one_megabyte_seal_png():
    """A real seal-scan PNG of about 1 MB (noise keeps it from compressing)."""
    from PIL import Image, ImageDraw

    image = Image.frombytes("RGB", (700, 500), os.urandom(700 * 500 * 3))
    ImageDraw.Draw(image).ellipse((200, 100, 500, 400), outline=(220, 20, 30), width=12)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def big_pdf(size_mb):
    """A valid one-page PDF of just under ``size_mb`` MB: the bulk is an attached file, as
    in a scanned annex; the form accepts it (so it is streamed, inspected and stored)."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.add_attachment("附件.bin", os.urandom(size_mb * 1024 * 1024 - 64 * 1024))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def upload_peak_rss(env, size_mb=20):
    """Peak RSS of a single gunicorn worker before and after one ``size_mb`` upload."""
    import httpx

    server = Server(env, workers=1)
    try:
        [worker] = server.worker_pids()

        def peak_kb():
            status = Path(f"/proc/{worker}/status").read_text()
            return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1))

        client = httpx.Client(base_url=server.base, timeout=120)
        page = client.get("/calls/cqo-2021/apply/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        before = peak_kb()
        payload = big_pdf(size_mb)
        response = client.post(
            "/calls/cqo-2021/apply/",
            files={"unit_profile_file": ("大文件.pdf", payload, "application/pdf")},
            data={
                "unit_name": "x",
                "contact_email": "x@example.com",
                "action": "draft",
                "csrfmiddlewaretoken": token,
            },
            headers={"Referer": f"{server.base}/calls/cqo-2021/apply/"},
        )
        after = peak_kb()
        client.close()
        return before, after, response.status_code
    finally:
        server.stop()


def main():
    parser = argparse.ArgumentParser(description="Portal benchmarks as ratios to the floor.")
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument(
        "--quick", action="store_true", help="1 round, 2 s, growth 100/1000, 5 PDF rounds"
    )
    args = parser.parse_args()
    if args.quick:
        args.rounds, args.seconds = 1, 2
    if not shutil.which("wrk"):
        sys.exit("bench/run.py needs wrk: apt-get install wrk")

    media = Path(tempfile.mkdtemp(prefix="bench-media-"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_HTTPS": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,testserver",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DATABASE}",
        "REDIS_URL": "redis://127.0.0.1:6379/14",
        "MEDIA_ROOT": str(media),
        "STATIC_ROOT": str(media / "static"),
        "DJANGO_STATIC_MANIFEST": "1",
        "RATE_LIMIT_FORM": "1000000/m",
        "RATE_LIMIT_DOWNLOAD": "1000000/m",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "DJANGO_LOG_LEVEL": "WARNING",
    }
    recreate_database(DATABASE)
    setup_django(env)
    sizes = [100, 1000] if args.quick else [100, 1000, 10000]
    rows = []  # (path, target, figure, verdict)

    data = fixture_data(sizes[0])
    seeded = sizes[0]
    server = Server(env, args.workers)
    try:
        paths = {
            "floor": ("/bench/floor/", None),
            "GET /": ("/", None),
            "GET /apply/": ("/calls/cqo-2021/apply/", None),
            "private page": (data["private"], None),
        }
        runs = {name: [] for name in paths}
        for _ in range(args.rounds):
            for name, (path, cookie) in paths.items():
                runs[name].append(wrk(server.base + path, args.seconds, args.connections, cookie))
        floor = {k: median_of(runs["floor"], k) for k in ("rps", "p50", "p99")}
        print(
            f"\nfloor: {floor['rps']:.0f} req/s, p50 {floor['p50']:.1f} ms, "
            f"p99 {floor['p99']:.1f} ms ({args.workers} workers, {args.connections} connections)"
        )
        print(f"{'path':<22}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'× floor':>9}  non-2xx")
        for name in paths:
            rps, p50, p99 = (median_of(runs[name], k) for k in ("rps", "p50", "p99"))
            bad = sum(r["bad"] for r in runs[name])
            print(f"{name:<22}{rps:>9.0f}{p50:>9.1f}{p99:>9.1f}{rps / floor['rps']:>9.2f}  {bad}")
        targets = {"GET /": 0.8, "GET /apply/": 0.4, "private page": 0.5}
        for name, target in targets.items():
            ratio = median_of(runs[name], "rps") / floor["rps"]
            rows.append((name, f"≥ {target} × floor throughput", f"{ratio:.2f} ×", ratio >= target))

        posts = post_latencies(server.base, 15 if args.quick else 30, one_megabyte_seal_png())
        post_p50, floor_p50, upload_p50 = posts["post"], posts["floor"], posts["upload floor"]
        ratio = post_p50 / floor_p50
        rows.append(
            (
                "POST /apply/ (1 MB seal)",
                "p50 ≤ 6 × floor p50",
                f"{post_p50:.0f} ms / {floor_p50:.1f} ms = {ratio:.1f} ×",
                ratio <= 6,
            )
        )
        # No target: how much of the POST is receiving 1 MB at all (the same request to a
        # bare view that only parses it).
        rows.append(
            (
                "POST /apply/ vs the same POST to a bare view",
                "(profile row)",
                f"{post_p50:.0f} ms / {upload_p50:.1f} ms = {post_p50 / upload_p50:.1f} ×",
                None,
            )
        )

        responses = export_responses(data["client"])
        growth, exports = [], {}
        for size in sizes:
            if size > seeded:
                from django.core.management import call_command

                call_command(
                    "seed_demo",
                    "--applications",
                    str(size - seeded),
                    "--no-organisers",
                    stdout=io.StringIO(),
                )
                vacuum_analyze(DATABASE)
                seeded = size
            queries = changelist_queries(data["client"])
            admin = [
                wrk(
                    server.base + "/admin/applications/application/",
                    args.seconds,
                    args.connections,
                    data["cookie"],
                )
                for _ in range(args.rounds)
            ]
            call_page = [
                wrk(server.base + "/", args.seconds, args.connections) for _ in range(args.rounds)
            ]
            floor_now = [
                wrk(server.base + "/bench/floor/", args.seconds, args.connections)
                for _ in range(args.rounds)
            ]
            growth.append(
                (
                    size,
                    queries,
                    median_of(admin, "rps"),
                    median_of(admin, "p50"),
                    median_of(call_page, "rps"),
                    median_of(floor_now, "rps"),
                    median_of(floor_now, "p50"),
                )
            )
            exports[size] = measure_exports(data["call"], size)
        print("\ngrowth with the number of applications")
        print(
            f"{'N':>7}{'admin queries':>15}{'admin req/s':>13}{'admin p50':>11}"
            f"{'call req/s':>12}{'floor req/s':>13}"
        )
        for size, queries, a_rps, a_p50, c_rps, f_rps, _f_p50 in growth:
            print(f"{size:>7}{queries:>15}{a_rps:>13.0f}{a_p50:>11.1f}{c_rps:>12.0f}{f_rps:>13.0f}")
        print_export_growth(exports)
        size, queries, _a_rps, a_p50, *_rest, f_p50 = growth[-1]
        constant = len({g[1] for g in growth}) == 1
        rows.append(
            (
                f"admin change list, {size}",
                "queries constant in N (≤ 12)",
                " / ".join(str(g[1]) for g in growth),
                constant and queries <= 12,
            )
        )
        rows.append(
            (
                f"admin change list, {size}",
                "p50 ≤ 10 × floor p50",
                f"{a_p50:.1f} ms / {f_p50:.1f} ms = {a_p50 / f_p50:.1f} ×",
                a_p50 / f_p50 <= 10,
            )
        )
        # Where the time goes on the two paths furthest from their targets (at 10,000).
        profiles = {
            "POST /apply/ with a 1 MB seal scan (whole request includes the test client's "
            "encoding of the body)": post_parts(one_megabyte_seal_png()),
            f"admin change list, {size:,} applications": changelist_parts(data["client"]),
        }
    finally:
        server.stop()

    recreate_database(DATABASE)
    from django.db import connections

    connections.close_all()
    started = time.perf_counter()
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run(
        [sys.executable, "manage.py", "seed_call", "--deadline", "2099-12-31"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "manage.py", "seed_demo", "--applications", "10000", "--no-organisers"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    seconds = time.perf_counter() - started
    rows.append(
        (
            "seed_demo --applications 10000",
            "< 2 min",
            f"{seconds:.1f} s ({10000 / seconds:.0f} rows/s)",
            seconds < 120,
        )
    )

    before, after, status = upload_peak_rss(env)
    grew = (after - before) / 1024
    rows.append(
        (
            "20 MB upload",
            "worker peak RSS grows < 10 MB",
            f"{before / 1024:.0f} → {after / 1024:.0f} MB (+{grew:.1f} MB, HTTP {status})",
            grew < 10,
        )
    )
    rows += document_rows(env, rounds=5 if args.quick else 15)
    rows += export_rows(exports, responses)

    print("\n| path | target | measured | met |\n|---|---|---|---|")
    for name, target, figure, met in rows:
        verdict = "—" if met is None else "yes" if met else "NO"
        print(f"| {name} | {target} | {figure} | {verdict} |")
    for title, parts in profiles.items():
        print_parts(title, parts)
    shutil.rmtree(media, ignore_errors=True)


if __name__ == "__main__":
    main()
