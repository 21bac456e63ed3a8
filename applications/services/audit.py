"""The audit trail: one append-only entry per state change, edit, review and export."""

from applications.models import AuditEntry


def audit_write(application, action: str, *, actor=None, body=None, **data) -> AuditEntry:
    """Record ``action`` on ``application`` (None for call-wide actions such as exports).

    Call it inside the transaction of the change it records, so both commit or neither.
    ``data`` holds ``from``/``to`` for state changes and a ``note`` where there is one.
    """
    return AuditEntry.objects.create(
        application=application, actor=actor, body=body, action=action, data=data
    )
