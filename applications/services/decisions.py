"""Selectors' decisions on applications, all through ``decide``; the published list's order.

What each decision is (its target, the states it is allowed from, its audit action, its
e-mail, its reason) is the table ``applications.workflow.DECISIONS``. Every decision runs
in one transaction that first locks the call's row, then the application's: decisions on
one call are serialised, so the count of selected applications read under the lock is the
true one and the cap (``Call.max_selected``) can never be passed, whoever clicks at the
same moment (the lock order, and why it never inverts: ``services.locking``). Decision
e-mails are sent after commit. Refusals raise ``ValidationError`` with a message for the
selector.

Decisions may be taken before the deadline: organisers review as applications arrive. A
decided application is no longer editable by its applicant; ``reopen`` makes it so again.
"""

import datetime
from collections.abc import Collection
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from applications import emails, enums, queries, validation, workflow
from applications.models import Application, Call
from applications.services.audit import audit_write
from applications.services.locking import (
    lock_call,
    lock_call_then_application,
    lock_call_then_applications,
)

Status = enums.Status

REASON_MAX = 1000
CORRECTION_MAX = 2000


def _clean_reason(reason: str) -> str:
    reason = validation.clean_text(reason or "", multiline=True).strip()
    if not any(ch.isalnum() for ch in reason):
        return ""  # blank, or only spaces and punctuation: no reason given
    if len(reason) > REASON_MAX:
        raise ValidationError(
            _("理由最多 %(max)d 字，请精简。"), code="reason_too_long", params={"max": REASON_MAX}
        )
    return reason


def _quorum_override(application: Application, call: Call, reason: str) -> str:
    """The joint sign-off, or ``reason`` to go without it: returns the reason to keep as the
    override ("" when the sign-off is met); refuses when it is missing and so is ``reason``.
    Only the bodies without a conflict on the application count (``queries.counting_reviews``)."""
    recommendations = (
        queries.counting_reviews()
        .filter(application=application, recommendation=enums.Recommendation.RECOMMEND)
        .count()
    )
    validation.validate_quorum(
        recommendations=recommendations,
        required=call.required_recommendations,
        override_reason=reason,
    )
    return reason if recommendations < call.required_recommendations else ""


def _holders(call: Call) -> QuerySet[Application]:
    """The applications holding a place on the call's list: selected, or pending selection."""
    return Application.objects.filter(call=call).filter(
        Q(status=Status.SELECTED) | Q(pending_decision="select")
    )


def _next_place(call: Call) -> int:
    """The next place on the call's list, refused once the cap is reached by final and
    pending selections together; only true under the call's row lock."""
    holders = _holders(call)
    validation.validate_selection_capacity(
        selected_count=holders.count(), max_selected=call.max_selected
    )
    return (holders.aggregate(last=Max("list_order"))["last"] or 0) + 1


def close_list_gaps(call: Call, *, actor: User | None) -> None:
    """Renumber the call's list 1..n in its order once a place is left (a reopen, an undone
    拟入选, a released decision that holds no place, a withdrawal), so the list never reads 1, 3, 4…
    Each moved place is on its application's timeline. Under the call's lock (held by the
    caller), then the holders' rows, in the module's lock order."""
    holders = list(_holders(call).values_list("pk", flat=True))
    _call, applications = lock_call_then_applications(call, pk__in=holders)
    ordered = sorted(
        applications,
        key=lambda a: (a.list_order is None, a.list_order or 0, a.decided_at is None, a.pk),
    )
    for position, application in enumerate(ordered, start=1):
        if application.list_order != position:
            was = application.list_order
            application.list_order = position
            application.save(update_fields=["list_order", "updated_at"])
            audit_write(
                application,
                "application.reorder",
                actor=actor,
                transition=(was, position),
                note=_("名单有空位，其后各家依次前移"),
            )


def available_decisions(application: Application) -> list[workflow.Decision]:
    """The decisions the table allows on ``application`` in its status, in table order (the
    cap and the joint sign-off are checked when one is taken); with a pending decision, only
    undoing it."""
    return workflow.decisions_from(application.status, application.pending_decision)


class CorrectionNeeded(ValidationError):
    """Undoing a released decision: the selector must write the correction e-mail or say
    explicitly that none is sent."""


