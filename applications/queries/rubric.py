"""Reads of the scoring rubric: a call's criteria, whether verdicts use them, and the
criteria × bodies table of one application."""

from dataclasses import dataclass

from django.db.models import Q

from applications.models import Application, Call, Criterion, OrganisingBody, Review, ReviewScore


def rubric_criteria(call: Call) -> list[Criterion]:
    """The criteria a verdict on ``call`` scores, in order (the legacy "总体" is not one)."""
    return list(Criterion.objects.filter(call=call, legacy=False).order_by("position", "pk"))


def record_criteria(call: Call) -> list[Criterion]:
    """Every criterion a verdict on ``call`` may hold a score for, the legacy "总体" last."""
    return list(Criterion.objects.filter(call=call).order_by("legacy", "position", "pk"))


def rubric_in_use(call: Call) -> bool:
    """Whether a verdict on ``call`` has scored its rubric: from then on the weights and
    scales are fixed and no criterion is added or deleted (``admin.calls.CriterionInline``)."""
    return ReviewScore.objects.filter(criterion__call=call, criterion__legacy=False).exists()


@dataclass(frozen=True)
class RubricRow:
    criterion: Criterion
    values: list[int | None]  # one per body, in the bodies' order


@dataclass(frozen=True)
class RubricTable:
    bodies: list[OrganisingBody]
    rows: list[RubricRow]
    totals: list[int | None]  # each body's weighted total (Review.score), or None

    @property
    def has_scores(self) -> bool:
        return any(total is not None for total in self.totals)


def rubric_table(application: Application, bodies: list[OrganisingBody]) -> RubricTable:
    """Each body's score per criterion on ``application``, side by side: the call's criteria
    and, when an old verdict has it, the legacy "总体" row; then the weighted totals."""
    reviews = {
        review.body_id: review
        for review in Review.objects.filter(application=application).prefetch_related("scores")
    }
    values = {
        (body_id, score.criterion_id): score.value
        for body_id, review in reviews.items()
        for score in review.scores.all()
    }
    criteria = Criterion.objects.filter(call_id=application.call_id).filter(
        Q(legacy=False) | Q(scores__review__application=application)
    )
    rows = [
        RubricRow(criterion, [values.get((body.pk, criterion.pk)) for body in bodies])
        for criterion in criteria.distinct().order_by("legacy", "position", "pk")
    ]
    totals = [reviews[body.pk].score if body.pk in reviews else None for body in bodies]
    return RubricTable(bodies=bodies, rows=rows, totals=totals)
