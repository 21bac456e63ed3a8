"""The audit trail of documents handed out to organisers (PDFs, CSV and XLSX exports)."""

from typing import Any

from django.contrib.auth.models import User

from applications.models import Application, AuditEntry
from applications.services.audit import audit_write

EXPORT_ACTION = "application.export"


def export_record(
    *,
    actor: User | None,
    document: str,
    format: str,
    count: int,
    application: Application | None = None,
    calls: list[str] | tuple[str, ...] = (),
    query: str = "",
) -> AuditEntry:
    """Record who exported what, when: one entry per export, not one per row.

    ``document`` is ``application_form`` (one application's 申报表, on that application's
    timeline), ``selected_list`` or ``applications`` (call-wide: ``application`` is None).
    ``calls`` are the codes of the calls exported, ``query`` the admin filter querystring
    the rows were chosen with, ``actor`` None for the command line.
    """
    data: dict[str, Any] = {"format": format, "document": document, "count": count}
    if calls:
        data["call"] = ",".join(calls)
    if query:
        data["query"] = query
    return audit_write(application, EXPORT_ACTION, actor=actor, **data)
