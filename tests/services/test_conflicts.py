"""Conflicts of interest (回避) through the services: recorded automatically, declared,
removed; a conflicted body's verdict refused, and the joint sign-off without it."""

import pytest
from django.core.exceptions import ValidationError

from applications import demo, queries, services, validation
from applications.enums import Recommendation, Status
from applications.models import Conflict, RelatedUnit
from tests.factories import create_application, recommend, reviewer_for, rubric_scores, selector

pytestmark = pytest.mark.django_db


@pytest.fixture
def bodies(call):
    return list(call.organising_bodies.all())


@pytest.fixture
def boss(call):
    return selector()


def standing(application):
    return sorted(
        (c.body.name, c.source)
        for c in queries.standing_conflicts().filter(application=application).select_related("body")
    )


def conflict_entries(application):
    return [
        (e.action, e.body.name if e.body else None, e.data.get("conflict_source"), e.data["note"])
        for e in application.audit_entries.filter(action__startswith="application.conflict")
    ]


# --- matching: pure --------------------------------------------------------------------------
@pytest.mark.parametrize(
    "typed",
    [
        "深圳大学（质量研究院）",
        " 深圳大学 (质量研究院) ",
        "深圳大学【质量研究院】",
        "深圳大学　(质量研究院)",
    ],
)
def test_unit_names_compare_normalised(typed):
    assert validation.normalize_unit_name(typed) == validation.normalize_unit_name(
        "深圳大学(质量研究院)"
    )


def test_names_compare_case_folded_and_half_width():
    assert validation.normalize_unit_name("ＡＢＣ Quality Ltd") == "abcqualityltd"


def test_a_different_credit_code_on_both_sides_is_another_unit_whatever_the_name():
    found = validation.conflict_match(
        credit_code=demo.credit_code(1),
        unit_name="同名公司",
        candidates=[("X", "同名公司", demo.credit_code(2))],
    )
    assert found == ""


# --- automatic conflicts -----------------------------------------------------------------------
def test_automatic_conflict_by_the_bodys_credit_code(call, bodies):
    bodies[0].credit_code = demo.credit_code(7001)
    bodies[0].save()
    application = create_application(call, 1, credit_code=demo.credit_code(7001))[0]
    assert standing(application) == [(bodies[0].name, "automatic")]
    [conflict] = Conflict.objects.all()
    assert conflict.reason == f"统一社会信用代码与{bodies[0].name}相同（{demo.credit_code(7001)}）"
    assert conflict_entries(application) == [
        ("application.conflict_declare", bodies[0].name, "automatic", conflict.reason)
    ]


def test_automatic_conflict_by_a_related_units_credit_code(call, bodies):
    RelatedUnit.objects.create(
        body=bodies[1], name="某报业下属公司", credit_code=demo.credit_code(7002), kind="subsidiary"
    )
    application = create_application(call, 1, credit_code=demo.credit_code(7002))[0]
    assert standing(application) == [(bodies[1].name, "automatic")]
    assert "下属单位“某报业下属公司”" in Conflict.objects.get().reason


def test_automatic_conflict_by_a_related_units_normalised_name(call, bodies):
    RelatedUnit.objects.create(body=bodies[2], name="某市商业联合会（会员）", kind="member")
    application = create_application(call, 1, unit_name="某市商业联合会 (会员)")[0]
    assert standing(application) == [(bodies[2].name, "automatic")]


def test_a_draft_is_not_matched_until_it_is_submitted(call, bodies):
    RelatedUnit.objects.create(body=bodies[0], name="深大研究院", kind="institute")
    application = create_application(call, 1, action="draft", unit_name="深大研究院")[0]
    assert standing(application) == []


def test_a_new_related_unit_is_matched_against_the_undecided_applications(call, bodies):
    application = create_application(call, 1)[0]
    other = create_application(call, 2)[0]
    unit = RelatedUnit.objects.create(
        body=bodies[0], name="x", credit_code=application.credit_code, kind="member"
    )
    assert services.conflicts_recompute_for_body(body=bodies[0]) == 2
    assert standing(application) == [(bodies[0].name, "automatic")]
    assert standing(other) == []
    # The unit leaves the list: the automatic conflict is removed, its row and entry kept.
    unit.delete()
    services.conflicts_recompute_for_body(body=bodies[0])
    assert standing(application) == []
    removed = Conflict.objects.get()
    assert removed.removed_at is not None and removed.removed_by is None
    assert [e[0] for e in conflict_entries(application)] == [
        "application.conflict_declare",
        "application.conflict_remove",
    ]


def test_an_automatic_conflict_a_person_removed_is_not_recorded_again(call, bodies, boss):
    RelatedUnit.objects.create(body=bodies[0], name="同名单位", kind="other")
    application = create_application(call, 1, unit_name="同名单位")[0]
    services.conflict_remove(
        conflict=Conflict.objects.get(), actor=boss, reason="重名，实为另一家单位"
    )
    services.conflicts_recompute_for_body(body=bodies[0])
    assert standing(application) == []


