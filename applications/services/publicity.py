"""The 公示: publish the released list for a period, take real-name objections, answer them,
and make the list final at the end of the period.

- ``publicity_publish``: a selector publishes the call's released list; the period is
  ``Call.publicity_days`` working days (``applications.working_days``), its end stored in
  ``Call.publicity_ends``. Refused while decisions wait to be released, with nothing listed,
  or once published.
- ``objection_file``: anyone, during the period, against a listed unit; real-name (name,
  organisation, phone, e-mail); a receipt number, mailed through the outbox.
- ``objection_answer``: a selector answers 成立 / 不成立 with a reason (mailed); an upheld
  objection may reopen the unit through ``decide`` (capped, audited), and the waitlist's
  best is then proposed in its place (拟入选, released by the selector as usual).
- ``publicity_close``: at the end of the period (a job), the list becomes final
  (``Call.list_final_at``) if no objection is open; otherwise the selectors are told once.

After the list is final, ``decide`` refuses every change unless a call manager gives a
written reason (``decisions.decide(final_change_reason=…)``).
"""

import datetime
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applications import emails, enums, queries, validation, working_days
from applications.models import Application, Call, Objection, ObjectionVerdict
from applications.services.audit import audit_write
from applications.services.decisions import decide, waitlist_promote_next
from applications.services.files import NewFile, file_work, store_new_file
from applications.services.locking import lock_call, lock_call_then_objection

ANSWER_MAX = 2000


@transaction.atomic
def publicity_publish(*, call: Call, actor: User, now: datetime.datetime | None = None) -> Call:
    """Publish the released list of ``call`` for its period; returns the call with
    ``publicity_starts`` and ``publicity_ends`` set. The period counts working days by the
    official calendar (holidays and 调休, ``working_days``) with the days entered by hand.
    One audit entry (``call.publicity``)."""
    now = now or timezone.now()
    call = lock_call(call)
    validation.validate_may_decide(allowed=queries.may_decide_on(actor, call))
    if call.publicity_starts is not None:
        raise ValidationError(
            _("名单已于 %(when)s 发布公示。"),
            code="already_published",
            params={"when": timezone.localtime(call.publicity_starts).strftime("%Y-%m-%d %H:%M")},
        )
    if Application.objects.filter(call=call).exclude(pending_decision="").exists():
        raise ValidationError(
            _("尚有待发布的决定：请先发布或撤销这些决定，再发布公示。"), code="pending_decisions"
        )
    if not Application.objects.filter(call=call, status=enums.Status.SELECTED).exists():
        raise ValidationError(_("尚无已发布的入选单位，无可公示的名单。"), code="nothing_listed")
    call.publicity_starts = now
    overrides = queries.calendar_overrides(timezone.localdate(now))
    call.publicity_ends = working_days.period_end(now, call.publicity_days, overrides)
    call.save(update_fields=["publicity_starts", "publicity_ends"])
    audit_write(
        None,
        "call.publicity",
        actor=actor,
        call=call.code,
        ends=call.publicity_ends.isoformat(),
        listed=Application.objects.filter(call=call, status=enums.Status.SELECTED).count(),
    )
    return call


@dataclass(frozen=True)
class ObjectionValues:
    name: str
    organisation: str
    phone: str
    email: str
    reason: str
    application_pk: int


def _receipt(call: Call) -> str:
    # Under the call's row lock: numbers are gap-free within a call.
    number = Objection.objects.filter(call=call).count() + 1
    return f"YY-{call.reference_prefix}-{number:03d}"


@transaction.atomic
def objection_file(
    *,
    call: Call,
    values: ObjectionValues,
    attachment: NewFile | None = None,
    language: str = "zh-hans",
    now: datetime.datetime | None = None,
) -> Objection:
    """File a real-name objection against a listed unit of ``call`` during its period.

    Refused (``ValidationError``, by field where it is one field's fault): outside the
    period, a unit not on the released list, a missing name, organisation, phone or e-mail
    (anonymous objections are not taken), a reason over 2,000 characters. Side effects:
    the objection with its receipt number, the attachment stored, an audit entry on the
    unit's timeline, the receipt mailed through the outbox, and the call's selectors told
    at once (which unit, where to answer).
    """
    now = now or timezone.now()
    call = lock_call(call)
    if not call.is_in_publicity(now):
        raise ValidationError(_("现在不在公示期内，不受理异议。"), code="not_in_period")
    application = queries.listed_for_objection(call).filter(pk=values.application_pk).first()
    if application is None:
        raise ValidationError({"application": _("请选择公示名单中的单位。")}, code="not_listed")
    objection = Objection(
        call=call,
        application=application,
        receipt=_receipt(call),
        name=validation.clean_text(values.name).strip(),
        organisation=validation.clean_text(values.organisation).strip(),
        phone=validation.clean_text(values.phone).strip(),
        email=validation.normalize_email(values.email),
        reason=validation.clean_text(values.reason, multiline=True).strip(),
        language=language,
        created_at=now,
    )
    with file_work() as work:
        if attachment is not None:
            try:
                store_new_file(work, objection.attachment, attachment)
            except ValidationError as exc:
                raise ValidationError({"attachment": exc}) from exc
            objection.attachment_name = attachment.original_name[:255]
        objection.full_clean()
        objection.save()
    audit_write(application, "objection.file", receipt=objection.receipt)
    emails.send_objection_receipt(objection)
    emails.send_objection_filed(objection, queries.selector_addresses(call))
    return objection