@transaction.atomic
def decide(
    *,
    application: Application,
    decision: str,
    actor: User,
    reason: str = "",
    correction: str | None = None,
    now: datetime.datetime | None = None,
    final_change_reason: str = "",
) -> Application:
    """Take ``decision`` (a name in ``workflow.DECISIONS``) on ``application`` for ``actor``.

    Select, waitlist and reject are *staged*: they record a pending decision (拟入选 /
    拟候补 / 拟不予入选) that organisers see and the applicant does not; ``decisions_release``
    makes it final and mails it. A pending selection takes its place on the list at once, so
    the cap (``Call.max_selected``) counts final and pending selections together.

    The undo (``reopen``) withdraws a pending decision (nothing is sent), or takes back a
    released one: then ``correction`` is the e-mail that tells the applicant (its text), or
    "" to send none, said explicitly; None is refused (``CorrectionNeeded``).

    ``reason`` is what the row of the decision says: the override of a missing joint
    sign-off for a selection, an optional note for an undo; a decision that takes none
    refuses one (``ValueError``, a caller's mistake). Refusals raise ``ValidationError`` and
    write nothing: an actor who is not one of the call's selectors, a status the decision
    is not allowed from, a pending decision already there (``workflow.refusal``), a missing
    joint sign-off without a reason, a full list, a reason over ``REASON_MAX``.

    Once the list is final (after the 公示, ``Call.list_final_at``), only a call manager
    may decide, with ``final_change_reason`` (written, kept on the timeline as
    ``application.final_change``).

    In one transaction: the call's row, then the application's, are locked and re-read;
    the fields change; one audit entry (``application.propose`` with the decision,
    ``application.unpropose``, or ``application.reopen`` with from → to) with the actor and
    the reason kept as ``note``; the correction e-mail in the outbox.
    """
    row = workflow.DECISIONS.get(decision)
    if row is None:
        raise ValueError(f"No decision is called {decision!r}.")
    if reason and row.reason is workflow.Reason.NONE:
        raise ValueError(f"The decision {decision!r} takes no reason.")
    now = now or timezone.now()
    reason = _clean_reason(reason)
    call, application = lock_call_then_application(application)
    final_change_reason = _check_may_change(call, actor, final_change_reason)
    refusal = workflow.refusal(row, application.status, application.pending_decision)
    if refusal is not None:
        raise refusal
    if final_change_reason:
        audit_write(
            application,
            "application.final_change",
            actor=actor,
            decision=row.name,
            note=final_change_reason,
        )
    if row.undoes:
        if application.pending_decision:
            application = _unstage(application, actor=actor, note=reason)
        else:
            application = _reopen(application, actor=actor, note=reason, correction=correction)
        close_list_gaps(call, actor=actor)
        return application
    return _stage(application, call, row, actor=actor, reason=reason, now=now)


CALL_MANAGER_PERMISSION = "applications.change_call"


def _check_may_change(call: Call, actor: User, final_change_reason: str = "") -> str:
    """Who may change the list of ``call``: its selectors, until the list is final
    (``Call.list_final_at``, after the 公示); then only a call manager, with a written
    reason (returned, cleaned, to keep on the timeline)."""
    if call.list_final_at is None:
        validation.validate_may_decide(allowed=queries.may_decide_on(actor, call))
        return ""
    if not actor.has_perm(CALL_MANAGER_PERMISSION):
        raise ValidationError(
            _("名单已于公示期满后确定，修改须由征集管理人员填写书面理由。"), code="list_final"
        )
    cleaned = _clean_reason(final_change_reason)
    if not cleaned:
        raise ValidationError(
            _("名单已确定：请填写修改的书面理由，它将记入审计记录。"), code="final_reason_required"
        )
    return cleaned


def _stage(
    application: Application,
    call: Call,
    row: workflow.Decision,
    *,
    actor: User,
    reason: str,
    now: datetime.datetime,
) -> Application:
    fields: dict[str, Any] = {"pending_decision": row.name, "pending_at": now, "pending_by": actor}
    note = ""
    if row.reason is workflow.Reason.QUORUM_OVERRIDE:
        note = _quorum_override(application, call, reason)
        fields["pending_reason"] = note
    if row.takes_place and application.list_order is None:
        fields["list_order"] = _next_place(call)
    _save(application, fields)
    kept: dict[str, Any] = {"note": note} if note else {}
    audit_write(application, "application.propose", actor=actor, decision=row.name, **kept)
    return application


