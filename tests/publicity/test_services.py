"""The 公示 through its services: the period, objections, answers, the final list."""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from applications import schedule, services, tasks
from applications.enums import Status
from applications.models import Application, AuditEntry, CalendarDay, Objection
from tests.factories import create_application, reviewer_for
from tests.factories.objections import file_objection
from tests.jobs import run_jobs
from tests.publicity.conftest import MONDAY

pytestmark = pytest.mark.django_db


def file_one(call, application, *, now=None, **overrides):
    return file_objection(call, application, now=now or MONDAY + dt.timedelta(days=1), **overrides)


def test_publishing_sets_the_period_of_five_working_days(call, boss, listed):
    published = services.publicity_publish(call=call, actor=boss, now=MONDAY)
    assert published.publicity_starts == MONDAY
    # Tue, Wed, Thu, Fri, Mon: the period ends at midnight after Monday 7 December.
    assert published.publicity_ends == timezone.make_aware(dt.datetime(2026, 12, 8, 0, 0))
    entry = AuditEntry.objects.get(action="call.publicity")
    assert (entry.actor, entry.data["listed"], entry.data["call"]) == (boss, 3, call.code)


def test_publishing_waits_for_pending_decisions_and_needs_a_list(call, boss):
    call.required_recommendations = 0
    call.save(update_fields=["required_recommendations"])
    with pytest.raises(ValidationError) as empty:
        services.publicity_publish(call=call, actor=boss, now=MONDAY)
    assert empty.value.code == "nothing_listed"
    application = create_application(call)[0]
    services.decide(application=application, decision="select", actor=boss)
    with pytest.raises(ValidationError) as pending:
        services.publicity_publish(call=call, actor=boss, now=MONDAY)
    assert pending.value.code == "pending_decisions"
    call.refresh_from_db()
    assert call.publicity_starts is None


def test_only_a_selector_publishes_and_only_once(call, boss, listed):
    reviewer = reviewer_for(call.organising_bodies.first())
    with pytest.raises(ValidationError) as refused:
        services.publicity_publish(call=call, actor=reviewer, now=MONDAY)
    assert refused.value.code == "not_selector"
    services.publicity_publish(call=call, actor=boss, now=MONDAY)
    with pytest.raises(ValidationError) as again:
        services.publicity_publish(call=call, actor=boss, now=MONDAY)
    assert again.value.code == "already_published"


def test_objections_are_taken_only_during_the_period(call, boss, listed):
    selected, _waiting = listed
    services.publicity_publish(call=call, actor=boss, now=MONDAY)
    call.refresh_from_db()
    for when in (MONDAY - dt.timedelta(seconds=1), call.publicity_ends):
        with pytest.raises(ValidationError) as refused:
            file_one(call, selected[0], now=when)
        assert refused.value.code == "not_in_period"
    last_moment = call.publicity_ends - dt.timedelta(seconds=1)
    assert file_one(call, selected[0], now=last_moment).receipt == "YY-CQO-2021-001"


def test_an_objection_gets_a_receipt_number_mailed_and_on_the_units_timeline(call, boss, listed):
    selected, _waiting = listed
    services.publicity_publish(call=call, actor=boss, now=MONDAY)
    first = file_one(call, selected[0])
    second = file_one(call, selected[1], email=" Li@Example.org ")
    assert (first.receipt, second.receipt) == ("YY-CQO-2021-001", "YY-CQO-2021-002")
    assert second.email == "li@example.org"
    run_jobs()
    receipts = [m for m in mail.outbox if "异议已受理" in m.subject]
    assert [m.to for m in receipts] == [["wang@example.org"], ["li@example.org"]]
    assert "YY-CQO-2021-001" in receipts[0].body
    entry = AuditEntry.objects.get(application=selected[0], action="objection.file")
    assert entry.data == {"receipt": "YY-CQO-2021-001"}


def test_an_objection_names_a_listed_unit_only(call, boss, listed):
    _selected, waiting = listed
    services.publicity_publish(call=call, actor=boss, now=MONDAY)
    with pytest.raises(ValidationError) as refused:
        file_one(call, waiting)
    assert "application" in refused.value.error_dict
    assert not Objection.objects.exists()