@dataclass(frozen=True)
class Answered:
    objection: Objection
    reopened: bool
    promoted: Application | None
    promotion_refusal: ValidationError | None


@transaction.atomic
def objection_answer(
    *,
    objection: Objection,
    verdict: str,
    answer: str,
    actor: User,
    reopen: bool = False,
    correction: str = "",
    now: datetime.datetime | None = None,
) -> Answered:
    """A selector answers ``objection``: ``verdict`` (成立 / 不成立) with ``answer`` (the
    reason, required), mailed to the person who objected.

    ``reopen`` (only with 成立): the unit's selection is taken back through ``decide``
    (with ``correction`` as the e-mail to the unit, "" for none), then the best of the
    waitlist is proposed in its place through ``waitlist_promote_next``; a refused
    promotion (an empty waitlist, a missing joint sign-off) is returned, not raised, so the
    answer and the reopening stand. Refused: a non-selector (reviewers among them), an
    objection already answered, no reason, reopening a dismissed objection.
    """
    now = now or timezone.now()
    if verdict not in ObjectionVerdict.values:
        raise ValueError(f"No verdict is called {verdict!r}.")
    call, objection = lock_call_then_objection(objection)
    validation.validate_may_decide(allowed=queries.may_decide_on(actor, call))
    if not objection.is_open:
        raise ValidationError(_("该异议已答复，不能重复答复。"), code="already_answered")
    answer = validation.clean_text(answer or "", multiline=True).strip()
    if not any(ch.isalnum() for ch in answer):  # blank, or only punctuation
        raise ValidationError(
            {"answer": _("请填写处理理由，它将发给提出异议的人。")}, code="answer_required"
        )
    if len(answer) > ANSWER_MAX:
        raise ValidationError(
            {"answer": _("处理理由最多 %(max)d 字，请精简。") % {"max": ANSWER_MAX}},
            code="answer_too_long",
        )
    if reopen and verdict != ObjectionVerdict.UPHELD:
        raise ValidationError(_("只有异议成立时才能撤销该单位的入选。"), code="reopen_needs_upheld")
    objection.verdict = verdict
    objection.answer = answer
    objection.answered_at = now
    objection.answered_by = actor
    objection.full_clean()
    objection.save(update_fields=["verdict", "answer", "answered_at", "answered_by"])
    kept: dict[str, Any] = {"receipt": objection.receipt, "verdict": verdict, "note": answer}
    audit_write(objection.application, "objection.answer", actor=actor, **kept)
    emails.send_objection_answer(objection)
    promoted, refusal = None, None
    if reopen:
        decide(
            application=objection.application,
            decision="reopen",
            actor=actor,
            reason=_("异议成立（%(receipt)s）") % {"receipt": objection.receipt},
            correction=correction,
            now=now,
        )
        try:
            with transaction.atomic():
                promoted = waitlist_promote_next(call=call, actor=actor, now=now)
        except ValidationError as exc:
            refusal = exc
    return Answered(
        objection=objection, reopened=reopen, promoted=promoted, promotion_refusal=refusal
    )


@transaction.atomic
def publicity_close(*, call: Call, now: datetime.datetime | None = None) -> str:
    """End of the period of ``call``: the list becomes final if no objection is open
    ("final"); otherwise the selectors are told, once ("held"). Before the end, or once
    final, nothing happens ("running", "final_already", "not_published"). Idempotent."""
    now = now or timezone.now()
    call = lock_call(call)
    if call.publicity_ends is None:
        return "not_published"
    if call.list_final_at is not None:
        return "final_already"
    if now < call.publicity_ends:
        return "running"
    open_count = Objection.objects.filter(call=call, verdict="").count()
    if open_count:
        if call.publicity_held_told_at is None:
            call.publicity_held_told_at = now
            call.save(update_fields=["publicity_held_told_at"])
            emails.send_publicity_held(call, queries.selector_addresses(call), open_count)
            audit_write(None, "call.publicity_held", call=call.code, open=open_count)
        return "held"
    call.list_final_at = now
    call.save(update_fields=["list_final_at"])
    audit_write(
        None,
        "call.list_final",
        call=call.code,
        listed=Application.objects.filter(call=call, status=enums.Status.SELECTED).count(),
    )
    return "final"


def calls_due_to_close(now: datetime.datetime) -> list[Call]:
    return list(
        Call.objects.filter(publicity_ends__lte=now, list_final_at__isnull=True).order_by("pk")
    )