def _unstage(application: Application, *, actor: User, note: str) -> Application:
    was = application.pending_decision
    fields: dict[str, Any] = {
        "pending_decision": "",
        "pending_at": None,
        "pending_by": None,
        "pending_reason": "",
    }
    if was == "select" and application.status != Status.SELECTED:
        fields["list_order"] = None
    _save(application, fields)
    kept: dict[str, Any] = {"note": note} if note else {}
    audit_write(application, "application.unpropose", actor=actor, decision=was, **kept)
    return application


def _reopen(
    application: Application, *, actor: User, note: str, correction: str | None
) -> Application:
    if correction is None:
        raise CorrectionNeeded(
            _("该决定已通知申报单位：请在申报页面撤销，并填写更正邮件或明确选择不发送"),
            code="correction_needed",
        )
    correction = validation.clean_text(correction, multiline=True).strip()
    if len(correction) > CORRECTION_MAX:
        raise ValidationError(
            _("更正邮件最多 %(max)d 字，请精简。"),
            code="correction_too_long",
            params={"max": CORRECTION_MAX},
        )
    was = application.status
    application.status = workflow.UNDO.target
    _save(
        application,
        {"decided_at": None, "list_order": None, "selection_override_reason": ""},
        status=True,
    )
    kept: dict[str, Any] = {"note": note} if note else {}
    kept["correction"] = "sent" if correction else "none"
    audit_write(
        application,
        workflow.UNDO.audit_action,
        actor=actor,
        transition=(was, application.status),
        **kept,
    )
    if correction:
        emails.send_correction(application, correction)
    return application


def _save(application: Application, fields: dict[str, Any], *, status: bool = False) -> None:
    for name, value in fields.items():
        setattr(application, name, value)
    application.full_clean(exclude=["standards"])
    application.save(update_fields=[*(["status"] if status else []), "updated_at", *fields])


def pending_decisions(call: Call) -> QuerySet[Application]:
    """The call's applications with a decision waiting to be released, in list order."""
    return (
        Application.objects.filter(call=call)
        .exclude(pending_decision="")
        .order_by("pending_decision", "list_order", "reference")
    )


@transaction.atomic
def decisions_release(
    *,
    call: Call,
    actor: User,
    pks: Collection[int] | None = None,
    now: datetime.datetime | None = None,
) -> list[Application]:
    """ "发布决定": the call's pending decisions (all, or those of ``pks``) become final, each
    with its audit entry and its e-mail in the outbox, all in one transaction.

    Refused as a whole (``ValidationError``, nothing written) when nothing is pending, or
    when one can no longer be taken (withdrawn meanwhile, say): the selector is told which.
    """
    now = now or timezone.now()
    filters: dict[str, Any] = {"pending_decision__in": list(workflow.STAGED)}
    if pks is not None:
        filters["pk__in"] = list(pks)
    call, applications = lock_call_then_applications(call, **filters)
    if call.list_final_at is None:
        validation.validate_may_decide(allowed=queries.may_decide_on(actor, call))
    elif not actor.has_perm(CALL_MANAGER_PERMISSION):
        # After the list is final, only a call manager staged these (each with its reason).
        raise ValidationError(
            _("名单已于公示期满后确定，修改须由征集管理人员填写书面理由。"), code="list_final"
        )
    if not applications:
        raise ValidationError(_("没有待发布的决定。"), code="nothing_pending")
    for application in applications:
        row = workflow.STAGED[application.pending_decision]
        refusal = workflow.refusal(row, application.status)
        if refusal is not None:
            raise ValidationError(
                _("%(ref)s：%(why)s"),
                code="stale_pending",
                params={"ref": application.reference, "why": refusal.messages[0]},
            )
    released = []
    for application in applications:
        row = workflow.STAGED[application.pending_decision]
        was = application.status
        application.status = row.target
        fields: dict[str, Any] = {
            "decided_at": now,
            "pending_decision": "",
            "pending_at": None,
            "pending_by": None,
            "pending_reason": "",
        }
        note = application.pending_reason
        if row.reason is workflow.Reason.QUORUM_OVERRIDE:
            fields["selection_override_reason"] = note
        if not row.takes_place:
            fields["list_order"] = None
        _save(application, fields, status=True)
        kept: dict[str, Any] = {"note": note} if note else {}
        audit_write(
            application, row.audit_action, actor=actor, transition=(was, row.target), **kept
        )
        if row.mails:
            emails.send_decision(application)
        released.append(application)
    close_list_gaps(call, actor=actor)
    return released


