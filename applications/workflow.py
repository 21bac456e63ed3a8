"""The selectors' decisions in one table, and the sets of states derived from it.

Each decision says once what it is called (button, admin action, summary message), which
state it leads to, from which states it may be taken, what it writes to the audit trail,
whether it mails the applicant and what reason it takes. ``services.decisions.decide`` is
the one function that takes them; the admin's pages and actions and the applicant's
progress indicator read this table rather than naming decisions.

Pure: no database access, importable by models, services, admin and the applicant's side.
"""

import enum
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from applications.enums import AUDIT_ACTION_LABELS as OTHER_AUDIT_ACTION_LABELS
from applications.enums import Status


class Reason(enum.Enum):
    """What a decision does with the selector's written reason."""

    NONE = "none"  # takes none
    NOTE = "note"  # optional; kept as the audit entry's note
    # The joint sign-off (会签) is needed; without it a reason is required, and it is kept as
    # the application's override reason and the audit entry's note.
    QUORUM_OVERRIDE = "quorum_override"


@dataclass(frozen=True)
class Decision:
    name: str  # in URLs, admin action names and the audit action
    label: Promise  # the button, the confirmation page, the audit trail
    action_description: Promise  # the admin action on the rows ticked in the change list
    done_label: Promise  # "<done_label> n 家。" after that action
    target: Status
    allowed_from: frozenset[Status]
    mails: bool  # the decision e-mail to the applicant, after commit
    reason: Reason
    takes_place: bool = False  # a place on the capped, ordered published list
    undoes: bool = False  # takes a decision back: its date, list place and override go
    # Staged: taking it records a pending decision (organisers only see it); "发布决定"
    # releases it (status, e-mail). Undoing a pending one sends nothing.
    pending_label: Promise | None = None

    @property
    def audit_action(self) -> str:
        return f"application.{self.name}"


DECISIONS: dict[str, Decision] = {
    decision.name: decision
    for decision in (
        Decision(
            name="select",
            label=_("入选"),
            action_description=_("拟入选所选申报（待发布）"),
            done_label=_("已拟入选（待发布）"),
            target=Status.SELECTED,
            allowed_from=frozenset({Status.SUBMITTED, Status.WAITLISTED}),
            mails=True,
            reason=Reason.QUORUM_OVERRIDE,
            takes_place=True,
            pending_label=_("拟入选"),
        ),
        Decision(
            name="waitlist",
            label=_("列入候补"),
            action_description=_("拟将所选申报列入候补（待发布）"),
            done_label=_("已拟列入候补（待发布）"),
            target=Status.WAITLISTED,
            allowed_from=frozenset({Status.SUBMITTED}),
            mails=True,
            reason=Reason.NONE,
            pending_label=_("拟候补"),
        ),
        Decision(
            name="reject",
            label=_("不予入选"),
            action_description=_("拟所选申报不予入选（待发布）"),
            done_label=_("已拟不予入选（待发布）"),
            target=Status.REJECTED,
            allowed_from=frozenset({Status.SUBMITTED, Status.WAITLISTED}),
            mails=True,
            reason=Reason.NONE,
            pending_label=_("拟不予入选"),
        ),
        Decision(
            name="reopen",
            label=_("撤销决定"),
            action_description=_("撤销所选申报的决定"),
            done_label=_("已撤销决定"),
            target=Status.SUBMITTED,
            allowed_from=frozenset({Status.SELECTED, Status.WAITLISTED, Status.REJECTED}),
            mails=False,
            reason=Reason.NOTE,
            undoes=True,
        ),
    )
}

# Decisions that are staged, then released; their pending labels (Application.pending_decision).
STAGED = {d.name: d for d in DECISIONS.values() if d.pending_label is not None}
PENDING_CHOICES = [(d.name, d.pending_label) for d in STAGED.values()]
UNDO = next(d for d in DECISIONS.values() if d.undoes)

# The outcomes of a decision, shown to the applicant as the result.
DECIDED_STATUSES = frozenset(d.target for d in DECISIONS.values() if not d.undoes)
# Awaiting a decision: reviews are written only then.
UNDECIDED_STATUSES = frozenset(d.target for d in DECISIONS.values() if d.undoes)
# Bodies review a submitted application, also once decided (a late verdict, so marked).
REVIEWABLE_STATUSES = DECIDED_STATUSES | UNDECIDED_STATUSES
# The applicant may still change the form (before the deadline) until a decision is taken.
EDITABLE_STATUSES = frozenset({Status.DRAFT}) | UNDECIDED_STATUSES
# The applicant may withdraw from every state but withdrawn.
WITHDRAWABLE_STATUSES = frozenset(Status) - {Status.WITHDRAWN}

# Audit actions, as shown to people: the decisions' with their labels, then the others.
AUDIT_ACTION_LABELS = {
    **{d.audit_action: d.label for d in DECISIONS.values()},
    "application.propose": _("拟定决定（待发布）"),
    "application.unpropose": _("撤销待发布的决定"),
    "application.final_change": _("名单确定后的修改"),
    "objection.file": _("收到异议"),
    "objection.answer": _("答复异议"),
    "call.publicity": _("发布公示"),
    "call.publicity_held": _("公示期满，尚有异议未答复"),
    "call.list_final": _("名单确定"),
    **OTHER_AUDIT_ACTION_LABELS,
}


def decisions_from(status: str, pending: str = "") -> list[Decision]:
    """The decisions that may be taken on an application in ``status``, in table order; with
    a pending decision, only undoing it."""
    if pending:
        return [UNDO]
    return [d for d in DECISIONS.values() if status in d.allowed_from]


def refusal(decision: Decision, status: str, pending: str = "") -> ValidationError | None:
    """Why ``decision`` cannot be taken from ``status`` (with ``pending``, the name of a
    pending decision), for the selector; None if it can."""
    if pending:
        if decision.undoes:
            return None
        return ValidationError(
            gettext("已有待发布的决定（%(pending)s），请先撤销它再操作"),
            code="pending",
            params={"pending": STAGED[pending].pending_label},
        )
    if status in decision.allowed_from:
        return None
    params = {"status": Status(status).label}
    if status == Status.WITHDRAWN:
        return ValidationError(
            gettext("已由申报单位撤回，不能作出决定"), code="withdrawn", params=params
        )
    if status == Status.DRAFT:
        return ValidationError(
            gettext("仍是草稿，申报单位提交后才能作出决定"), code="draft", params=params
        )
    if decision.undoes:
        return ValidationError(gettext("尚无决定，无需撤销"), code="not_decided", params=params)
    if status == decision.target:
        return ValidationError(
            gettext("已是“%(status)s”，无需重复操作"), code="already", params=params
        )
    return ValidationError(
        gettext("已有决定（%(status)s），请先撤销决定再操作"),
        code="already_decided",
        params=params,
    )
