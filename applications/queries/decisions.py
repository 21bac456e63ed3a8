"""Reads for selectors (the people who select): the list, the waitlist, the counts."""

from django.db.models import (
    Count,
    F,
    QuerySet,
)

from applications import enums
from applications.models import Application, Call
from applications.queries.reviews import mean_score_subquery


def waitlist_ranked(call: Call) -> QuerySet[Application]:
    """The waitlist of ``call``, best mean score first, then the earliest submitted."""
    return (
        Application.objects.filter(call=call, status=enums.Status.WAITLISTED)
        .annotate(mean_score=mean_score_subquery())
        .order_by(F("mean_score").desc(nulls_last=True), "submitted_at", "pk")
    )


def selected_ordered(call: Call) -> QuerySet[Application]:
    """The selected applications of ``call`` in the order of the published list."""
    return (
        Application.objects.filter(call=call, status=enums.Status.SELECTED)
        .prefetch_related("standards")
        .annotate(mean_score=mean_score_subquery())
        .order_by(F("list_order").asc(nulls_last=True), "decided_at", "pk")
    )


def call_decision_counts(call: Call) -> dict[str, int]:
    """How many applications of ``call`` are in each state (one query)."""
    # COUNT(*), not COUNT(id): PostgreSQL then answers from the (call, status) index alone.
    counts = dict(
        Application.objects.filter(call=call)
        .order_by()
        .values_list("status")
        .annotate(n=Count("*"))
    )
    return {status: counts.get(status, 0) for status in enums.Status.values}
