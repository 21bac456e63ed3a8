"""Races on real PostgreSQL connections: one thread, one connection, all started together."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from applications.models import Application, Call

from .factories import create_application, values

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="concurrency is proven on PostgreSQL (CI sets DATABASE_URL)",
    ),
]


def run_together(workers):
    """Run each callable in its own thread and connection, released at the same instant."""
    barrier = threading.Barrier(len(workers))
    results = [None] * len(workers)

    def target(index, work):
        try:
            barrier.wait(timeout=30)
            results[index] = ("ok", work())
        except Exception as exc:  # collected and asserted on by the test
            results[index] = ("error", exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=target, args=(i, w)) for i, w in enumerate(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a worker hung (deadlock?)"
    return results


def test_references_stay_unique_and_gap_free_under_concurrent_submissions(call):
    def submit_five(worker):
        def work():
            return [create_application(call, worker * 10 + i)[0].reference for i in range(5)]

        return work

    results = run_together([submit_five(w) for w in range(8)])
    assert [kind for kind, _ in results] == ["ok"] * 8, results
    references = sorted(ref for _, refs in results for ref in refs)
    assert references == [f"CQO-2021-{n:04d}" for n in range(1, 41)]
    assert Call.objects.get(pk=call.pk).last_reference_number == 40


def test_a_unit_racing_itself_gets_one_application_and_no_gap(call):
    twin_code = values(999)["credit_code"]

    def same_unit(number):
        return lambda: create_application(call, number, credit_code=twin_code)[0].reference

    def other_unit(number):
        return lambda: create_application(call, number)[0].reference

    results = run_together([same_unit(1), same_unit(2), same_unit(3), other_unit(4), other_unit(5)])
    kinds = [kind for kind, _ in results]
    assert kinds[3:] == ["ok", "ok"]
    assert kinds[:3].count("ok") == 1
    for kind, value in results[:3]:
        if kind == "error":
            assert isinstance(value, ValidationError)
            assert "credit_code" in value.message_dict
    assert sorted(Application.objects.values_list("reference", flat=True)) == [
        "CQO-2021-0001",
        "CQO-2021-0002",
        "CQO-2021-0003",
    ]
