"""Reviews: each organising body records its own verdict on an application."""

import datetime
from collections.abc import Mapping

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applications import queries, rubric, validation, workflow
from applications.models import Application, Call, OrganisingBody, Review, ReviewScore
from applications.services.audit import audit_write
from applications.services.locking import lock_application


def reviewer_body_get(*, user: User | AnonymousUser, call: Call) -> OrganisingBody:
    """The one body ``user`` reviews for in ``call``; refuses anyone else."""
    bodies = queries.reviewer_bodies(user)
    if not bodies:
        raise ValidationError(
            _("您的账号不属于任何牵头单位的评审组，不能填写评审意见。"), code="not_reviewer"
        )
    if len(bodies) > 1:
        raise ValidationError(
            _("您的账号同时属于多个牵头单位的评审组（%(bodies)s），请联系管理员调整后再评审。"),
            code="many_bodies",
            params={"bodies": "、".join(b.name for b in bodies)},
        )
    body = bodies[0]
    if not call.organising_bodies.filter(pk=body.pk).exists():
        raise ValidationError(
            _("%(body)s 不是本次征集的牵头单位，不能评审。"),
            code="body_not_in_call",
            params={"body": body.name},
        )
    return body


@transaction.atomic
def review_save(
    *,
    application: Application,
    reviewer: User,
    recommendation: str,
    scores: Mapping[int, object],
    comment: str = "",
    now: datetime.datetime | None = None,
) -> Review:
    """Record or change the reviewer's body's verdict on a submitted application.

    ``scores`` maps each criterion of the call's rubric (its pk) to a whole number from 0 to
    its ``scale_max``; every criterion must be scored. The weighted total
    (``rubric.weighted_total``, 0–100) is stored as ``Review.score``, which only this
    function writes; an old verdict's legacy "总体" score is replaced by the new scores.

    Once submitted, until withdrawn: a body that is slower than the selectors is never
    locked out; a verdict given after the decision was released is marked ``late`` on the
    timeline. A body with a standing conflict (回避) on the application is refused
    (code ``conflict``). Side effects: an audit entry with the body, the verdict before →
    after, the weighted total before → after and the score per criterion (and ``late``).
    """
    application = lock_application(application)
    body = reviewer_body_get(user=reviewer, call=application.call)
    if application.status not in workflow.REVIEWABLE_STATUSES:
        raise ValidationError(
            _("%(ref)s 的状态为“%(status)s”，不能填写评审意见。"),
            code="not_reviewable",
            params={"ref": application.reference, "status": application.get_status_display()},
        )
    conflict = queries.body_conflict(application, body)
    if conflict is not None:
        raise ValidationError(
            _("%(body)s 对 %(ref)s 须回避（%(reason)s），不能填写评审意见。"),
            code="conflict",
            params={"body": body.name, "ref": application.reference, "reason": conflict.reason},
        )
    criteria = queries.rubric_criteria(application.call)
    values = rubric.clean_scores(criteria, scores)
    score = rubric.weighted_total(
        rubric.Scored(c.weight, c.scale_max, values[c.pk]) for c in criteria
    )
    review = Review.objects.filter(application=application, body=body).first()
    before = (review.recommendation, review.score) if review else ("", None)
    if review is None:
        review = Review(application=application, body=body, created_at=now or timezone.now())
    review.reviewer = reviewer
    review.recommendation = recommendation
    review.score = score
    try:
        review.comment = validation.clean_text(comment or "", multiline=True)
    except ValidationError as exc:
        raise ValidationError({"comment": exc}) from exc
    review.full_clean()
    review.save()
    ReviewScore.objects.filter(review=review).delete()
    ReviewScore.objects.bulk_create(
        ReviewScore(review=review, criterion=c, value=values[c.pk]) for c in criteria
    )
    audit_write(
        application,
        "application.review",
        actor=reviewer,
        body=body,
        transition=(before[0], recommendation),
        score=score,
        score_before=before[1],
        scores={c.label: values[c.pk] for c in criteria},
        **({"late": True} if application.status in workflow.DECIDED_STATUSES else {}),
    )
    return review