# --- declared by hand ------------------------------------------------------------------------
def test_a_reviewer_declares_a_conflict_for_their_body_and_for_a_person(call, bodies):
    application = create_application(call, 1)[0]
    reviewer = reviewer_for(bodies[0])
    services.conflict_declare(application=application, actor=reviewer, reason="本单位参股")
    services.conflict_declare(
        application=application,
        actor=reviewer,
        reason="评审专家曾在该单位任职",
        person_name="王某",
        relation="曾任该单位顾问",
    )
    assert standing(application) == [(bodies[0].name, "body"), (bodies[0].name, "person")]
    entries = list(application.audit_entries.filter(action="application.conflict_declare"))
    assert [(e.actor, e.body, e.data) for e in entries] == [
        (reviewer, bodies[0], {"conflict_source": "body", "note": "本单位参股"}),
        (
            reviewer,
            bodies[0],
            {
                "person": "王某",
                "relation": "曾任该单位顾问",
                "conflict_source": "person",
                "note": "评审专家曾在该单位任职",
            },
        ),
    ]


def test_a_declaration_needs_a_reason_and_a_reviewer(call, bodies, boss):
    application = create_application(call, 1)[0]
    with pytest.raises(ValidationError) as info:
        services.conflict_declare(
            application=application, actor=reviewer_for(bodies[0]), reason="  。"
        )
    assert info.value.message_dict == {"reason": ["请写明理由。"]}
    with pytest.raises(ValidationError) as info:
        services.conflict_declare(application=application, actor=boss, reason="理由")
    assert info.value.code == "not_reviewer"
    assert not Conflict.objects.exists()


def test_a_removal_keeps_the_row_and_is_on_the_timeline(call, bodies, boss):
    application = create_application(call, 1)[0]
    reviewer = reviewer_for(bodies[0])
    conflict = services.conflict_declare(application=application, actor=reviewer, reason="参股")
    with pytest.raises(ValidationError) as info:
        services.conflict_remove(conflict=conflict, actor=reviewer_for(bodies[1]), reason="x")
    assert info.value.code == "not_allowed"
    services.conflict_remove(conflict=conflict, actor=reviewer, reason="已转让股份")
    conflict.refresh_from_db()
    assert (conflict.removed_by, conflict.removal_reason) == (reviewer, "已转让股份")
    assert standing(application) == []
    assert conflict_entries(application)[-1] == (
        "application.conflict_remove",
        bodies[0].name,
        "body",
        "已转让股份",
    )
    with pytest.raises(ValidationError) as info:
        services.conflict_remove(conflict=conflict, actor=boss, reason="再解除")
    assert info.value.code == "already_removed"


# --- what a conflict changes -----------------------------------------------------------------
def test_a_conflicted_bodys_verdict_is_refused_with_the_reason(call, bodies):
    application = create_application(call, 1)[0]
    reviewer = reviewer_for(bodies[0])
    services.conflict_declare(application=application, actor=reviewer, reason="本单位参股")
    with pytest.raises(ValidationError) as info:
        services.review_save(
            application=application,
            reviewer=reviewer,
            recommendation="recommend",
            scores=rubric_scores(call, 90),
        )
    assert info.value.code == "conflict"
    assert info.value.messages == [
        f"{bodies[0].name} 对 {application.reference} 须回避（本单位参股），不能填写评审意见。"
    ]
    assert not application.reviews.exists()


def summary(application, bodies):
    return queries.applications_with_review_summary(
        type(application).objects.filter(pk=application.pk), bodies
    ).get()


def test_quorum_two_of_the_two_bodies_without_a_conflict(call, bodies, boss):
    application = create_application(call, 1)[0]
    recommend(application, bodies[1:], score=90)
    services.conflict_declare(
        application=application, actor=reviewer_for(bodies[0]), reason="本单位参股"
    )
    row = summary(application, bodies)
    assert (row.recommend_count, row.quorum_reached, row.mean_score) == (2, True, 90.0)
    decided = services.decide(application=application, decision="select", actor=boss)
    assert (decided.pending_decision, decided.pending_reason) == ("select", "")


def test_a_verdict_given_before_the_conflict_no_longer_counts(call, bodies, boss):
    application = create_application(call, 1)[0]
    recommend(application, bodies[:2], score=90)
    recommend(application, bodies[2:], score=60, recommendation=Recommendation.NEUTRAL)
    assert summary(application, bodies).quorum_reached
    services.conflict_declare(
        application=application, actor=reviewer_for(bodies[0]), reason="后来发现本单位参股"
    )
    row = summary(application, bodies)
    assert (row.recommend_count, row.quorum_reached, row.mean_score) == (1, False, 75.0)
    with pytest.raises(ValidationError) as info:
        services.decide(application=application, decision="select", actor=boss)
    assert info.value.code == "quorum_missing"


def test_quorum_with_one_body_left_needs_the_written_override(call, bodies, boss):
    application = create_application(call, 1)[0]
    recommend(application, bodies[2:], score=85)
    for body in bodies[:2]:
        services.conflict_declare(
            application=application, actor=reviewer_for(body), reason="关联单位"
        )
    row = summary(application, bodies)
    assert (row.recommend_count, row.quorum_reached) == (1, False)
    with pytest.raises(ValidationError) as info:
        services.decide(application=application, decision="select", actor=boss)
    assert info.value.code == "quorum_missing"
    decided = services.decide(
        application=application,
        decision="select",
        actor=boss,
        reason="两家牵头单位回避，仅余一家，经遴选组同意",
    )
    assert decided.pending_reason == "两家牵头单位回避，仅余一家，经遴选组同意"
    [released] = services.decisions_release(call=call, actor=boss, pks=[application.pk])
    assert released.status == Status.SELECTED
    assert released.selection_override_reason == "两家牵头单位回避，仅余一家，经遴选组同意"
