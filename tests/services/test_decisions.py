"""Reviews and decisions through the services: every transition and every refusal."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from applications import emails, queries, services, workflow
from applications.enums import Recommendation, Status
from applications.models import Application, AuditEntry, Review
from tests.factories import (
    application_in_status,
    create_application,
    decide_final,
    recommend,
    reviewer_for,
    rubric_scores,
    selector,
)
from tests.jobs import run_jobs

pytestmark = pytest.mark.django_db


@pytest.fixture
def bodies(call):
    return list(call.organising_bodies.all())


@pytest.fixture
def boss(call):
    return selector()


def submitted(call, number=1, **overrides):
    return create_application(call, number, **overrides)[0]


def actions(application):
    return list(application.audit_entries.values_list("action", flat=True))


# --- reviews ----------------------------------------------------------------------------
def test_a_reviewer_records_and_changes_their_bodys_verdict(call, bodies):
    application = submitted(call)
    reviewer = reviewer_for(bodies[0])
    review = services.review_save(
        application=application,
        reviewer=reviewer,
        recommendation=Recommendation.NEUTRAL,
        scores=rubric_scores(call, 70),
        comment="材料齐全，\n待核实",
    )
    assert (review.body, review.score, review.comment) == (bodies[0], 70, "材料齐全，\n待核实")
    services.review_save(
        application=application,
        reviewer=reviewer,
        recommendation="recommend",
        scores=rubric_scores(call, 88),
    )
    assert Review.objects.get().recommendation == "recommend"
    assert Review.objects.count() == 1  # one per body per application
    entries = list(application.audit_entries.filter(action="application.review"))
    assert [(e.data["from"], e.data["to"], e.data["score"], e.body) for e in entries] == [
        ("", "neutral", 70, bodies[0]),
        ("neutral", "recommend", 88, bodies[0]),
    ]
    assert all(e.actor == reviewer for e in entries)


def test_two_reviewers_of_one_body_share_its_single_verdict(call, bodies):
    application = submitted(call)
    first, second = reviewer_for(bodies[1], "a"), reviewer_for(bodies[1], "b")
    services.review_save(
        application=application,
        reviewer=first,
        recommendation="recommend",
        scores=rubric_scores(call, 90),
    )
    services.review_save(
        application=application,
        reviewer=second,
        recommendation="neutral",
        scores=rubric_scores(call, 60),
    )
    review = Review.objects.get()
    assert (review.reviewer, review.recommendation) == (second, "neutral")


def test_a_comment_with_a_bidi_override_is_refused_on_its_field(call, bodies):
    application = submitted(call)
    with pytest.raises(ValidationError) as info:
        services.review_save(
            application=application,
            reviewer=reviewer_for(bodies[0]),
            recommendation="recommend",
            scores=rubric_scores(call, 80),
            comment="好\u202e评",
        )
    assert list(info.value.message_dict) == ["comment"]
    assert not Review.objects.exists()


@pytest.mark.parametrize("value", [-1, 11, "7.5", "十"])
def test_a_score_outside_the_criterions_scale_is_refused_on_its_field(call, bodies, value):
    application = submitted(call)
    scores = rubric_scores(call, 70)
    first = queries.rubric_criteria(call)[0]
    with pytest.raises(ValidationError) as info:
        services.review_save(
            application=application,
            reviewer=reviewer_for(bodies[0]),
            recommendation="recommend",
            scores={**scores, first.pk: value},
        )
    assert info.value.message_dict == {
        first.field_name: [f"“{first.label}”的得分须为 0 到 10 之间的整数。"]
    }
    assert not Review.objects.exists() and actions(application) == [
        "application.create",
        "application.submit",
    ]


def test_only_a_member_of_exactly_one_body_may_review(call, bodies, boss):
    application = submitted(call)
    with pytest.raises(ValidationError, match="不属于任何牵头单位的评审组"):
        services.review_save(
            application=application,
            reviewer=boss,
            recommendation="recommend",
            scores=rubric_scores(call, 80),
        )
    double = reviewer_for(bodies[0], "double")
    double.groups.add(bodies[1].reviewer_group)
    with pytest.raises(ValidationError, match="同时属于多个牵头单位"):
        services.review_save(
            application=application,
            reviewer=double,
            recommendation="recommend",
            scores=rubric_scores(call, 80),
        )
    assert not Review.objects.exists()


def test_bodies_review_while_pending_and_a_verdict_after_release_is_marked_late(call, bodies, boss):
    draft = create_application(call, 1, action="draft")[0]
    with pytest.raises(ValidationError, match="草稿"):
        services.review_save(
            application=draft,
            reviewer=reviewer_for(bodies[0]),
            recommendation="recommend",
            scores=rubric_scores(call, 80),
        )
    application = submitted(call, 2)
    recommend(application, bodies[:1])
    services.decide(decision="select", application=application, actor=boss, reason="急需")
    recommend(application, bodies[1:2])  # pending: the body goes on reviewing
    services.decisions_release(call=call, actor=boss)
    services.review_save(
        application=application,
        reviewer=reviewer_for(bodies[2]),
        recommendation="recommend",
        scores=rubric_scores(call, 80),
    )
    assert Review.objects.filter(application=application).count() == 3
    reviews = application.audit_entries.filter(action="application.review").order_by("pk")
    assert [e.data.get("late", False) for e in reviews] == [False, False, True]
    services.application_withdraw(application=application)
    with pytest.raises(ValidationError, match="已撤回"):
        recommend(application, bodies[2:])


# --- decisions --------------------------------------------------------------------------
def test_select_with_quorum_orders_the_list_audits_and_mails(
    call, bodies, boss, django_capture_on_commit_callbacks
):
    first, second = submitted(call, 1), submitted(call, 2)
    recommend(first, bodies[:2])
    recommend(second, bodies)
    run_jobs()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.decide(decision="select", application=second, actor=boss)
        services.decide(decision="select", application=first, actor=boss)
    run_jobs()
    assert mail.outbox == []  # staged: nothing goes out before the release
    assert Application.objects.get(pk=first.pk).status == Status.SUBMITTED
    released = services.decisions_release(call=call, actor=boss)
    assert [a.pk for a in released] == sorted([first.pk, second.pk])
    run_jobs()
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.list_order, second.list_order) == (Status.SELECTED, 2, 1)
    assert first.decided_at is not None and first.selection_override_reason == ""
    entry = first.audit_entries.get(action="application.select")
    assert (entry.actor, entry.data) == (boss, {"from": "submitted", "to": "selected"})
    by_address = {m.to[0]: m for m in mail.outbox}
    assert sorted(by_address) == sorted([first.contact_email, second.contact_email])
    first_mail = by_address[first.contact_email]
    assert "已入选" in first_mail.subject and first.reference in first_mail.subject
    assert first.drafter_name in first_mail.body
    assert first.standards.get().title in first_mail.alternatives[0][0]
    assert "《《" not in first_mail.body


def test_select_without_quorum_needs_a_written_reason(call, bodies, boss):
    application = submitted(call)
    recommend(application, bodies[:1])
    recommend(application, bodies[1:2], recommendation="not_recommend", score=40)
    with pytest.raises(ValidationError) as info:
        services.decide(decision="select", application=application, actor=boss)
    assert info.value.code == "quorum_missing"
    assert "1 个牵头单位推荐，需要 2 个" in info.value.messages[0]
    with pytest.raises(ValidationError):
        services.decide(decision="select", application=application, actor=boss, reason="  \u200b ")
    assert Application.objects.get().status == Status.SUBMITTED
    services.decide(decision="select", application=application, actor=boss, reason="行业代表性强")
    application.refresh_from_db()
    assert application.pending_reason == "行业代表性强"
    services.decisions_release(call=call, actor=boss)
    application.refresh_from_db()
    assert application.selection_override_reason == "行业代表性强"
    entry = application.audit_entries.get(action="application.select")
    assert entry.data["note"] == "行业代表性强"


def test_the_quorum_is_a_setting_of_the_call(call, boss):
    call.required_recommendations = 0
    call.save()
    application = submitted(call)
    decide_final(application, "select", boss)
    assert Application.objects.get().status == Status.SELECTED


def test_the_cap_refuses_the_31st_and_a_withdrawal_frees_a_place(
    call, boss, django_capture_on_commit_callbacks
):
    call.max_selected = 3
    call.required_recommendations = 0
    call.save()
    apps = [submitted(call, n) for n in range(1, 5)]
    decide_final(apps[0], "select", boss)
    for application in apps[1:3]:  # pending selections count toward the cap
        services.decide(decision="select", application=application, actor=boss)
    with pytest.raises(ValidationError) as info:
        services.decide(decision="select", application=apps[3], actor=boss)
    assert info.value.code == "cap_reached"
    assert info.value.messages == [
        "已入选 3 家，达到上限 3 家，不能再入选；如需替换，请先撤销一家的入选决定"
    ]
    assert Application.objects.get(pk=apps[3].pk).status == Status.SUBMITTED
    assert actions(apps[3]) == ["application.create", "application.submit"]
    with django_capture_on_commit_callbacks(execute=True):
        services.application_withdraw(application=apps[0])
    services.decide(decision="select", application=apps[3], actor=boss)
    services.decisions_release(call=call, actor=boss)
    assert Application.objects.filter(status=Status.SELECTED).count() == 3
    # The place the withdrawal left is closed when the decisions are released: 1, 2, 3.
    assert Application.objects.get(pk=apps[3].pk).list_order == 3
    assert sorted(
        Application.objects.filter(status=Status.SELECTED).values_list("list_order", flat=True)
    ) == [1, 2, 3]


def test_a_withdrawal_closes_the_gap_in_the_list_at_once(call, boss):
    """The units after a withdrawn one move up straight away, each move on its timeline."""
    call.required_recommendations = 0
    call.save()
    apps = [submitted(call, n) for n in range(1, 4)]
    for application in apps:
        decide_final(application, "select", boss)
    assert [Application.objects.get(pk=a.pk).list_order for a in apps] == [1, 2, 3]
    services.application_withdraw(application=apps[0])
    assert [Application.objects.get(pk=a.pk).list_order for a in apps[1:]] == [1, 2]
    assert "application.reorder" in actions(apps[2])


def test_waitlist_reject_reopen_and_the_refusals(call, boss, django_capture_on_commit_callbacks):
    call.required_recommendations = 0
    call.save()
    application = submitted(call)
    run_jobs()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        decide_final(application, "waitlist", boss)
    run_jobs()
    assert Application.objects.get().status == Status.WAITLISTED
    assert "候补" in mail.outbox[-1].subject
    with pytest.raises(ValidationError, match="已是“候补”"):
        services.decide(decision="waitlist", application=application, actor=boss)
    with django_capture_on_commit_callbacks(execute=True):
        decide_final(application, "reject", boss)
    run_jobs()
    assert "评审结果" in mail.outbox[-1].subject and "未能入选" in mail.outbox[-1].body
    with pytest.raises(ValidationError, match="请先撤销决定"):
        services.decide(decision="select", application=application, actor=boss)
    sent = len(mail.outbox)
    with pytest.raises(services.CorrectionNeeded, match="更正邮件"):
        services.decide(decision="reopen", application=application, actor=boss, reason="复议")
    with django_capture_on_commit_callbacks(execute=True):
        services.decide(
            decision="reopen", application=application, actor=boss, reason="复议", correction=""
        )
    run_jobs()
    assert len(mail.outbox) == sent  # "不发送", said explicitly
    application.refresh_from_db()
    assert (application.status, application.decided_at) == (Status.SUBMITTED, None)
    with pytest.raises(ValidationError, match="尚无决定"):
        services.decide(decision="reopen", application=application, actor=boss)
    assert [
        (e.data["from"], e.data["to"])
        for e in AuditEntry.objects.filter(
            action__in=["application.waitlist", "application.reject", "application.reopen"]
        )
    ] == [
        ("submitted", "waitlisted"),
        ("waitlisted", "rejected"),
        ("rejected", "submitted"),
    ]


def test_drafts_and_withdrawn_applications_cannot_be_decided(call, boss):
    call.required_recommendations = 0
    call.save()
    draft = create_application(call, 1, action="draft")[0]
    withdrawn = submitted(call, 2)
    services.application_withdraw(application=withdrawn)
    for decision in ("select", "waitlist", "reject"):
        with pytest.raises(ValidationError, match="草稿"):
            services.decide(application=draft, decision=decision, actor=boss)
        with pytest.raises(ValidationError, match="已由申报单位撤回"):
            services.decide(application=withdrawn, decision=decision, actor=boss)
    with pytest.raises(ValidationError, match="已由申报单位撤回"):
        services.decide(decision="reopen", application=withdrawn, actor=boss)


def test_a_decided_application_is_frozen_for_its_applicant_until_reopened(call, boss):
    call.required_recommendations = 0
    call.save()
    application, _token = create_application(call, 1)
    decide_final(application, "select", boss)
    with pytest.raises(ValidationError, match="不能再修改"):
        services.application_update(
            application=application,
            values={"unit_name": "新名称"},
            standards=list(call.standards.all()[:1]),
            files={},
            action="submit",
        )
    services.decide(decision="reopen", application=application, actor=boss, correction="")
    services.application_update(
        application=application,
        values={"unit_name": "新名称"},
        standards=list(call.standards.all()[:1]),
        files={},
        action="submit",
    )
    assert Application.objects.get().unit_name == "新名称"


def test_promote_next_takes_the_best_scored_waitlisted(call, bodies, boss):
    call.max_selected = 1
    call.save()
    top, low, unscored = submitted(call, 1), submitted(call, 2), submitted(call, 3)
    recommend(low, bodies[:2], score=70)
    recommend(top, bodies[:2], score=95)
    recommend(submitted(call, 4), bodies[:2], score=60)
    first = Application.objects.get(reference="CQO-2021-0004")
    decide_final(first, "select", boss)
    for application in (unscored, low, top):
        decide_final(application, "waitlist", boss)
    with pytest.raises(ValidationError, match="达到上限"):
        services.waitlist_promote_next(call=call, actor=boss)
    services.application_withdraw(application=first)
    promoted = services.waitlist_promote_next(call=call, actor=boss)
    assert promoted.pk == top.pk and promoted.pending_decision == "select"
    with pytest.raises(ValidationError, match="达到上限"):  # the pending one holds the place
        services.waitlist_promote_next(call=call, actor=boss)
    services.application_withdraw(application=promoted)
    assert services.waitlist_promote_next(call=call, actor=boss).pk == low.pk
    services.application_withdraw(application=low)
    with pytest.raises(ValidationError, match="会签未达要求"):
        services.waitlist_promote_next(call=call, actor=boss)  # unscored: no quorum


def test_promote_next_on_an_empty_waitlist(call, boss):
    with pytest.raises(ValidationError, match="候补名单为空"):
        services.waitlist_promote_next(call=call, actor=boss)


def test_reorder_the_published_list(call, boss):
    call.required_recommendations = 0
    call.save()
    apps = [submitted(call, n) for n in range(1, 4)]
    decide_final(apps[0], "select", boss)
    for application in apps[1:]:  # pending selections hold their places on the list too
        services.decide(decision="select", application=application, actor=boss)
    changed = services.selected_list_reorder(
        call=call, order=[apps[2].pk, apps[0].pk, apps[1].pk], actor=boss
    )
    assert changed == 3
    assert list(Application.objects.order_by("list_order").values_list("pk", flat=True)) == [
        apps[2].pk,
        apps[0].pk,
        apps[1].pk,
    ]
    with pytest.raises(ValidationError, match="已被他人修改"):
        services.selected_list_reorder(call=call, order=[apps[0].pk], actor=boss)
    entry = apps[2].audit_entries.get(action="application.reorder")
    assert entry.data == {"from": 3, "to": 1}


# --- the decision table, row by row: what it offers is what is taken ----------------------
@pytest.fixture
def without_sign_off(call):
    """The joint sign-off off, so that only the table (and the cap) decides."""
    call.required_recommendations = 0
    call.save(update_fields=["required_recommendations"])
    return call


@pytest.mark.parametrize("status", Status.values)
def test_available_decisions_from_every_status(without_sign_off, boss, status):
    application = application_in_status(without_sign_off, status, boss)
    assert application.status == status
    assert services.available_decisions(application) == [
        decision for decision in workflow.DECISIONS.values() if status in decision.allowed_from
    ]


@pytest.mark.parametrize("status", Status.values)
@pytest.mark.parametrize("name", list(workflow.DECISIONS))
def test_every_decision_from_every_status_is_taken_or_refused_as_the_table_says(
    without_sign_off, boss, status, name, django_capture_on_commit_callbacks
):
    decision = workflow.DECISIONS[name]
    application = application_in_status(without_sign_off, status, boss)
    before = actions(application)
    run_jobs()
    mail.outbox.clear()
    if decision in services.available_decisions(application):
        staged = decision.pending_label is not None
        with django_capture_on_commit_callbacks(execute=True):
            services.decide(
                application=application,
                decision=name,
                actor=boss,
                **({} if staged else {"correction": ""}),
            )
        application.refresh_from_db()
        if staged:  # pending: the status waits for the release, and so does the mail
            assert (application.status, application.pending_decision) == (status, name)
            assert actions(application) == [*before, "application.propose"]
            run_jobs()
            assert mail.outbox == []
            services.decisions_release(call=without_sign_off, actor=boss)
            application.refresh_from_db()
            before = [*before, "application.propose"]
        assert application.status == decision.target and application.pending_decision == ""
        assert actions(application) == [*before, decision.audit_action]
        entry = application.audit_entries.last()
        assert (entry.actor, entry.data["from"], entry.data["to"]) == (
            boss,
            status,
            decision.target,
        )
        run_jobs()
        assert len(mail.outbox) == (1 if decision.mails else 0)
        return
    refusal = workflow.refusal(decision, status)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError) as info:
        services.decide(application=application, decision=name, actor=boss)
    assert (info.value.code, info.value.messages) == (refusal.code, refusal.messages)
    assert info.value.code in {"draft", "withdrawn", "not_decided", "already", "already_decided"}
    assert Application.objects.get(pk=application.pk).status == status
    assert actions(application) == before
    run_jobs()
    assert mail.outbox == []


def test_a_reason_is_refused_by_a_decision_that_takes_none(without_sign_off, boss):
    application = submitted(without_sign_off)
    for decision in workflow.DECISIONS.values():
        if decision.reason is workflow.Reason.NONE:
            with pytest.raises(ValueError, match="takes no reason"):
                services.decide(
                    application=application, decision=decision.name, actor=boss, reason="因为"
                )
    with pytest.raises(ValueError, match="No decision is called 'promote'"):
        services.decide(application=application, decision="promote", actor=boss)
    assert Application.objects.get().status == Status.SUBMITTED
    assert actions(application) == ["application.create", "application.submit"]


# --- staged decisions, released together ------------------------------------------------
def test_release_makes_every_pending_decision_final_with_one_mail_each(without_sign_off, boss):
    apps = [submitted(without_sign_off, n) for n in range(1, 5)]
    for application, name in zip(apps, ["select", "select", "waitlist", "reject"], strict=True):
        services.decide(decision=name, application=application, actor=boss)
    run_jobs()
    mail.outbox.clear()
    assert queries.pending_counts(without_sign_off) == {"select": 2, "waitlist": 1, "reject": 1}
    released = services.decisions_release(call=without_sign_off, actor=boss)
    assert len(released) == 4
    assert {a.pk: a.status for a in Application.objects.all()} == {
        apps[0].pk: Status.SELECTED,
        apps[1].pk: Status.SELECTED,
        apps[2].pk: Status.WAITLISTED,
        apps[3].pk: Status.REJECTED,
    }
    assert not Application.objects.exclude(pending_decision="").exists()
    run_jobs()
    assert sorted(m.to[0] for m in mail.outbox) == sorted(a.contact_email for a in apps)
    with pytest.raises(ValidationError, match="没有待发布的决定"):
        services.decisions_release(call=without_sign_off, actor=boss)


def test_release_of_the_ticked_only_and_a_stale_one_refuses_the_whole_release(
    without_sign_off, boss
):
    first, second, third = (submitted(without_sign_off, n) for n in (1, 2, 3))
    for application in (first, second, third):
        services.decide(decision="waitlist", application=application, actor=boss)
    [only] = services.decisions_release(call=without_sign_off, actor=boss, pks=[first.pk])
    assert only.pk == first.pk and only.status == Status.WAITLISTED
    # Between the proposal and the release, the unit of `second` withdrew: its pending
    # decision went with it, so the release takes `third` alone.
    services.application_withdraw(application=second)
    second.refresh_from_db()
    assert (second.status, second.pending_decision) == (Status.WITHDRAWN, "")
    # A pending decision its application no longer allows (written behind the service's
    # back, as a stale row would be) stops the whole release: nothing half-released.
    Application.objects.filter(pk=first.pk).update(pending_decision="waitlist")
    with pytest.raises(ValidationError, match=first.reference):
        services.decisions_release(call=without_sign_off, actor=boss)
    third.refresh_from_db()
    assert (third.status, third.pending_decision) == (Status.SUBMITTED, "waitlist")


def test_undoing_a_pending_decision_sends_nothing_and_frees_its_place(without_sign_off, boss):
    without_sign_off.max_selected = 1
    without_sign_off.save(update_fields=["max_selected"])
    first, second = submitted(without_sign_off, 1), submitted(without_sign_off, 2)
    services.decide(decision="select", application=first, actor=boss)
    with pytest.raises(ValidationError, match="达到上限"):
        services.decide(decision="select", application=second, actor=boss)
    run_jobs()
    mail.outbox.clear()
    services.decide(decision="reopen", application=first, actor=boss, reason="再议")
    first.refresh_from_db()
    assert (first.status, first.pending_decision, first.list_order) == (Status.SUBMITTED, "", None)
    assert first.audit_entries.last().action == "application.unpropose"
    services.decide(decision="select", application=second, actor=boss)
    run_jobs()
    assert mail.outbox == []


def test_taking_back_a_released_decision_sends_the_correction_as_written(without_sign_off, boss):
    application = submitted(without_sign_off)
    decide_final(application, "select", boss)
    run_jobs()
    mail.outbox.clear()
    with pytest.raises(services.CorrectionNeeded):
        services.decide(decision="reopen", application=application, actor=boss)
    assert Application.objects.get().status == Status.SELECTED
    text = emails.correction_text(application) + "\n联系人：张三"
    services.decide(decision="reopen", application=application, actor=boss, correction=text)
    run_jobs()
    [correction] = mail.outbox
    assert correction.subject == f"[{application.reference}] 评审结果更正"
    assert "重新进入评审" in correction.body and "联系人：张三" in correction.body
    entry = application.audit_entries.last()
    assert (entry.action, entry.data["correction"]) == ("application.reopen", "sent")


def test_propose_by_score_stages_the_best_signed_off_up_to_the_free_places(call, bodies, boss):
    call.max_selected = 3
    call.save(update_fields=["max_selected"])
    apps = {n: submitted(call, n) for n in range(1, 7)}
    recommend(apps[1], bodies[:2], score=70)
    recommend(apps[2], bodies[:2], score=95)
    recommend(apps[3], bodies[:1], score=99)  # best score, but no joint sign-off
    recommend(apps[4], bodies[:2], score=88)
    recommend(apps[5], bodies[:2], score=60)
    decide_final(apps[1], "select", boss)  # one place already taken
    run_jobs()
    mail.outbox.clear()

    proposed = services.selections_propose_by_score(call=call, actor=boss)

    assert [a.pk for a in proposed] == [apps[2].pk, apps[4].pk]  # 95, 88: two free places
    assert set(
        Application.objects.filter(pending_decision="select").values_list("pk", flat=True)
    ) == {apps[2].pk, apps[4].pk}
    run_jobs()
    assert mail.outbox == []  # proposals only, until released
    with pytest.raises(ValidationError, match="达到上限"):
        services.selections_propose_by_score(call=call, actor=boss)
    services.decide(decision="reopen", application=apps[4], actor=boss)  # the selector undoes one
    [again] = services.selections_propose_by_score(call=call, actor=boss)
    assert again.pk == apps[4].pk  # still the best candidate; 60 and 99-unsigned stay out


def test_propose_by_score_with_nobody_signed_off_says_so(call, bodies, boss):
    submitted(call, 1)
    with pytest.raises(ValidationError, match="没有可拟入选的申报"):
        services.selections_propose_by_score(call=call, actor=boss)
