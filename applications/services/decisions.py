"""Selectors' decisions on applications: select, waitlist, reject, reopen, order the list.

Every decision runs in one transaction that first locks the call's row, then the
application's: decisions on one call are serialised, so the count of selected applications
read under the lock is the true one and the cap (``Call.max_selected``) can never be passed,
whoever clicks at the same moment (the lock order, and why it never inverts:
``services.locking``). Decision e-mails are sent after commit. Refusals raise
``ValidationError`` with a message for the selector.

Decisions may be taken before the deadline: organisers review as applications arrive. A
decided application is no longer editable by its applicant; ``reopen`` makes it so again.
"""

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


def _check_allowed(application: Application, decision: str) -> None:
    refusal = workflow.refusal(workflow.DECISIONS[decision], application.status)
    if refusal is not None:
        raise refusal


def _decide(application, decision, *, actor, now, note="", **fields) -> Application:
    was = application.status
    application.status = workflow.DECISIONS[decision].target
    for name, value in fields.items():
        setattr(application, name, value)
    application.full_clean(exclude=["standards"])
    application.save(update_fields=["status", "updated_at", *fields])
    data = {"from": was, "to": application.status}
    if note:
        data["note"] = note
    audit_write(application, f"application.{decision}", actor=actor, **data)
    if decision != "reopen":
        transaction.on_commit(lambda: emails.send_decision(application))
    return application


def _clean_reason(reason: str) -> str:
    reason = validation.clean_text(reason or "", multiline=True).strip()
    if not any(ch.isalnum() for ch in reason):
        return ""  # blank, or only spaces and punctuation: no reason given
    if len(reason) > REASON_MAX:
        raise ValidationError(
            _("理由最多 %(max)d 字，请精简。"), code="reason_too_long", params={"max": REASON_MAX}
        )
    return reason


@transaction.atomic
def application_select(
    *, application: Application, actor, override_reason: str = "", now=None
) -> Application:
    """Select a submitted or waitlisted application, within the cap and the joint sign-off.

    Side effects: the application goes to the end of the published list (``list_order``);
    an audit entry records who, from → to, and the override reason if the quorum of
    recommendations was not met; the decision e-mail goes out after commit.
    """
    now = now or timezone.now()
    reason = _clean_reason(override_reason)
    call, application = lock_call_then_application(application)
    _check_allowed(application, "select")
    recommendations = application.reviews.filter(
        recommendation=enums.Recommendation.RECOMMEND
    ).count()
    validation.validate_quorum(
        recommendations=recommendations,
        required=call.required_recommendations,
        override_reason=reason,
    )
    selected = Application.objects.filter(call=call, status=Status.SELECTED)
    validation.validate_selection_capacity(
        selected_count=selected.count(), max_selected=call.max_selected
    )
    last = selected.aggregate(last=Max("list_order"))["last"] or 0
    override = reason if recommendations < call.required_recommendations else ""
    return _decide(
        application,
        "select",
        actor=actor,
        now=now,
        note=override,
        decided_at=now,
        list_order=last + 1,
        selection_override_reason=override,
    )


@transaction.atomic
def application_waitlist(*, application: Application, actor, now=None) -> Application:
    """Put a submitted application on the waitlist (候补). Decision e-mail after commit."""
    now = now or timezone.now()
    _call, application = lock_call_then_application(application)
    _check_allowed(application, "waitlist")
    return _decide(application, "waitlist", actor=actor, now=now, decided_at=now)


@transaction.atomic
def application_reject(*, application: Application, actor, now=None) -> Application:
    """Reject a submitted or waitlisted application. Decision e-mail after commit."""
    now = now or timezone.now()
    _call, application = lock_call_then_application(application)
    _check_allowed(application, "reject")
    return _decide(application, "reject", actor=actor, now=now, decided_at=now)


@transaction.atomic
def application_reopen(*, application: Application, actor, note: str = "", now=None):
    """Undo a decision: back to submitted, its list place (if any) freed. No e-mail."""
    now = now or timezone.now()
    _call, application = lock_call_then_application(application)
    _check_allowed(application, "reopen")
    return _decide(
        application,
        "reopen",
        actor=actor,
        now=now,
        note=_clean_reason(note),
        decided_at=None,
        list_order=None,
        selection_override_reason="",
    )


@transaction.atomic
def waitlist_promote_next(*, call: Call, actor, now=None) -> Application:
    """Select the best-ranked waitlisted application, through ``application_select``.

    Refused like any selection (cap reached, joint sign-off missing); an empty waitlist is
    refused too. The call is locked first so two clicks cannot promote the same one twice.
    """
    call = lock_call(call)
    candidate = queries.waitlist_ranked(call).first()
    if candidate is None:
        raise ValidationError(_("候补名单为空，没有可递补的单位。"), code="waitlist_empty")
    return application_select(application=candidate, actor=actor, now=now)


@transaction.atomic
def selected_list_reorder(*, call: Call, order: list[int], actor) -> int:
    """Renumber the published list of ``call`` as ``order`` (application pks, all selected).

    Returns how many places changed; each change is on the application's timeline.
    """
    call, applications = lock_call_then_applications(call, status=Status.SELECTED)
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
