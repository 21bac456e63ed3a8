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
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
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
    override ("" when the sign-off is met); refuses when it is missing and so is ``reason``."""
    recommendations = application.reviews.filter(
        recommendation=enums.Recommendation.RECOMMEND
    ).count()
    validation.validate_quorum(
        recommendations=recommendations,
        required=call.required_recommendations,
        override_reason=reason,
    )
    return reason if recommendations < call.required_recommendations else ""


def _next_place(call: Call, status: str) -> int:
    """The next place on the call's published list, refused once the cap is reached; only
    true under the call's row lock."""
    holders = Application.objects.filter(call=call, status=status)
    validation.validate_selection_capacity(
        selected_count=holders.count(), max_selected=call.max_selected
    )
    return (holders.aggregate(last=Max("list_order"))["last"] or 0) + 1


def available_decisions(application: Application) -> list[workflow.Decision]:
    """The decisions the table allows on ``application`` in its status, in table order (the
    cap and the joint sign-off are checked when one is taken)."""
    return workflow.decisions_from(application.status)


@transaction.atomic
def decide(
    *,
    application: Application,
    decision: str,
    actor: User,
    reason: str = "",
    now: datetime.datetime | None = None,
) -> Application:
    """Take ``decision`` (a name in ``workflow.DECISIONS``) on ``application`` for ``actor``.

    ``reason`` is what the row of the decision says: the override of a missing joint
    sign-off for a selection, an optional note for an undo; a decision that takes none
    refuses one (``ValueError``, a caller's mistake). Refusals raise ``ValidationError`` and
    write nothing: an actor who is not one of the call's selectors, a status the decision
    is not allowed from (``workflow.refusal``), a
    missing joint sign-off without a reason, a full list, a reason over ``REASON_MAX``.

    Side effects, in one transaction:
    - the call's row, then the application's, are locked and re-read;
    - ``status`` becomes the decision's target, ``decided_at`` is ``now`` (cleared by an
      undo);
    - a selection takes the next place on the published list (``list_order``) and keeps
      the override reason (``selection_override_reason``); an undo frees both;
    - one audit entry ``application.<decision>`` with the actor, from → to and the reason
      kept, as ``note``;
    - after commit, the decision e-mail to the applicant, for the decisions that mail.
    """
    row = workflow.DECISIONS.get(decision)
    if row is None:
        raise ValueError(f"No decision is called {decision!r}.")
    if reason and row.reason is workflow.Reason.NONE:
        raise ValueError(f"The decision {decision!r} takes no reason.")
    now = now or timezone.now()
    reason = _clean_reason(reason)
    call, application = lock_call_then_application(application)
    validation.validate_may_decide(allowed=queries.may_decide_on(actor, call))
    refusal = workflow.refusal(row, application.status)
    if refusal is not None:
        raise refusal
    note = reason if row.reason is workflow.Reason.NOTE else ""
    fields: dict[str, Any] = {"decided_at": None if row.undoes else now}
    if row.reason is workflow.Reason.QUORUM_OVERRIDE:
        note = _quorum_override(application, call, reason)
        fields["selection_override_reason"] = note
    if row.takes_place:
        fields["list_order"] = _next_place(call, row.target)
    if row.undoes:
        fields.update(list_order=None, selection_override_reason="")
    was = application.status
    application.status = row.target
    for name, value in fields.items():
        setattr(application, name, value)
    application.full_clean(exclude=["standards"])
    application.save(update_fields=["status", "updated_at", *fields])
    kept: dict[str, Any] = {"note": note} if note else {}
    audit_write(
        application, row.audit_action, actor=actor, transition=(was, application.status), **kept
    )
    if row.mails:
        transaction.on_commit(lambda: emails.send_decision(application))
    return application


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
    """Renumber the published list of ``call`` as ``order`` (application pks, all selected).

    Returns how many places changed; each change is on the application's timeline.
    """
    call, applications = lock_call_then_applications(call, status=Status.SELECTED)
    validation.validate_may_decide(allowed=queries.may_decide_on(actor, call))
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
