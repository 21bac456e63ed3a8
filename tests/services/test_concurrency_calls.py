"""Two calls open at once, raced on real PostgreSQL connections: each call's references
stay gap-free in its own series, and each call's cap holds while selectors race on both."""

from collections import Counter

import pytest
from django.db import connection

from applications import services
from applications.demo import create_demo_applications
from applications.models import Application, Call
from tests.factories import create_application, other_call, selector
from tests.services.test_concurrency import run_together, select_all

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="concurrency is proven on PostgreSQL (CI sets DATABASE_URL)",
    ),
]


def test_references_are_gap_free_per_call_when_both_calls_take_applications_at_once(call):
    second = other_call()

    def submit_six(worker):
        def work():
            return [
                create_application(
                    (call, second)[(worker + i) % 2],
                    worker * 10 + i,
                    standards=None,
                )[0].reference
                for i in range(6)
            ]

        return work

    results = run_together([submit_six(w) for w in range(8)])
    assert [kind for kind, _ in results] == ["ok"] * 8, results
    references = sorted(ref for _, refs in results for ref in refs)
    assert references == sorted(
        [f"CQO-2021-{n:04d}" for n in range(1, 25)] + [f"RSQ-2026-{n:04d}" for n in range(1, 25)]
    )
    assert Call.objects.get(pk=call.pk).last_reference_number == 24
    assert Call.objects.get(pk=second.pk).last_reference_number == 24


def test_selections_racing_on_two_calls_never_pass_either_cap(call):
    call.max_selected, call.required_recommendations = 7, 0
    call.save(update_fields=["max_selected", "required_recommendations"])
    second = other_call(max_selected=4, required_recommendations=0)
    create_demo_applications(call, 15)
    create_demo_applications(second, 15, seed=7)
    pks = list(Application.objects.values_list("pk", flat=True))
    users = [selector(f"selector{i}") for i in range(8)]

    results = run_together([select_all(pks, users[w], w) for w in range(8)])
    assert [kind for kind, _ in results] == ["ok"] * 8, results
    outcomes = Counter(code for _, codes in results for code in codes)
    assert outcomes["staged"] == 7 + 4
    assert set(outcomes) <= {"staged", "cap_reached", "pending"}, outcomes
    for each, cap in ((call, 7), (second, 4)):
        services.decisions_release(call=each, actor=users[0])
        orders = sorted(
            Application.objects.filter(call=each, status="selected").values_list(
                "list_order", flat=True
            )
        )
        assert orders == list(range(1, cap + 1)), each.code
