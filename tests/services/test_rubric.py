"""The rubric through the services: verdicts score every criterion, the weighted total is
derived, criteria are seeded and copied, and old verdicts migrate as "总体"."""

import importlib
import io

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.management import call_command

from applications import queries, rubric, services
from applications.models import AuditEntry, Criterion, Review, ReviewScore
from tests.factories import create_application, other_call, reviewer_for, rubric_scores

pytestmark = pytest.mark.django_db

MIGRATION = importlib.import_module("applications.migrations.0015_rubric_criteria")


@pytest.fixture
def bodies(call):
    return list(call.organising_bodies.all())


def test_seed_call_gives_the_notices_criteria_each_0_to_10_weights_adding_up_to_100(call):
    criteria = queries.rubric_criteria(call)
    assert [(c.label, c.weight, c.scale_max) for c in criteria] == [
        ("依法经营、业绩突出", 20, 10),
        ("在培育和评价领域排名前列", 25, 10),
        ("社会影响力和美誉度", 15, 10),
        ("起草人熟悉相关工作", 10, 10),
        ("起草人实践经验", 10, 10),
        ("起草人理论水平", 10, 10),
        ("能参加起草工作", 10, 10),
    ]
    # idempotent, and a call manager's changes are kept
    Criterion.objects.filter(call=call, label="能参加起草工作").update(description="改过")
    call_command("seed_call", stdout=io.StringIO())
    assert Criterion.objects.filter(call=call).count() == 7
    assert Criterion.objects.get(call=call, label="能参加起草工作").description == "改过"


def test_a_verdict_scores_every_criterion_and_stores_the_weighted_total(call, bodies):
    application = create_application(call, 1)[0]
    criteria = queries.rubric_criteria(call)
    values = dict(zip([c.pk for c in criteria], [9, 8, 7, 10, 6, 5, 10], strict=True))
    review = services.review_save(
        application=application,
        reviewer=reviewer_for(bodies[0]),
        recommendation="recommend",
        scores={pk: str(value) for pk, value in values.items()},  # as a form posts them
    )
    # 20×.9 + 25×.8 + 15×.7 + 10×1 + 10×.6 + 10×.5 + 10×1 = 18 + 20 + 10.5 + 10 + 6 + 5 + 10
    assert review.score == 80  # 79.5, half up
    assert {s.criterion_id: s.value for s in review.scores.all()} == values
    entry = AuditEntry.objects.get(application=application, action="application.review")
    assert entry.data["score"] == 80
    assert entry.data["scores"] == {c.label: values[c.pk] for c in criteria}
    # Changing the verdict replaces the scores, one per criterion.
    services.review_save(
        application=application,
        reviewer=reviewer_for(bodies[0]),
        recommendation="neutral",
        scores=rubric_scores(call, 60),
    )
    review.refresh_from_db()
    assert review.score == 60 and review.scores.count() == 7


def test_a_verdict_missing_a_criterion_is_refused_and_nothing_is_saved(call, bodies):
    application = create_application(call, 1)[0]
    scores = rubric_scores(call, 70)
    last = queries.rubric_criteria(call)[-1]
    del scores[last.pk]
    with pytest.raises(ValidationError) as info:
        services.review_save(
            application=application,
            reviewer=reviewer_for(bodies[0]),
            recommendation="recommend",
            scores=scores,
        )
    assert info.value.message_dict == {last.field_name: ["请为“能参加起草工作”打分（0–10 分）。"]}
    assert not Review.objects.exists() and not ReviewScore.objects.exists()


def test_scores_on_another_calls_criteria_are_refused(call, bodies):
    application = create_application(call, 1)[0]
    elsewhere = other_call()
    foreign = queries.rubric_criteria(elsewhere)[0]
    with pytest.raises(ValidationError) as info:
        services.review_save(
            application=application,
            reviewer=reviewer_for(bodies[0]),
            recommendation="recommend",
            scores={**rubric_scores(call, 70), foreign.pk: 50},
        )
    assert info.value.messages == ["评分中有不属于本征集评分标准的评分项，请刷新页面后重新评分。"]
    assert not Review.objects.exists()


