"""Which calls an organiser works on: a reviewer those of their body, a selector those they
select for. Every organiser page reads applications through these, so an account never sees
a call it has no part in."""

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Q, QuerySet

from applications.models import Application, Call
from applications.queries.reviews import reviewer_bodies

DECIDE_PERMISSION = "applications.decide_application"


def calls_selectable_by(user: User | AnonymousUser) -> QuerySet[Call]:
    """The calls ``user`` may decide on: any for a superuser; for a selector, the calls that
    list them among their selectors and those that list nobody."""
    if user.is_superuser:
        return Call.objects.all()
    if not user.is_authenticated or not user.has_perm(DECIDE_PERMISSION):
        return Call.objects.none()
    return Call.objects.filter(Q(selectors__isnull=True) | Q(selectors=user.pk)).distinct()


def calls_visible_to(user: User | AnonymousUser) -> QuerySet[Call]:
    """The calls whose applications ``user`` may see: a reviewer's body's calls and the calls
    they select for. A superuser, and an account that neither reviews nor selects (one a
    superuser gave the permission to view applications), see every call."""
    if user.is_superuser:
        return Call.objects.all()
    bodies = reviewer_bodies(user)
    if not bodies and not user.has_perm(DECIDE_PERMISSION):
        return Call.objects.all()
    selectable = calls_selectable_by(user).values("pk")
    return Call.objects.filter(Q(organising_bodies__in=bodies) | Q(pk__in=selectable)).distinct()


def applications_visible_to(
    user: User | AnonymousUser, queryset: QuerySet[Application] | None = None
) -> QuerySet[Application]:
    """``queryset`` (default: every application) limited to the calls ``user`` may see."""
    queryset = Application.objects.all() if queryset is None else queryset
    if user.is_superuser:
        return queryset
    return queryset.filter(call__in=calls_visible_to(user).values("pk"))


def may_decide_on(user: User | AnonymousUser, call: Call) -> bool:
    return calls_selectable_by(user).filter(pk=call.pk).exists()


def selector_candidates() -> QuerySet[User]:
    """Active staff accounts holding the permission to decide (directly or by a group)."""
    decide = Q(user_permissions__codename="decide_application") | Q(
        groups__permissions__codename="decide_application"
    )
    return (
        User.objects.filter(is_active=True, is_staff=True)
        .filter(decide | Q(is_superuser=True))
        .distinct()
        .order_by("username")
    )
