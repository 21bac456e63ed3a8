"""The audit trail: one append-only entry per state change, edit, review and export."""

from typing import Any

from django.contrib.auth.models import User

from applications.models import Application, AuditEntry, OrganisingBody


def audit_write(
    application: Application | None,
    action: str,
    *,
    actor: User | None = None,
    body: OrganisingBody | None = None,
    transition: tuple[Any, Any] | None = None,
    **data: Any,
) -> AuditEntry:
    """Record ``action`` on ``application`` (None for call-wide actions such as exports).

    Call it inside the transaction of the change it records, so both commit or neither.
    ``transition`` is (from, to) of a state change, stored as ``from``/``to`` in ``data``,
    which also holds a ``note`` where there is one.
    """
    if transition is not None:
        data = {"from": transition[0], "to": transition[1], **data}
    return AuditEntry.objects.create(
        application=application, actor=actor, body=body, action=action, data=data
    )
