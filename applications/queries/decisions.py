"""Reads for selectors (the people who select): the list, the waitlist, the counts."""

from django.db.models import (
    Count,
    F,
    Q,
    QuerySet,
)

from applications import enums, workflow
from applications.models import Application, Call
from applications.queries.reviews import mean_score_subquery, recommend_count_subquery


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


def selection_candidates_by_score(call: Call) -> QuerySet[Application]:
    """What "按评分拟定名单" proposes from: the call's applications a selection may be taken
    on, with no decision pending, that reach the joint sign-off and have a score, best mean
    score first (then the earliest submitted)."""
    return (
        Application.objects.filter(
            call=call,
            status__in=workflow.DECISIONS["select"].allowed_from,
            pending_decision="",
        )
        .annotate(mean_score=mean_score_subquery(), recommend_count=recommend_count_subquery())
        .filter(recommend_count__gte=call.required_recommendations, mean_score__isnull=False)
        .order_by(F("mean_score").desc(), "submitted_at", "pk")
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


def places_taken(call: Call) -> int:
    """How many places of the call's capped list are held (selected and 拟入选): what the
    cap counts. A read for the pages; the service checks again under the call's lock."""
    return (
        Application.objects.filter(call=call)
        .filter(Q(status=enums.Status.SELECTED) | Q(pending_decision="select"))
        .count()
    )


def pending_counts(call: Call) -> dict[str, int]:
    """How many decisions of each kind wait to be released in ``call`` (one query)."""
    return call_counts(call)[1]


def call_decision_counts(call: Call) -> dict[str, int]:
    """How many applications of ``call`` are in each state (one query)."""
    return call_counts(call)[0]


def call_counts(call: Call) -> tuple[dict[str, int], dict[str, int]]:
    """How many applications of ``call`` are in each state, and how many decisions of each
    kind wait to be released, in one query."""
    statuses = dict.fromkeys(enums.Status.values, 0)
    pending = dict.fromkeys(workflow.STAGED, 0)
    rows = (
        Application.objects.filter(call=call)
        .order_by()
        .values_list("status", "pending_decision")
        .annotate(n=Count("*"))
    )
    for status, decision, n in rows:
        statuses[status] = statuses.get(status, 0) + n
        if decision:
            pending[decision] = pending.get(decision, 0) + n
    return statuses, pending
