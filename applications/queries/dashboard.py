"""The numbers of a call's dashboard, in a constant number of queries (aggregates grouped in
the database; nothing per application), so it stays fast with 10,000 applications
(``bench/dashboard.py``, docs/performance.md)."""

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Substr, TruncDate
from django.utils import timezone

from applications import enums, provinces, workflow
from applications.models import Application, Call, Objection, Review
from applications.queries.decisions import call_counts

# The applications a unit has sent: submitted, whatever was decided since (not drafts, not
# withdrawn ones).
SENT = [s for s in enums.Status.values if s not in (enums.Status.DRAFT, enums.Status.WITHDRAWN)]


@dataclass
class BodyProgress:
    name: str
    reviewed: int
    to_review: int
    aside: int = 0  # the applications it stands aside on (回避): none to review


@dataclass
class Dashboard:
    call: Call
    now: datetime.datetime
    by_status: list[tuple[str, int]]
    by_unit_type: list[tuple[str, int]]
    by_industry: list[tuple[str, int]]
    by_province: list[tuple[str, int]]
    by_standard: list[tuple[str, int]]
    per_day: list[tuple[datetime.date, int]]
    sent: int
    drafts: int
    selected: int
    pending: dict[str, int]
    waitlisted: int
    bodies: list[BodyProgress]
    objections_open: int
    objections_upheld: int
    objections_dismissed: int
    extra: dict[str, int] = field(default_factory=dict)

    @property
    def countdown(self) -> datetime.timedelta | None:
        left = self.call.deadline - self.now
        return left if left.total_seconds() > 0 else None

    @property
    def pending_total(self) -> int:
        return sum(self.pending.values())


def _grouped(queryset: QuerySet[Any], column: str) -> dict[str, int]:
    rows = queryset.order_by().values_list(column).annotate(n=Count("*"))
    return {value or "": n for value, n in rows}


def _labelled(counts: dict[str, int], choices: list[tuple[str, Any]]) -> list[tuple[str, int]]:
    """Every choice in its order (zeros too), then "未填" for blanks if any."""
    rows = [(str(label), counts.get(value, 0)) for value, label in choices]
    if counts.get(""):
        rows.append(("未填", counts[""]))
    return rows


def call_dashboard(call: Call, now: datetime.datetime | None = None) -> Dashboard:
    """The dashboard of ``call`` (a fixed number of queries, whatever the applications)."""
    now = now or timezone.now()
    statuses, pending = call_counts(call)  # 1
    sent = Application.objects.filter(call=call, status__in=SENT)
    # One scan for four plots: grouped by all their columns at once, summed up here (the
    # groups are far fewer than the applications: kinds × sections × places × days).
    groups = (
        sent.order_by()
        .annotate(
            addr=Substr("address", 1, 2),
            division=Substr("credit_code", 3, 2),
            day=TruncDate("submitted_at", tzinfo=timezone.get_current_timezone()),
        )
        .values_list("unit_type", "industry", "addr", "division", "day")
        .annotate(n=Count("*"))
    )  # 2
    unit_types: dict[str, int] = {}
    industries: dict[str, int] = {}
    by_province: dict[str, int] = {}
    by_day: dict[datetime.date, int] = {}
    for unit_type, industry, addr, division, day, n in groups:
        unit_types[unit_type or ""] = unit_types.get(unit_type or "", 0) + n
        industries[industry or ""] = industries.get(industry or "", 0) + n
        name = provinces.province_of(addr or "", division or "")
        by_province[name] = by_province.get(name, 0) + n
        if day is not None:
            by_day[day] = by_day.get(day, 0) + n
    standards = call.standards.annotate(
        n=Count("applications", filter=Q(applications__status__in=SENT))
    ).order_by("position", "pk")  # 3
    reviewable = [s for s in workflow.REVIEWABLE_STATUSES]
    to_review_total = sum(statuses.get(s, 0) for s in reviewable)
    reviewed = dict(
        Review.objects.filter(application__call=call, application__status__in=reviewable)
        .order_by()
        .values_list("body")
        .annotate(n=Count("*"))
    )  # 4
    bodies = [
        BodyProgress(
            name=body.short_name or body.name,
            reviewed=reviewed.get(body.pk, 0),
            to_review=max(to_review_total - reviewed.get(body.pk, 0) - body.aside, 0),
            aside=body.aside,
        )
        for body in call.organising_bodies.annotate(
            aside=Count(
                "conflicts__application",
                filter=Q(
                    conflicts__removed_at__isnull=True,
                    conflicts__application__call=call,
                    conflicts__application__status__in=reviewable,
                ),
                distinct=True,
            )
        )  # 5
    ]
    verdicts = _grouped(Objection.objects.filter(call=call), "verdict")  # 6
    ordered_provinces = sorted(
        by_province.items(), key=lambda kv: (kv[0] == provinces.UNKNOWN, -kv[1], kv[0])
    )
    return Dashboard(
        call=call,
        now=now,
        by_status=[(str(label), statuses.get(value, 0)) for value, label in enums.Status.choices],
        by_unit_type=_labelled(unit_types, enums.UnitType.choices),
        by_industry=[(label, n) for label, n in _labelled(industries, enums.Industry.choices) if n],
        by_province=ordered_provinces,
        by_standard=[(s.title, s.n) for s in standards],
        per_day=sorted(by_day.items()),
        sent=sum(statuses.get(s, 0) for s in SENT),
        drafts=statuses.get(enums.Status.DRAFT, 0),
        selected=statuses.get(enums.Status.SELECTED, 0),
        pending=pending,
        waitlisted=statuses.get(enums.Status.WAITLISTED, 0),
        bodies=bodies,
        objections_open=verdicts.get("", 0),
        objections_upheld=verdicts.get("upheld", 0),
        objections_dismissed=verdicts.get("dismissed", 0),
    )
