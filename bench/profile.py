"""Where the time of the two slowest paths goes, in this process (Django's test client).

bench/run.py prints this after its table, for the two targets it does not meet: the
submission with a 1 MB seal scan and the admin change list at 10,000 applications. Each
part is timed by wrapping the function that does it, around real requests against the
benchmark's PostgreSQL database; the figures are medians of ``rounds`` requests, in ms,
next to the floor view's time in the same process.
"""

import re
import statistics
import time
from contextlib import contextmanager


@contextmanager
def _timing(owner, name: str, spent: dict, label: str, *, generator: bool = False):
    """Add the time of every call of ``owner.name`` to ``spent[label]`` while active; a
    ``generator`` is run to its end inside the timing (its work happens as it is read)."""
    original = getattr(owner, name)

    def timed(*args, **kwargs):
        started = time.perf_counter()
        try:
            result = original(*args, **kwargs)
            return iter(list(result)) if generator else result
        finally:
            spent[label] = spent.get(label, 0.0) + time.perf_counter() - started

    setattr(owner, name, timed)
    try:
        yield
    finally:
        setattr(owner, name, original)


QUERIES = "queries (count)"
SQL = "of all this, SQL (time the database driver waits)"
REST = "the rest: view, forms, templates, middleware, session"


def _measure(request, parts, rounds: int) -> dict[str, float]:
    """Medians of the whole ``request()`` and of each wrapped part (ms), and its queries."""
    from contextlib import ExitStack

    from django.db import connection

    samples: dict[str, list[float]] = {}
    for _ in range(rounds + 2):  # two warm-up requests
        spent: dict[str, float] = {}
        queries = []

        def sql(execute, *args, queries=queries):
            started = time.perf_counter()
            try:
                return execute(*args)
            finally:
                queries.append(time.perf_counter() - started)

        with ExitStack() as stack:
            for owner, name, label, *generator in parts:
                stack.enter_context(_timing(owner, name, spent, label, generator=bool(generator)))
            stack.enter_context(connection.execute_wrapper(sql))
            started = time.perf_counter()
            request()
            spent["whole request"] = time.perf_counter() - started
        whole = spent.pop("whole request")
        spent = {
            "whole request": whole,
            **spent,
            REST: whole - sum(spent.values()),
            SQL: sum(queries),
        }
        spent = {label: seconds * 1000 for label, seconds in spent.items()}
        spent[QUERIES] = len(queries)
        for label, value in spent.items():
            samples.setdefault(label, []).append(value)
    return {label: statistics.median(values[2:]) for label, values in samples.items()}


def _floor_ms(client, rounds: int) -> float:
    times = []
    for _ in range(rounds * 10):
        started = time.perf_counter()
        client.get("/bench/floor/")
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def changelist_parts(admin_client, rounds: int = 15) -> dict[str, float]:
    from django.contrib.admin.templatetags import admin_list

    def request():
        assert admin_client.get("/admin/applications/application/").status_code == 200

    parts = [
        (admin_list, "items_for_result", "cells: Django admin's rendering of 100 rows", "gen"),
        (admin_list, "result_headers", "column headers", "gen"),
    ]
    return {"floor view": _floor_ms(admin_client, rounds), **_measure(request, parts, rounds)}


def post_parts(seal: bytes, rounds: int = 15) -> dict[str, float]:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.http import HttpRequest
    from django.test import Client

    from applications import emails, services, uploads
    from applications.models import Application, Standard
    from bench.load_submit import form_fields

    client = Client()
    standards = list(Standard.objects.values_list("pk", flat=True))
    page = client.get("/calls/cqo-2021/apply/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    first = Application.objects.count() + 500000  # numbers no earlier run has used
    forms = iter(
        {**form_fields(number, standards), "csrfmiddlewaretoken": token}
        for number in range(first, first + rounds + 2)
    )

    def request():
        fields = next(forms)
        fields["seal_scan"] = SimpleUploadedFile("盖章扫描件.png", seal, "image/png")
        assert client.post("/calls/cqo-2021/apply/", fields).status_code == 303

    parts = [
        (HttpRequest, "_load_post_and_files", "reading the multipart body (files to disk)"),
        (uploads, "inspect_upload", "upload check: decode every pixel + red-seal hint"),
        (services, "application_create", "service: checks, insert, audit (with its SQL)"),
        (emails, "_render_and_send", "e-mails (sent after the response)"),
    ]
    return {"floor view": _floor_ms(client, rounds), **_measure(request, parts, rounds)}


def print_parts(title: str, parts: dict[str, float]) -> None:
    print(f"\n{title} (this process, test client, medians, ms)")
    for label, value in parts.items():
        print(f"  {label:<56}{value:>8.0f}" if label == QUERIES else f"  {label:<56}{value:>8.1f}")
