"""Reads of reviews: who reviews for which body, and each application's review summary."""

from collections.abc import Iterable

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import (
    Avg,
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce

from applications import enums, workflow
from applications.models import Application, AuditEntry, Call, OrganisingBody, Review
from applications.queries.conflicts import standing_conflicts


def reviewer_bodies(user: User | AnonymousUser) -> list[OrganisingBody]:
    """The bodies whose reviewer group ``user`` is in (exactly one for a proper reviewer)."""
    if not user.is_authenticated:
        return []
    return list(OrganisingBody.objects.filter(reviewer_group__user=user).distinct())


def counting_reviews() -> QuerySet[Review]:
    """The reviews that count: those of bodies without a standing conflict (回避) on their
    application. The one place that says so: the number of 推荐, the mean score, the joint
    sign-off and the decisions read reviews through it."""
    return Review.objects.filter(
        ~Exists(
            standing_conflicts().filter(application=OuterRef("application"), body=OuterRef("body"))
        )
    )


def recommend_count_subquery() -> Coalesce:
    return Coalesce(
        Subquery(
            counting_reviews()
            .filter(application=OuterRef("pk"), recommendation=enums.Recommendation.RECOMMEND)
            .order_by()
            .values("application")
            .annotate(n=Count("pk"))
            .values("n")[:1]
        ),
        0,
    )


def counted_reviews() -> QuerySet[Review]:
    """The verdicts on the outer application (``OuterRef("pk")``) that count toward its
    weighted mean: those of the bodies without a conflict (``counting_reviews``)."""
    return counting_reviews().filter(application=OuterRef("pk"))


def mean_score_subquery() -> Subquery:
    """The weighted mean: the mean of the counted verdicts' weighted totals (``Review.score``
    is each verdict's Σ weight × score / scale, written by ``services.review_save``). The
    change list sorts by it, the page, the exports and the ranking by score show it."""
    return Subquery(
        counted_reviews()
        .order_by()
        .values("application")
        .annotate(mean=Avg("score"))
        .values("mean")[:1],
        output_field=FloatField(),
    )


def verdict_field(body_pk: int) -> str:
    return f"verdict_{body_pk}"


def applications_with_review_summary(
    queryset: QuerySet[Application], bodies: Iterable[OrganisingBody]
) -> QuerySet[Application]:
    """Annotate each application with each body's verdict, the mean score, the number of
    推荐 and whether the joint sign-off quorum is reached: one query whatever the rows."""
    annotations = {
        # At most one review per body (a unique constraint); without order_by() the
        # subquery would join and sort by Review's default ordering for every row.
        verdict_field(body.pk): Subquery(
            Review.objects.filter(application=OuterRef("pk"), body=body.pk)
            .order_by()
            .values("recommendation")[:1]
        )
        for body in bodies
    }
    return queryset.annotate(
        **annotations,
        mean_score=mean_score_subquery(),
        recommend_count=recommend_count_subquery(),
    ).annotate(
        quorum_reached=ExpressionWrapper(
            Q(recommend_count__gte=F("call__required_recommendations")),
            output_field=BooleanField(),
        )
    )


def reviews_by_body(application: Application) -> list[tuple[OrganisingBody, Review | None]]:
    """Each organising body of the application's call with its review (or None), in order."""
    reviews = {r.body_id: r for r in application.reviews.select_related("reviewer")}
    return [(body, reviews.get(body.pk)) for body in application.call.organising_bodies.all()]


def next_unreviewed(
    application: Application, body: OrganisingBody, candidates: QuerySet[Application]
) -> Application | None:
    """The application a reviewer of ``body`` reads after ``application``: the next one by
    reference in the same call (wrapping round to the first) that is still undecided and has
    no verdict of ``body`` yet. ``candidates`` are the applications the reviewer may see."""
    waiting = (
        candidates.filter(call_id=application.call_id, status__in=workflow.UNDECIDED_STATUSES)
        .exclude(pk=application.pk)
        .exclude(reviews__body=body)
        .order_by("reference")
    )
    return (
        waiting.filter(reference__gt=application.reference).first()
        or waiting.filter(reference__lt=application.reference).first()
    )


def review_record(call: Call) -> tuple[list[OrganisingBody], list[Application], dict]:
    """The 评审记录 of ``call``: its bodies, its submitted applications (drafts have nothing
    to record) by reference, each with its reviews (reviewer and body read along) and the
    review summary, and each application's last released decision entry (who, when)."""
    bodies = list(call.organising_bodies.all())
    reviews = Review.objects.select_related("reviewer", "body").prefetch_related("scores")
    applications = list(
        applications_with_review_summary(
            Application.objects.filter(call=call)
            .exclude(status=enums.Status.DRAFT)
            .prefetch_related(Prefetch("reviews", queryset=reviews)),
            bodies,
        ).order_by("reference")
    )
    decided = {}
    actions = [d.audit_action for d in workflow.DECISIONS.values()]
    entries = (
        AuditEntry.objects.filter(application__call=call, action__in=actions)
        .select_related("actor")
        .order_by("application_id", "created_at", "pk")
    )
    for entry in entries:
        decided[entry.application_id] = entry  # the last one wins
    return bodies, applications, decided
