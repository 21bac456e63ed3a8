import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from applications import enums, queries, services, validation
from applications.models import AuditEntry, Call, Standard
from tests.factories import UserFactory, create_application, other_call

pytestmark = pytest.mark.django_db


def manager():
    return UserFactory(username="manager", is_staff=True)


def test_publishing_a_complete_draft_makes_it_public_and_is_audited(call):
    draft = other_call(status=enums.CallStatus.DRAFT)
    assert queries.call_get_current().code == "cqo-2021"  # the draft is not public
    who = manager()
    published = services.call_publish(call=draft, actor=who)
    assert published.status == enums.CallStatus.PUBLISHED
    assert published.published_at is not None
    draft.refresh_from_db()
    assert draft.is_published
    entry = AuditEntry.objects.get(action="call.publish")
    assert (entry.actor, entry.application, entry.data) == (who, None, {"call": draft.code})


def test_publishing_an_incomplete_call_names_everything_missing(db):
    now = timezone.now()
    empty = Call.objects.create(
        code="empty-2026",
        title="空的征集",
        series="空的征集",
        document_number="无",
        notice="",
        opens_at=now,
        deadline=now + dt.timedelta(days=3),
    )
    with pytest.raises(ValidationError) as refused:
        services.call_publish(call=empty, actor=None)
    assert refused.value.messages == [
        "征集尚不完整，不能发布：至少需要一项征集起草单位的标准；至少需要一个牵头组织单位；"
        "至少需要一项评分标准。"
    ]
    assert refused.value.code == "call_incomplete"
    empty.refresh_from_db()
    assert empty.status == enums.CallStatus.DRAFT and empty.published_at is None
    assert not AuditEntry.objects.exists()


def test_the_publish_rule_checks_the_dates_too():
    now = timezone.now()
    assert validation.call_publish_problems(
        standards=1, bodies=1, criteria=1, opens_at=now, deadline=now
    ) == ["截止时间必须晚于开始时间"]
    assert validation.call_publish_problems(
        standards=1, bodies=1, criteria=1, opens_at=None, deadline=now
    ) == ["需要填写开始时间和截止时间"]
    assert (
        validation.call_publish_problems(
            standards=2, bodies=1, criteria=7, opens_at=now, deadline=now + dt.timedelta(seconds=1)
        )
        == []
    )


def test_a_call_without_scoring_criteria_is_not_published(call):
    """Its reviewers could not give a verdict: one needs a score for every criterion."""
    draft = other_call(status=enums.CallStatus.DRAFT, criteria=False)
    assert services.call_publish_problems(call=draft) == ["至少需要一项评分标准"]
    with pytest.raises(ValidationError) as refused:
        services.call_publish(call=draft, actor=None)
    assert refused.value.messages == ["征集尚不完整，不能发布：至少需要一项评分标准。"]
    draft.refresh_from_db()
    assert not draft.is_published


def test_an_applicant_cannot_apply_to_a_draft(call):
    draft = other_call(status=enums.CallStatus.DRAFT)
    with pytest.raises(ValidationError) as refused:
        create_application(draft, 1)
    assert refused.value.messages == ["本次征集尚未发布，暂不接受申报。"]
    assert not draft.applications.exists()


def test_copy_makes_a_draft_with_texts_settings_bodies_and_standards_without_plan_numbers(call):
    call.max_selected, call.required_recommendations = 12, 3
    call.save()
    create_application(call, 1)
    now = timezone.now()
    who = manager()
    copy = services.call_copy(call=call, actor=who, now=now)
    assert copy.pk != call.pk
    assert copy.code == "cqo-2021-copy"
    assert copy.status == enums.CallStatus.DRAFT and copy.published_at is None
    for name in services.calls.COPIED_FIELDS:
        assert getattr(copy, name) == getattr(call, name), name
    assert (copy.max_selected, copy.required_recommendations) == (12, 3)
    assert copy.last_reference_number == 0 and not copy.applications.exists()
    assert copy.opens_at == now.replace(second=0, microsecond=0)
    assert copy.deadline - copy.opens_at == call.deadline - call.opens_at
    assert list(copy.organising_bodies.all()) == list(call.organising_bodies.all())
    assert [(s.title, s.position, s.plan_number) for s in copy.standards.all()] == [
        (s.title, s.position, "") for s in call.standards.all()
    ]
    # the original keeps its own standards and plan numbers
    assert Standard.objects.filter(call=call).exclude(plan_number="").count() == 3
    entry = AuditEntry.objects.get(action="call.copy")
    assert (entry.actor, entry.data) == (who, {"call": "cqo-2021-copy", "source": "cqo-2021"})
    # a second copy gets the next free code, and the copy can be published as it is
    assert services.call_copy(call=call, actor=who).code == "cqo-2021-copy-2"
    assert services.call_publish(call=copy, actor=who).is_published


def test_standards_without_plan_numbers_may_share_the_blank_but_numbers_stay_unique(call):
    copy = services.call_copy(call=call, actor=None)
    assert copy.standards.filter(plan_number="").count() == 3
    first = copy.standards.first()
    first.plan_number = call.standards.first().plan_number
    with pytest.raises(ValidationError) as refused:
        first.full_clean()
    assert "已有标准使用该项目计划编号。" in refused.value.messages