def test_a_reviewer_cannot_answer_an_objection(call, boss, listed):
    selected, _waiting = listed
    services.publicity_publish(call=call, actor=boss, now=MONDAY)
    objection = file_one(call, selected[0])
    reviewer = reviewer_for(call.organising_bodies.first())
    with pytest.raises(ValidationError) as refused:
        services.objection_answer(
            objection=objection, verdict="dismissed", answer="不成立。", actor=reviewer
        )
    assert refused.value.code == "not_selector"
    objection.refresh_from_db()
    assert objection.is_open


def test_a_dismissed_objection_is_answered_by_mail_and_changes_nothing(call, boss, listed):
    selected, _waiting = listed
    services.publicity_publish(call=call, actor=boss, now=MONDAY)
    objection = file_one(call, selected[0])
    with pytest.raises(ValidationError) as blank:
        services.objection_answer(
            objection=objection, verdict="dismissed", answer=" 。", actor=boss
        )
    assert "answer" in blank.value.error_dict
    done = services.objection_answer(
        objection=objection, verdict="dismissed", answer="经核实，处罚已撤销。", actor=boss
    )
    assert (done.objection.verdict, done.reopened, done.promoted) == ("dismissed", False, None)
    selected[0].refresh_from_db()
    assert selected[0].status == Status.SELECTED
    with pytest.raises(ValidationError) as twice:
        services.objection_answer(objection=objection, verdict="upheld", answer="改判", actor=boss)
    assert twice.value.code == "already_answered"
    mail.outbox.clear()
    run_jobs()
    answers = [m for m in mail.outbox if "异议处理结果" in m.subject]
    assert [m.to for m in answers] == [["wang@example.org"]]
    assert "不成立" in answers[0].body and "经核实，处罚已撤销。" in answers[0].body


def test_an_upheld_objection_reopens_the_unit_and_the_waitlist_moves_up(call, boss, listed):
    selected, waiting = listed
    services.publicity_publish(call=call, actor=boss, now=MONDAY)
    objection = file_one(call, selected[1])
    done = services.objection_answer(
        objection=objection,
        verdict="upheld",
        answer="经核实，异议成立。",
        actor=boss,
        reopen=True,
        correction="经公示期异议核实，贵单位不再列入入选名单。",
    )
    assert done.promoted == waiting
    selected[1].refresh_from_db()
    waiting.refresh_from_db()
    assert (selected[1].status, selected[1].list_order) == (Status.SUBMITTED, None)
    assert (waiting.status, waiting.pending_decision) == (Status.WAITLISTED, "select")
    services.decisions_release(call=call, actor=boss)
    waiting.refresh_from_db()
    assert waiting.status == Status.SELECTED
    assert list(
        Application.objects.filter(call=call, status=Status.SELECTED)
        .order_by("list_order")
        .values_list("pk", flat=True)
    ) == [selected[0].pk, selected[2].pk, waiting.pk]
    actions = list(selected[1].audit_entries.values_list("action", flat=True))
    assert actions[-2:] == ["objection.answer", "application.reopen"]


def test_reopening_needs_an_upheld_objection(call, boss, listed):
    selected, _waiting = listed
    services.publicity_publish(call=call, actor=boss, now=MONDAY)
    objection = file_one(call, selected[0])
    with pytest.raises(ValidationError) as refused:
        services.objection_answer(
            objection=objection, verdict="dismissed", answer="不成立", actor=boss, reopen=True
        )
    assert refused.value.code == "reopen_needs_upheld"
    selected[0].refresh_from_db()
    assert selected[0].status == Status.SELECTED


def test_the_period_before_during_at_the_end_and_after(call, boss, listed, manager):
    selected, _waiting = listed
    assert services.publicity_close(call=call, now=MONDAY) == "not_published"
    services.publicity_publish(call=call, actor=boss, now=MONDAY)
    call.refresh_from_db()
    end = call.publicity_ends
    assert services.publicity_close(call=call, now=end - dt.timedelta(seconds=1)) == "running"
    objection = file_one(call, selected[0])
    mail.outbox.clear()
    # At the end, with an objection open: the list waits and the selectors are told, once.
    assert services.publicity_close(call=call, now=end) == "held"
    assert services.publicity_close(call=call, now=end + dt.timedelta(hours=1)) == "held"
    run_jobs()
    told = [m for m in mail.outbox if "尚有未答复的异议" in m.subject]
    assert [m.to for m in told] == [[boss.email]]
    call.refresh_from_db()
    assert call.list_final_at is None
    services.objection_answer(objection=objection, verdict="dismissed", answer="不成立", actor=boss)
    later = end + dt.timedelta(hours=2)
    assert services.publicity_close(call=call, now=later) == "final"
    assert services.publicity_close(call=call, now=later) == "final_already"
    call.refresh_from_db()
    assert call.list_final_at == later
    assert AuditEntry.objects.filter(action="call.list_final").count() == 1


