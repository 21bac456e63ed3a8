"""The scoring rubric's pure rules: the weighted total of a verdict, the weights of a call.

No database here: the service (``services.review_save``), the review form's live total and
the admin's formset call the same functions with what they read.
"""

import math
from collections.abc import Iterable, Mapping, Sequence
from fractions import Fraction
from typing import NamedTuple, Protocol

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

WEIGHT_TOTAL = 100


class CriterionLike(Protocol):
    """What the rules read of a criterion (``models.Criterion``)."""

    pk: int
    label: str
    weight: int
    scale_max: int

    @property
    def field_name(self) -> str: ...


class Scored(NamedTuple):
    weight: int
    scale_max: int
    value: int


def weighted_total(scores: Iterable[Scored]) -> int:
    """Σ weight × value / scale_max, rounded half up to a whole number (0–100 when the
    weights add up to 100 and each value lies in 0…scale_max).

    Computed exactly (fractions), then rounded once: 84.5 → 85, 84.49… → 84. Half up, not
    Python's ``round`` (half to even), so that the same scores never give two neighbours
    different totals by the parity of the result.
    """
    exact = sum((Fraction(s.weight * s.value, s.scale_max) for s in scores), Fraction(0))
    return math.floor(exact + Fraction(1, 2))


def validate_weights(weights: list[int]) -> None:
    """A rubric's weights add up to 100 (no criteria at all is allowed: a call being set up)."""
    if weights and sum(weights) != WEIGHT_TOTAL:
        raise ValidationError(
            _("各评分项的权重之和须为 100，现为 %(total)s；请调整权重后再保存。"),
            code="weights_total",
            params={"total": sum(weights)},
        )


def clean_scores(criteria: Sequence[CriterionLike], scores: Mapping[int, object]) -> dict[int, int]:
    """Each criterion's score from ``scores`` (criterion pk → value as typed or given),
    checked: every criterion scored, each a whole number from 0 to its scale, no criterion of
    another call. Refusals name the criterion, under its form field (``field_name``), so the
    review form (early) and ``services.review_save`` (the final word) say the same."""
    if not criteria:
        raise ValidationError(
            _("本征集尚未设置评分标准，请联系征集管理员在征集中添加评分项后再评审。"),
            code="no_rubric",
        )
    errors: dict[str, ValidationError] = {}
    values: dict[int, int] = {}
    for criterion in criteria:
        value = scores.get(criterion.pk)
        text = "" if value is None else str(value).strip()
        params = {"label": criterion.label, "max": criterion.scale_max}
        if not text:
            errors[criterion.field_name] = ValidationError(
                _("请为“%(label)s”打分（0–%(max)s 分）。"), code="score_missing", params=params
            )
        elif not text.isascii() or not text.isdigit() or int(text) > criterion.scale_max:
            errors[criterion.field_name] = ValidationError(
                _("“%(label)s”的得分须为 0 到 %(max)s 之间的整数。"),
                code="score_out_of_scale",
                params=params,
            )
        else:
            values[criterion.pk] = int(text)
    if set(scores) - {criterion.pk for criterion in criteria}:
        errors["__all__"] = ValidationError(
            _("评分中有不属于本征集评分标准的评分项，请刷新页面后重新评分。"),
            code="unknown_criterion",
        )
    if errors:
        raise ValidationError(errors)
    return values


# The criteria of notice 商贸促字〔2021〕163号, section 一: (一) says what a drafting unit is,
# (二) what its drafter is. The unit's three qualities weigh 60, the drafter's four 40: the
# notice names the unit first and lists the unit's standing before the person it sends, and
# the ranking in the field (the reason the unit is asked at all) weighs most. Each 0–10.
NOTICE_2021_CRITERIA: list[tuple[str, str, int]] = [
    (
        "依法经营、业绩突出",
        "起草单位依法经营、业绩突出（通知一（一））。",
        20,
    ),
    (
        "在培育和评价领域排名前列",
        "作为首席质量官培育和评价领域排名前列的企业、事业单位、行业协会商会或贸促机构（通知一（一））。",
        25,
    ),
    (
        "社会影响力和美誉度",
        "起草单位具有较高的社会影响力和美誉度（通知一（一））。",
        15,
    ),
    (
        "起草人熟悉相关工作",
        "起草人熟悉首席质量官培育和评价等相关工作（通知一（二））。",
        10,
    ),
    (
        "起草人实践经验",
        "起草人具有较丰富的实践经验（通知一（二））。",
        10,
    ),
    (
        "起草人理论水平",
        "起草人具有较高的理论水平（通知一（二））。",
        10,
    ),
    (
        "能参加起草工作",
        "起草人能积极参与标准起草的各项工作，确保标准的适用性、有效性和先进性（通知一（二））。",
        10,
    ),
]
NOTICE_SCALE_MAX = 10
