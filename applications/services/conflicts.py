"""Conflicts of interest (回避): recorded automatically, declared by hand, removed with a reason.

A standing conflict makes its body stand aside on the application: ``review_save`` refuses
its verdict, its reviewers do not read the other bodies' verdicts, and the joint sign-off
counts only the other bodies (``queries.counting_reviews``). Every declaration and removal
writes an audit entry on the application's timeline, in the same transaction. Each service
locks the application alone (``services.locking``: no lock is taken after it).
"""

import datetime
from collections.abc import Collection
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applications import enums, queries, validation
from applications.models import Application, Conflict, ConflictSource, OrganisingBody
from applications.services.audit import audit_write
from applications.services.locking import lock_application
from applications.services.reviews import reviewer_body_get

REASON_MAX = 1000
NO_LONGER_MATCHES = "no_longer_matches"


def _candidates(body: OrganisingBody) -> list[tuple[str, str, str]]:
    """The body and its related units as ``validation.conflict_match`` compares them."""
    return [
        (body.name, body.name, body.credit_code),
        *[
            (
                _("%(body)s的%(kind)s“%(name)s”")
                % {"body": body.name, "kind": unit.get_kind_display(), "name": unit.name},
                unit.name,
                unit.credit_code,
            )
            for unit in body.related_units.all()
        ],
    ]


def _detect_one(application: Application, body: OrganisingBody, *, now: datetime.datetime) -> None:
    """Record or remove the automatic conflict of ``body`` on ``application`` (locked by the
    caller). A conflict a person removed is not recorded again for the same reason."""
    reason = validation.conflict_match(
        credit_code=application.credit_code,
        unit_name=application.unit_name,
        candidates=_candidates(body),
    )
    automatic = Conflict.objects.filter(
        application=application, body=body, source=ConflictSource.AUTOMATIC
    )
    standing = automatic.filter(removed_at__isnull=True).first()
    if reason and standing is None:
        if automatic.filter(reason=reason, removed_by__isnull=False).exists():
            return  # a person judged this match no conflict: keep their word
        conflict = Conflict(
            application=application,
            body=body,
            source=ConflictSource.AUTOMATIC,
            reason=reason,
            created_at=now,
        )
        conflict.full_clean()
        conflict.save()
        audit_write(
            application,
            "application.conflict_declare",
            body=body,
            conflict_source=ConflictSource.AUTOMATIC,
            note=reason,
        )
    elif standing is not None and not reason:
        standing.removed_at = now
        standing.removal_reason = _("单位名称、信用代码或关联单位已更改，不再匹配")
        standing.save(update_fields=["removed_at", "removal_reason"])
        audit_write(
            application,
            "application.conflict_remove",
            body=body,
            conflict_source=ConflictSource.AUTOMATIC,
            note=standing.removal_reason,
        )


def conflicts_detect(
    application: Application,
    *,
    bodies: Collection[OrganisingBody] | None = None,
    now: datetime.datetime | None = None,
) -> None:
    """Match ``application`` (held locked by the caller, inside its transaction) against
    ``bodies`` (default: its call's), by credit code or normalised unit name against each
    body and its related units. Drafts are not matched: a conflict starts with a submission.
    The bodies the applicant ticked on the form (``related_bodies``) are recorded too, as the
    applicant's declarations. Side effects: conflicts recorded or removed, each with an
    audit entry."""
    if application.status == enums.Status.DRAFT:
        return
    now = now or timezone.now()
    if bodies is None:
        bodies = list(application.call.organising_bodies.prefetch_related("related_units"))
    for body in bodies:
        _detect_one(application, body, now=now)
        _sync_declared(application, body, now=now)


def _sync_declared(
    application: Application, body: OrganisingBody, *, now: datetime.datetime
) -> None:
    """The applicant's own word (``related_bodies``, ``body_relation`` on the form): a
    conflict of each body ticked, removed when the tick is taken off."""
    ticked = body.pk in (application.related_bodies or ())
    standing = Conflict.objects.filter(
        application=application,
        body=body,
        source=ConflictSource.APPLICANT,
        removed_at__isnull=True,
    ).first()
    if ticked and standing is None:
        conflict = Conflict(
            application=application,
            body=body,
            source=ConflictSource.APPLICANT,
            reason=application.body_relation or _("申报单位在申报表中声明与该单位有关联"),
            created_at=now,
        )
        conflict.full_clean()
        conflict.save()
        audit_write(
            application,
            "application.conflict_declare",
            body=body,
            conflict_source=ConflictSource.APPLICANT,
            note=conflict.reason,
        )
    elif standing is not None and not ticked:
        standing.removed_at = now
        standing.removal_reason = _("申报单位在申报表中取消了该声明")
        standing.save(update_fields=["removed_at", "removal_reason"])
        audit_write(
            application,
            "application.conflict_remove",
            body=body,
            conflict_source=ConflictSource.APPLICANT,
            note=standing.removal_reason,
        )