@transaction.atomic
def decide_many(
    *, applications: Collection[Application], decision: str, actor: User
) -> list[tuple[Application, ValidationError | None]]:
    """``decide`` on each of ``applications`` (a bulk action), in reference order; returns
    each with its refusal (None when taken).

    A decision that takes a list place is refused as a whole, before any is taken, when
    more applications it could be taken on are ticked than a call has free places: the
    selector chooses which, the order of the references never does. The calls are locked
    first, so the free places counted are still free when the decisions are taken.
    """
    row = workflow.DECISIONS.get(decision)
    if row is None:
        raise ValueError(f"No decision is called {decision!r}.")
    ordered = sorted(applications, key=lambda a: a.reference)
    if row.takes_place:
        for call_id in sorted({a.call_id for a in ordered}):
            call = lock_call(Call(pk=call_id))
            wanted = Application.objects.filter(
                pk__in=[a.pk for a in ordered if a.call_id == call_id],
                status__in=row.allowed_from,
                pending_decision="",
            ).count()
            free = max(call.max_selected - _holders(call).count(), 0)
            if wanted > free:
                raise ValidationError(
                    _(
                        "%(call)s：勾选了 %(wanted)d 家，但入选名额只剩 %(free)d 个。"
                        "请按评分排序后只勾选要入选的单位，本次未作任何决定。"
                    ),
                    code="not_enough_places",
                    params={"call": call.title, "wanted": wanted, "free": free},
                )
    outcomes: list[tuple[Application, ValidationError | None]] = []
    for application in ordered:
        try:
            outcomes.append((decide(application=application, decision=decision, actor=actor), None))
        except ValidationError as exc:  # decide's own savepoint is rolled back
            outcomes.append((application, exc))
    return outcomes


@transaction.atomic
def selections_propose_by_score(
    *, call: Call, actor: User, now: datetime.datetime | None = None
) -> list[Application]:
    """ "按评分拟定名单": pending selections (拟入选) for the best-scored applications that
    reach the joint sign-off, up to the free places, through ``decide``; the selector
    reviews them on the list and releases them (or undoes some). Nothing is mailed.

    Refused when no place is free or no application qualifies.
    """
    call = lock_call(call)
    validation.validate_may_decide(allowed=queries.may_decide_on(actor, call))
    held = _holders(call).count()
    validation.validate_selection_capacity(selected_count=held, max_selected=call.max_selected)
    candidates = list(queries.selection_candidates_by_score(call)[: call.max_selected - held])
    if not candidates:
        raise ValidationError(
            _("没有可拟入选的申报：需已达会签要求、已有评分且尚无决定。"), code="no_candidates"
        )
    return [
        decide(application=candidate, decision="select", actor=actor, now=now)
        for candidate in candidates
    ]


@transaction.atomic
def waitlist_promote_next(
    *, call: Call, actor: User, now: datetime.datetime | None = None
) -> Application:
    """Select the best-ranked waitlisted application, through ``decide``.

    Refused like any selection (cap reached, joint sign-off missing); an empty waitlist is
    refused too. The call is locked first so two clicks cannot promote the same one twice.
    """
    call = lock_call(call)
    candidate = queries.waitlist_ranked(call).first()
    if candidate is None:
        raise ValidationError(_("候补名单为空，没有可递补的单位。"), code="waitlist_empty")
    return decide(application=candidate, decision="select", actor=actor, now=now)


@transaction.atomic
def selected_list_reorder(*, call: Call, order: list[int], actor: User) -> int:
    """Renumber the list of ``call`` as ``order`` (application pks: the selected and the
    pending selections, the places the cap counts).

    Returns how many places changed; each change is on the application's timeline.
    """
    call = lock_call(call)
    validation.validate_may_decide(allowed=queries.may_decide_on(actor, call))
    if call.list_final_at is not None:
        raise ValidationError(_("名单已确定，不能再调整顺序。"), code="list_final")
    holders = list(_holders(call).values_list("pk", flat=True))
    call, applications = lock_call_then_applications(call, pk__in=holders)
    selected = {a.pk: a for a in applications}
    if sorted(order) != sorted(selected):
        raise ValidationError(_("入选名单已被他人修改，请刷新页面后重新排序。"), code="stale_order")
    changed = 0
    for position, pk in enumerate(order, start=1):
        application = selected[pk]
        if application.list_order != position:
            was = application.list_order
            application.list_order = position
            application.save(update_fields=["list_order", "updated_at"])
            audit_write(application, "application.reorder", actor=actor, transition=(was, position))
            changed += 1
    return changed
