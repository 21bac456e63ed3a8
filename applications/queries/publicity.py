"""Reads for the 公示: the public list (nothing private in it), the objections, who to tell."""

import datetime
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext, gettext_noop

from applications import enums
from applications.models import Application, CalendarDay, Call, Objection, Standard
from applications.roles import SELECTOR_GROUP

NO_CONSENT = gettext_noop("（起草人姓名未经同意公开）")


@dataclass(frozen=True)
class PublicEntry:
    """One unit on the public list: only what the 公示 may show."""

    pk: int
    place: int
    unit_name: str
    drafter: str  # the name, or NO_CONSENT (translated)
    drafter_title: str  # "" unless the call publishes titles and the drafter consented
    named: bool


@dataclass(frozen=True)
class PublicSection:
    standard: Standard
    entries: list[PublicEntry]


def _listed(call: Call) -> QuerySet[Application]:
    return (
        Application.objects.filter(call=call, status=enums.Status.SELECTED)
        .only(
            "pk",
            "call_id",
            "unit_name",
            "drafter_name",
            "drafter_title",
            "drafter_name_public_consent",
            "list_order",
            "decided_at",
        )
        .order_by("list_order", "decided_at", "pk")
    )


def public_entries(call: Call) -> list[PublicEntry]:
    """The released list of ``call`` in list order, as the public may see it."""
    entries = []
    for place, application in enumerate(_listed(call), start=1):
        named = application.drafter_name_public_consent
        entries.append(
            PublicEntry(
                pk=application.pk,
                place=place,
                unit_name=application.unit_name,
                drafter=application.drafter_name if named else gettext(NO_CONSENT),
                drafter_title=(
                    application.drafter_title if named and call.publish_drafter_titles else ""
                ),
                named=named,
            )
        )
    return entries


def public_sections(call: Call) -> list[PublicSection]:
    """Per standard of ``call``, its listed units and drafters in list order (two queries)."""
    entries = {entry.pk: entry for entry in public_entries(call)}
    standards = Standard.objects.filter(call=call).prefetch_related(
        Prefetch(
            "applications",
            queryset=Application.objects.filter(pk__in=list(entries)).only("pk"),
            to_attr="listed",
        )
    )
    sections = []
    for standard in standards:
        listed = sorted((entries[a.pk] for a in standard.listed), key=lambda e: e.place)
        sections.append(PublicSection(standard=standard, entries=listed))
    return sections


def drafters_without_consent(call: Call) -> QuerySet[Application]:
    """Listed units whose drafter did not agree to be named: the selector is told before
    publishing."""
    return _listed(call).filter(drafter_name_public_consent=False)


def objections_of(call: Call) -> QuerySet[Objection]:
    return Objection.objects.filter(call=call).select_related("application", "answered_by")


def open_objection_count(call: Call) -> int:
    return Objection.objects.filter(call=call, verdict="").count()


def selector_addresses(call: Call) -> list[str]:
    """Where to tell the call's selectors: those listed on the call, else the 遴选组."""
    users: QuerySet[User] = call.selectors.filter(is_active=True)
    if not users.exists():
        users = User.objects.filter(is_active=True, groups__name=SELECTOR_GROUP)
    return sorted({u.email for u in users.exclude(email="")})


def listed_for_objection(call: Call) -> QuerySet[Application]:
    """The units an objection may name: the released list."""
    return _listed(call)


def calendar_overrides(start: datetime.date) -> dict[datetime.date, bool]:
    """The days entered by hand (节假日与调休) from ``start`` on, for a year: far more than any
    period of working days spans."""
    rows = CalendarDay.objects.filter(
        date__gte=start, date__lt=start + datetime.timedelta(days=366)
    ).values_list("date", "is_working_day")
    return dict(rows)


__all__ = [
    "NO_CONSENT",
    "PublicEntry",
    "PublicSection",
    "calendar_overrides",
    "drafters_without_consent",
    "listed_for_objection",
    "objections_of",
    "open_objection_count",
    "public_entries",
    "public_sections",
    "selector_addresses",
]
