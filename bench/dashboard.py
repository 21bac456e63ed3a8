"""Time of a call's dashboard (the query and the whole admin page) with many applications.

    .venv/bin/python bench/dashboard.py [--rows 10000] [--runs 15]
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_dashboard \
        .venv/bin/python bench/dashboard.py

On a scratch SQLite database (BENCH_DATABASE_URL for another, empty one; on PostgreSQL the
database is dropped and re-created) it seeds ``--rows`` applications in bulk
(tests/factories/bulk.py: statuses, kinds, industries, places, days and verdicts spread),
then renders the dashboard ``--runs`` times: ``call_dashboard`` alone and the admin page
through the test client as a superuser. Prints the median and the worst, and the number of
queries (constant in the rows). Target: < 150 ms for the page at 10,000 (docs/performance.md).
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()

    url = os.environ.get("BENCH_DATABASE_URL", "")
    if url.startswith("postgres"):
        from bench.common import recreate_database

        recreate_database(url.rsplit("/", 1)[1])

    from _scratch import scratch  # sets Django up on the scratch database
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from applications.queries.dashboard import call_dashboard
    from tests.factories.bulk import bulk_applications

    call, organiser = scratch(0)
    started = time.perf_counter()
    for seed in range(args.rows // 1000 or 1):
        bulk_applications(call, min(1000, args.rows), seed=seed, reviewer=organiser)
    print(
        f"seeded {call.applications.count()} applications in {time.perf_counter() - started:.1f} s"
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    client = Client()
    client.force_login(organiser)
    page = reverse("admin:applications_call_dashboard", args=[call.pk])
    client.get(page)  # warm: templates, translations

    def timed(fn):
        times = []
        for _ in range(args.runs):
            t = time.perf_counter()
            fn()
            times.append((time.perf_counter() - t) * 1000)
        return statistics.median(times), max(times)

    with CaptureQueriesContext(connection) as queries:
        call_dashboard(call)
    query_count = len(queries)
    q_median, q_worst = timed(lambda: call_dashboard(call))
    p_median, p_worst = timed(lambda: client.get(page))
    with CaptureQueriesContext(connection) as page_queries:
        assert client.get(page).status_code == 200
    print(f"database: {connection.vendor}")
    print(
        f"call_dashboard: median {q_median:.1f} ms, worst {q_worst:.1f} ms, {query_count} queries"
    )
    print(
        f"admin page:     median {p_median:.1f} ms, worst {p_worst:.1f} ms, "
        f"{len(page_queries)} queries"
    )


if __name__ == "__main__":
    main()
