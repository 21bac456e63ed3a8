"""Reads of conflicts of interest (回避): which bodies stand aside on which applications."""

from collections.abc import Iterable

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Case, Exists, F, OuterRef, Q, QuerySet, Value, When
from django.db.models.expressions import Combinable

from applications import enums, workflow
from applications.models import Application, Call, Conflict, OrganisingBody


def standing_conflicts() -> QuerySet[Conflict]:
    """Conflicts not removed: the ones that make a body stand aside."""
    return Conflict.objects.filter(removed_at__isnull=True)


def body_conflict(application: Application, body: OrganisingBody) -> Conflict | None:
    """The first standing conflict of ``body`` on ``application``, or None."""
    return (
        standing_conflicts()
        .filter(application=application, body=body)
        .order_by("created_at", "pk")
        .first()
    )


def conflicted_body_pks(application: Application) -> set[int]:
    """The bodies that stand aside on ``application``."""
    return set(
        standing_conflicts().filter(application=application).values_list("body_id", flat=True)
    )


def conflicts_of(application: Application) -> list[Conflict]:
    """Every conflict of ``application``, standing and removed, with who declared and
    removed it, by body then time."""
    return list(
        Conflict.objects.filter(application=application).select_related(
            "body", "declared_by", "removed_by"
        )
    )


def with_viewer_conflict(
    queryset: QuerySet[Application], user: User | AnonymousUser
) -> QuerySet[Application]:
    """Annotate ``viewer_conflicted``: whether a body ``user`` reviews for stands aside on
    each application, so they are not shown the other bodies' verdicts (in the same query:
    the reviewer's body is found by the database, not read first)."""
    if not user.is_authenticated:
        return queryset.annotate(viewer_conflicted=Value(False))
    return queryset.annotate(
        viewer_conflicted=Exists(
            standing_conflicts().filter(
                application=OuterRef("pk"), body__reviewer_group__user=user.pk
            )
        )
    )


def hidden_from_conflicted_viewer(field: str) -> Combinable:
    """The sort key of a column a viewer whose body stands aside is not shown: ``field``,
    or NULL on those applications, so that sorting by it does not place them by the values
    the column hides (``with_viewer_conflict`` annotates ``viewer_conflicted``)."""
    return Case(When(viewer_conflicted=True, then=Value(None)), default=F(field))


def conflict_field(body_pk: int) -> str:
    return f"conflict_{body_pk}"


def with_conflict_flags(
    queryset: QuerySet[Application], bodies: Iterable[OrganisingBody]
) -> QuerySet[Application]:
    """Annotate ``conflict_<body pk>`` for each of ``bodies``: whether it stands aside."""
    return queryset.annotate(
        **{
            conflict_field(body.pk): Exists(
                standing_conflicts().filter(application=OuterRef("pk"), body=body.pk)
            )
            for body in bodies
        }
    )


def has_conflict_q(flag: bool) -> Q:
    """Filter of the change list: applications with (or without, ``~``) a standing conflict."""
    exists = Q(Exists(standing_conflicts().filter(application=OuterRef("pk"))))
    return exists if flag else ~exists


def stands_aside_q(body: OrganisingBody, *, field: str = "application") -> Q:
    """Rows (reviews, audit entries: ``field`` names their application) on applications
    ``body`` stands aside on: its reviewers are not shown the other bodies' verdicts there."""
    return Q(Exists(standing_conflicts().filter(application=OuterRef(field), body=body.pk)))


def undecided_of_body_calls(body: OrganisingBody) -> QuerySet[Application]:
    """The applications a change of ``body``'s credit code or related units may concern:
    submitted and undecided, in the calls it leads."""
    return Application.objects.filter(
        call__organising_bodies=body, status__in=workflow.UNDECIDED_STATUSES
    ).order_by("pk")


def conflict_counts_by_body(call: Call) -> list[tuple[OrganisingBody, int]]:
    """Each body of ``call`` with the number of its applications (not drafts) it stands
    aside on."""
    counts: dict[int, int] = {}
    rows = (
        standing_conflicts()
        .filter(application__call=call)
        .exclude(application__status=enums.Status.DRAFT)
        .values_list("body_id", "application_id")
        .distinct()
    )
    for body_id, _application_id in rows:
        counts[body_id] = counts.get(body_id, 0) + 1
    return [(body, counts.get(body.pk, 0)) for body in call.organising_bodies.all()]


def applications_aside_for(user: User | AnonymousUser, call: Call) -> set[int]:
    """The applications of ``call`` on which a body ``user`` reviews for stands aside."""
    if not user.is_authenticated:
        return set()
    return set(
        standing_conflicts()
        .filter(application__call=call, body__reviewer_group__user=user.pk)
        .values_list("application_id", flat=True)
    )


def standing_conflicts_by_application(call: Call) -> dict[int, list[Conflict]]:
    """The standing conflicts of ``call``'s applications, by application (one query)."""
    found: dict[int, list[Conflict]] = {}
    for conflict in standing_conflicts().filter(application__call=call).select_related("body"):
        found.setdefault(conflict.application_id, []).append(conflict)
    return found


def declared_bodies(application: Application, field: str) -> list[OrganisingBody]:
    """The organising bodies of the application's call ticked in ``field`` of its form (a
    list of pks, e.g. ``related_bodies``), in the call's order."""
    chosen = set(getattr(application, field) or ())
    if not chosen:
        return []  # nothing to read
    return [b for b in application.call.organising_bodies.all() if b.pk in chosen]
