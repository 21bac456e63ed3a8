"""Reads for selectors (the people who select): the list, the waitlist, the counts."""

from django.db.models import (
    Count,
    F,
    Q,
    QuerySet,
)

from applications import enums, workflow
from applications.models import Application, Call
from applications.queries.reviews import mean_score_subquery


def waitlist_ranked(call: Call) -> QuerySet[Application]:
    """The waitlist of ``call``, best mean score first, then the earliest submitted."""
    return (
        Application.objects.filter(call=call, status=enums.Status.WAITLISTED, pending_decision="")
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


def list_holders_ordered(call: Call) -> QuerySet[Application]:
    """The places on the list of ``call``: selected, and pending selections (拟入选), in
    list order; what the cap counts."""
    return (
        Application.objects.filter(call=call)
        .filter(Q(status=enums.Status.SELECTED) | Q(pending_decision="select"))
        .prefetch_related("standards")
        .annotate(mean_score=mean_score_subquery())
        .order_by(F("list_order").asc(nulls_last=True), "decided_at", "pk")
    )


def pending_counts(call: Call) -> dict[str, int]:
    """How many decisions of each kind wait to be released in ``call`` (one query)."""
    counts = dict(
        Application.objects.filter(call=call)
        .exclude(pending_decision="")
        .order_by()
        .values_list("pending_decision")
        .annotate(n=Count("*"))
    )
    return {name: counts.get(name, 0) for name in workflow.STAGED}


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