def test_after_the_list_is_final_changes_need_a_call_manager_and_a_reason(
    call, boss, listed, manager
):
    selected, _waiting = listed
    services.publicity_publish(call=call, actor=boss, now=MONDAY)
    call.refresh_from_db()
    services.publicity_close(call=call, now=call.publicity_ends)
    call.refresh_from_db()
    assert call.list_final_at is not None
    with pytest.raises(ValidationError) as by_selector:
        services.decide(application=selected[0], decision="reopen", actor=boss, correction="")
    assert by_selector.value.code == "list_final"
    with pytest.raises(ValidationError) as without_reason:
        services.decide(application=selected[0], decision="reopen", actor=manager, correction="")
    assert without_reason.value.code == "final_reason_required"
    with pytest.raises(ValidationError):
        services.selected_list_reorder(
            call=call, order=[a.pk for a in reversed(selected)], actor=boss
        )
    selected[0].refresh_from_db()
    assert selected[0].status == Status.SELECTED
    services.decide(
        application=selected[0],
        decision="reopen",
        actor=manager,
        correction="",
        final_change_reason="该单位主动放弃起草工作（书面函件 2026-12-10）。",
    )
    selected[0].refresh_from_db()
    assert selected[0].status == Status.SUBMITTED
    entry = AuditEntry.objects.get(application=selected[0], action="application.final_change")
    assert (entry.actor, entry.data["decision"]) == (manager, "reopen")
    assert entry.data["note"] == "该单位主动放弃起草工作（书面函件 2026-12-10）。"


def test_the_scheduled_job_makes_the_list_final_once_the_period_is_over(call, boss, listed):
    assert tasks.close_publicity in [job for job, _cron in schedule.SCHEDULE]
    services.publicity_publish(call=call, actor=boss, now=timezone.now() - dt.timedelta(days=10))
    tasks.close_publicity.enqueue()
    run_jobs()
    call.refresh_from_db()
    assert call.list_final_at is not None
    final = call.list_final_at
    tasks.close_publicity.enqueue()
    run_jobs()
    call.refresh_from_db()
    assert call.list_final_at == final


def test_the_selectors_are_told_of_an_objection_at_once_without_its_words(call, boss, listed):
    selected, _waiting = listed
    services.publicity_publish(call=call, actor=boss, now=MONDAY)
    mail.outbox.clear()
    objection = file_one(call, selected[0], reason="该单位近三年存在行政处罚记录。")
    run_jobs()
    told = [m for m in mail.outbox if "公示异议待答复" in m.subject]
    assert [m.to for m in told] == [[boss.email]]
    (message,) = told
    assert selected[0].unit_name in message.subject and selected[0].reference in message.subject
    assert objection.receipt in message.body
    assert f"/admin/applications/objection/{objection.pk}/answer/" in message.body
    # What the member of the public typed stays in the admin.
    assert "行政处罚" not in message.body
    assert "行政处罚" not in message.alternatives[0][0]


def test_the_period_skips_the_official_holidays_and_the_days_entered_by_hand(call, boss, listed):
    # A local holiday entered by a call manager on Tuesday 29 September 2026; the National
    # Day holiday (1–7 October) and Saturday 10 October (worked in lieu) are official.
    CalendarDay.objects.create(date=dt.date(2026, 9, 29), is_working_day=False, name="本地假日")
    published = services.publicity_publish(
        call=call, actor=boss, now=timezone.make_aware(dt.datetime(2026, 9, 28, 10, 0))
    )
    # Wed 30, Thu 8, Fri 9, Sat 10, Mon 12: the period ends at midnight after Monday 12.
    assert published.publicity_ends == timezone.make_aware(dt.datetime(2026, 10, 13, 0, 0))