def test_a_call_without_criteria_refuses_verdicts_with_a_message(bodies):
    bare = other_call(criteria=False, bodies=bodies)
    application = create_application(bare, 1)[0]
    with pytest.raises(ValidationError, match="本征集尚未设置评分标准"):
        services.review_save(
            application=application,
            reviewer=reviewer_for(bodies[0]),
            recommendation="recommend",
            scores={},
        )


def test_copying_a_call_copies_its_criteria_but_not_the_legacy_one(call):
    Criterion.objects.create(call=call, label="总体", weight=100, scale_max=100, legacy=True)
    copy = services.call_copy(call=call, actor=None)
    fields = ("position", "label", "description", "weight", "scale_max")
    assert [tuple(getattr(c, f) for f in fields) for c in queries.rubric_criteria(copy)] == [
        tuple(getattr(c, f) for f in fields) for c in queries.rubric_criteria(call)
    ]
    assert not Criterion.objects.filter(call=copy, legacy=True).exists()


def test_call_criteria_ensure_refuses_weights_not_adding_up_to_100(bodies):
    bare = other_call(criteria=False, bodies=bodies)
    with pytest.raises(ValidationError, match="现为 90"):
        services.call_criteria_ensure(call=bare, criteria=[("甲", "", 60), ("乙", "", 30)])
    assert not Criterion.objects.filter(call=bare).exists()


# --- the data migration ---------------------------------------------------------------
def test_the_migration_keeps_old_verdicts_as_one_total_score_and_gives_calls_criteria(call, bodies):
    """A database as it was before the rubric: a call without criteria, verdicts that are
    one 0–100 number. Afterwards the call has the notice's criteria, each old verdict one
    "总体" score equal to its number (so its weighted total is unchanged), and a new verdict
    of the same body replaces it with the rubric's scores."""
    Criterion.objects.all().delete()
    application = create_application(call, 1)[0]
    old = Review.objects.create(
        application=application,
        body=bodies[0],
        reviewer=reviewer_for(bodies[0]),
        recommendation="recommend",
        score=73,
    )
    Review.objects.create(
        application=application,
        body=bodies[1],
        reviewer=reviewer_for(bodies[1]),
        recommendation="neutral",
        score=58,
    )

    MIGRATION.give_calls_criteria(apps, None)
    MIGRATION.give_calls_criteria(apps, None)  # twice changes nothing more

    assert [c.weight for c in queries.rubric_criteria(call)] == [20, 25, 15, 10, 10, 10, 10]
    legacy = Criterion.objects.get(call=call, legacy=True)
    assert (legacy.label, legacy.weight, legacy.scale_max) == ("总体", 100, 100)
    assert sorted(ReviewScore.objects.values_list("review__score", "criterion", "value")) == [
        (58, legacy.pk, 58),
        (73, legacy.pk, 73),
    ]
    for review in Review.objects.all():
        scored = [
            rubric.Scored(s.criterion.weight, s.criterion.scale_max, s.value)
            for s in review.scores.select_related("criterion")
        ]
        assert rubric.weighted_total(scored) == review.score
    # The page's table shows the old verdicts on the "总体" row, the new criteria empty.
    table = queries.rubric_table(application, bodies)
    assert [row.criterion.label for row in table.rows][-1] == "总体"
    assert table.rows[-1].values == [73, 58, None]
    assert table.totals == [73, 58, None]
    # A new verdict uses the call's criteria and drops the "总体" score.
    services.review_save(
        application=application,
        reviewer=reviewer_for(bodies[0]),
        recommendation="recommend",
        scores=rubric_scores(call, 90),
    )
    old.refresh_from_db()
    assert old.score == 90
    assert not old.scores.filter(criterion=legacy).exists() and old.scores.count() == 7