def conflicts_recompute_for_body(*, body: OrganisingBody) -> int:
    """After ``body``'s credit code or related units changed: match again each undecided
    application of the calls it leads, each in its own transaction with its row locked.
    Returns how many applications were looked at."""
    body = OrganisingBody.objects.prefetch_related("related_units").get(pk=body.pk)
    pks = list(queries.undecided_of_body_calls(body).values_list("pk", flat=True))
    for pk in pks:
        with transaction.atomic():
            application = lock_application(Application(pk=pk))
            conflicts_detect(application, bodies=[body])
    return len(pks)


def _clean_reason(reason: str, field: str) -> str:
    reason = validation.clean_text(reason or "", multiline=True).strip()
    if not any(ch.isalnum() for ch in reason):
        raise ValidationError({field: ValidationError(_("请写明理由。"), code="reason_required")})
    if len(reason) > REASON_MAX:
        raise ValidationError(
            {
                field: ValidationError(
                    _("理由最多 %(max)d 字，请精简。"),
                    code="reason_too_long",
                    params={"max": REASON_MAX},
                )
            }
        )
    return reason


@transaction.atomic
def conflict_declare(
    *,
    application: Application,
    actor: User,
    reason: str,
    person_name: str = "",
    relation: str = "",
    now: datetime.datetime | None = None,
) -> Conflict:
    """A reviewer declares a conflict of their body on ``application``: of the body itself,
    or, with ``person_name`` (and ``relation``, e.g. "曾任该单位顾问"), of one of its people.

    Refused (``ValidationError``): an account that reviews for no body of the call, a draft,
    a missing reason, a body conflict already standing. Side effects: the conflict and an
    audit entry with the body, the source, the person and the reason.
    """
    application = lock_application(application)
    body = reviewer_body_get(user=actor, call=application.call)
    if application.status == enums.Status.DRAFT:
        raise ValidationError(_("草稿尚未提交，不能申报回避。"), code="draft")
    reason = _clean_reason(reason, "reason")
    person_name = validation.clean_text(person_name or "").strip()
    relation = validation.clean_text(relation or "").strip()
    source = ConflictSource.PERSON if person_name else ConflictSource.BODY
    if relation and not person_name:
        raise ValidationError(
            {"person_name": ValidationError(_("填写了关系，请同时填写人员姓名。"), code="person")}
        )
    if (
        source == ConflictSource.BODY
        and queries.standing_conflicts()
        .filter(application=application, body=body, source=source)
        .exists()
    ):
        raise ValidationError(
            _("%(body)s 已对 %(ref)s 申报回避。"),
            code="already_declared",
            params={"body": body.name, "ref": application.reference},
        )
    conflict = Conflict(
        application=application,
        body=body,
        source=source,
        person_name=person_name,
        relation=relation,
        reason=reason,
        declared_by=actor,
        created_at=now or timezone.now(),
    )
    conflict.full_clean()
    conflict.save()
    audit_write(
        application,
        "application.conflict_declare",
        actor=actor,
        body=body,
        **_person_data(person_name, relation),
        conflict_source=source,
        note=reason,
    )
    return conflict


def _person_data(person_name: str, relation: str) -> dict[str, Any]:
    """What the audit entry says of the person a conflict is declared for."""
    data: dict[str, Any] = {"person": person_name} if person_name else {}
    if relation:
        data["relation"] = relation
    return data


def conflict_may_remove(conflict: Conflict, user: User) -> bool:
    """A conflict is removed by a reviewer of its body or by a selector of its call."""
    if queries.may_decide_on(user, conflict.application.call):
        return True
    return any(body.pk == conflict.body_id for body in queries.reviewer_bodies(user))


@transaction.atomic
def conflict_remove(
    *,
    conflict: Conflict,
    actor: User,
    reason: str,
    now: datetime.datetime | None = None,
) -> Conflict:
    """Remove a standing conflict, with a written reason; the row stays (who, when, why).

    Refused: an account that is neither a reviewer of the conflict's body nor a selector of
    its call, a conflict already removed, a missing reason. Side effect: an audit entry.
    An automatic conflict removed by a person is not recorded again for the same match.
    """
    application = lock_application(conflict.application)
    conflict = Conflict.objects.select_related("body").get(pk=conflict.pk)
    conflict.application = application
    if not conflict_may_remove(conflict, actor):
        raise ValidationError(
            _("只有%(body)s的评审人或本征集的遴选人可以解除该回避。"),
            code="not_allowed",
            params={"body": conflict.body.name},
        )
    if conflict.removed_at is not None:
        raise ValidationError(_("该回避已被解除。"), code="already_removed")
    conflict.removal_reason = _clean_reason(reason, "removal_reason")
    conflict.removed_at = now or timezone.now()
    conflict.removed_by = actor
    conflict.full_clean()
    conflict.save(update_fields=["removed_at", "removed_by", "removal_reason"])
    audit_write(
        application,
        "application.conflict_remove",
        actor=actor,
        body=conflict.body,
        **_person_data(conflict.person_name, conflict.relation),
        conflict_source=conflict.source,
        note=conflict.removal_reason,
    )
    return conflict
