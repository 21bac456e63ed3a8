"""The decision table and the sets of states derived from it (pure: no database)."""

from applications import workflow
from applications.enums import Status
from applications.models import AuditEntry


def test_the_sets_of_states_are_the_ones_the_rules_name():
    assert sorted(workflow.DECIDED_STATUSES) == ["rejected", "selected", "waitlisted"]
    assert sorted(workflow.UNDECIDED_STATUSES) == ["submitted"]
    assert sorted(workflow.EDITABLE_STATUSES) == ["draft", "submitted"]
    assert sorted(workflow.WITHDRAWABLE_STATUSES) == [
        "draft",
        "rejected",
        "selected",
        "submitted",
        "waitlisted",
    ]


def test_the_table_holds_together():
    for name, decision in workflow.DECISIONS.items():
        assert decision.name == name
        assert decision.allowed_from <= workflow.DECIDED_STATUSES | workflow.UNDECIDED_STATUSES
        # The applicant's own states (draft, withdrawn) are never a selector's to change.
        assert not decision.allowed_from & {Status.DRAFT, Status.WITHDRAWN}
        label = AuditEntry(action=decision.audit_action).action_label
        assert label == str(decision.label)
    [undo] = [d for d in workflow.DECISIONS.values() if d.undoes]
    assert undo.allowed_from == workflow.DECIDED_STATUSES  # every decision can be taken back
    assert not undo.mails and not undo.takes_place
