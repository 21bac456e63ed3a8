"""The rubric's pure rules: the weighted total (a property test) and the check of scores."""

import itertools
import math
from fractions import Fraction
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from applications import rubric


@st.composite
def weights_summing_to_100(draw) -> list[int]:
    """1 to 10 weights of at least 1 each, adding up to 100 (cut points on 1…99)."""
    count = draw(st.integers(min_value=1, max_value=10))
    cuts = sorted(draw(st.sets(st.integers(1, 99), min_size=count - 1, max_size=count - 1)))
    edges = [0, *cuts, 100]
    return [b - a for a, b in itertools.pairwise(edges)]


@st.composite
def scored_rubrics(draw) -> list[rubric.Scored]:
    weights = draw(weights_summing_to_100())
    scored = []
    for weight in weights:
        scale = draw(st.integers(min_value=1, max_value=100))
        scored.append(rubric.Scored(weight, scale, draw(st.integers(0, scale))))
    return scored


@given(scored_rubrics())
def test_the_weighted_total_is_the_exact_sum_rounded_half_up_within_0_to_100(scored):
    total = rubric.weighted_total(scored)
    exact = sum(Fraction(s.weight * s.value, s.scale_max) for s in scored)
    assert 0 <= total <= 100
    assert total == math.floor(exact + Fraction(1, 2))
    assert abs(Fraction(total) - exact) <= Fraction(1, 2)


@given(scored_rubrics())
def test_full_marks_make_100_and_nothing_makes_0(scored):
    assert rubric.weighted_total(s._replace(value=s.scale_max) for s in scored) == 100
    assert rubric.weighted_total(s._replace(value=0) for s in scored) == 0


@given(scored_rubrics(), st.data())
def test_a_higher_score_on_one_criterion_never_lowers_the_total(scored, data):
    index = data.draw(st.integers(0, len(scored) - 1))
    better = scored[index]._replace(
        value=data.draw(st.integers(scored[index].value, scored[index].scale_max))
    )
    raised = [*scored[:index], better, *scored[index + 1 :]]
    assert rubric.weighted_total(raised) >= rubric.weighted_total(scored)


def test_rounding_is_half_up_not_to_even():
    # 25 × 1/2 = 12.5 and 15 × 7/10 = 10.5: half up gives 13 and 11, where round() gives 12, 10
    assert rubric.weighted_total([rubric.Scored(25, 2, 1), rubric.Scored(75, 1, 0)]) == 13
    assert rubric.weighted_total([rubric.Scored(15, 10, 7), rubric.Scored(85, 1, 0)]) == 11
    # 1 × 1/3 + 99 × 0 = 0.33… → 0; 2 × 1/3 = 0.67 → 1
    assert rubric.weighted_total([rubric.Scored(1, 3, 1), rubric.Scored(99, 1, 0)]) == 0
    assert rubric.weighted_total([rubric.Scored(2, 3, 1), rubric.Scored(98, 1, 0)]) == 1


def test_the_notices_weights_add_up_to_100_each_scored_0_to_10():
    assert sum(weight for _label, _text, weight in rubric.NOTICE_2021_CRITERIA) == 100
    assert len(rubric.NOTICE_2021_CRITERIA) == 7 and rubric.NOTICE_SCALE_MAX == 10


def test_weights_that_do_not_add_up_to_100_are_refused_with_their_sum():
    rubric.validate_weights([60, 40])
    rubric.validate_weights([])  # a call being set up
    with pytest.raises(ValidationError) as info:
        rubric.validate_weights([60, 30])
    assert info.value.messages == ["各评分项的权重之和须为 100，现为 90；请调整权重后再保存。"]


def criterion(pk, label, scale_max=10, weight=50):
    return SimpleNamespace(
        pk=pk, label=label, weight=weight, scale_max=scale_max, field_name=f"criterion_{pk}"
    )


def test_clean_scores_names_each_missing_or_out_of_scale_criterion_under_its_field():
    criteria = [criterion(1, "实践经验"), criterion(2, "理论水平"), criterion(3, "总体", 100)]
    assert rubric.clean_scores(criteria, {1: "0", 2: 10, 3: " 100 "}) == {1: 0, 2: 10, 3: 100}
    with pytest.raises(ValidationError) as info:
        rubric.clean_scores(criteria, {1: "", 2: "11", 4: "5"})
    assert info.value.message_dict == {
        "criterion_1": ["请为“实践经验”打分（0–10 分）。"],
        "criterion_2": ["“理论水平”的得分须为 0 到 10 之间的整数。"],
        "criterion_3": ["请为“总体”打分（0–100 分）。"],
        "__all__": ["评分中有不属于本征集评分标准的评分项，请刷新页面后重新评分。"],
    }
    for bad in ("-1", "7.5", "７", "1e1", "八"):
        with pytest.raises(ValidationError):
            rubric.clean_scores(criteria[:1], {1: bad})


def test_a_call_without_criteria_takes_no_verdict():
    with pytest.raises(ValidationError) as info:
        rubric.clean_scores([], {})
    assert info.value.code == "no_rubric"
