"""Reads of applications: the private link, duplicates, the current call."""

import datetime
import functools
import hashlib
import hmac
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import connection
from django.db.models import (
    Field,
    QuerySet,
)

from applications import enums
from applications.models import Application, Call


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def call_get_current(
    *, prefetch: Sequence[str] = ("standards", "organising_bodies")
) -> Call | None:
    """The call shown on the public pages: the published one with the latest deadline."""
    calls = Call.objects.filter(status=enums.CallStatus.PUBLISHED).order_by("-deadline")
    if prefetch:
        calls = calls.prefetch_related(*prefetch)
    return calls.first()


def _published() -> QuerySet[Call]:
    return Call.objects.filter(status=enums.CallStatus.PUBLISHED)


def calls_public(*, prefetch: Sequence[str] = ("standards",)) -> list[Call]:
    """Every published call (the public list sorts them into open, upcoming and closed)."""
    calls = _published().order_by("deadline", "pk")
    if prefetch:
        calls = calls.prefetch_related(*prefetch)
    return list(calls)


def call_public(
    code: str, *, prefetch: Sequence[str] = ("standards", "organising_bodies")
) -> Call | None:
    """The published call with this code (a draft is not public: None)."""
    calls = _published().filter(code=code)
    if prefetch:
        calls = calls.prefetch_related(*prefetch)
    return calls.first()


def calls_open(*, now: datetime.datetime) -> list[Call]:
    """The published calls taking applications at ``now``, the nearest deadline first."""
    return list(_published().filter(opens_at__lte=now, deadline__gt=now).order_by("deadline", "pk"))


def _token_matches(stored_hash: str | None, token: str) -> bool:
    """Constant-time comparison; a miss (no such reference) hashes too, so it takes as long."""
    if stored_hash is None or not token:
        hmac.compare_digest(token_hash(token or ""), "0" * 64)
        return False
    return hmac.compare_digest(stored_hash, token_hash(token))


def application_get_by_token(*, reference: str, token: str) -> Application | None:
    """The application whose private link is (reference, token), compared in constant time."""
    # No ordering and no prefetch: one indexed lookup (the page, if it renders, reads the
    # standards itself).
    found = Application.objects.select_related("call").filter(reference=reference).order_by()[:1]
    application = found[0] if found else None
    stored = application.access_token_hash if application else None
    return application if _token_matches(stored, token) else None


@dataclass(frozen=True)
class PrivateLinkStamp:
    """What decides an applicant's private page, read without loading the application."""

    pk: int
    access_token_hash: str
    updated_at: datetime.datetime
    status: str
    call_id: int


def _column(name: str) -> str:
    """The database column of one of Application's concrete fields."""
    field = Application._meta.get_field(name)
    if not isinstance(field, Field) or field.column is None:
        raise TypeError(f"Application.{name} has no column")
    return field.column


@functools.cache  # the same text for every request
def _stamp_sql() -> str:
    columns = ", ".join(
        _column(name) for name in ("id", "access_token_hash", "updated_at", "status", "call")
    )
    return f"SELECT {columns} FROM {Application._meta.db_table} WHERE {_column('reference')} = %s"


def private_link_stamp(*, reference: str, token: str) -> PrivateLinkStamp | None:
    """The stamp of a valid private link, else None: five columns by the unique index.

    Plain SQL on purpose: this runs on every view of a private page, which is otherwise
    served from memory, and building the ORM's SQL for it cost more than running the query
    (docs/performance.md).
    """
    with connection.cursor() as cursor:
        cursor.execute(_stamp_sql(), [reference])
        row = cursor.fetchone()
    if not _token_matches(row[1] if row else None, token):
        return None
    return PrivateLinkStamp(*row)


def _active(call: Call) -> QuerySet[Application]:
    return Application.objects.filter(call=call).exclude(status=enums.Status.WITHDRAWN)


def _others(applications: QuerySet[Application], pk: int | None) -> QuerySet[Application]:
    """``applications`` but the one being saved (none yet when it is new)."""
    return applications if pk is None else applications.exclude(pk=pk)


def credit_code_taken(*, call: Call, credit_code: str, exclude_pk: int | None = None) -> bool:
    """Whether another live application of ``call`` has this credit code (an EXISTS: the
    check runs twice per save, and loading the whole row cost more than the lookup)."""
    if not credit_code:
        return False
    return _others(_active(call).filter(credit_code=credit_code), exclude_pk).exists()


def drafter_taken(
    *, call: Call, drafter_name: str, drafter_mobile: str, exclude_pk: int | None = None
) -> bool:
    """Whether another live application of ``call`` proposes the same drafter."""
    if not (drafter_name and drafter_mobile):
        return False
    return _others(
        _active(call).filter(drafter_name=drafter_name, drafter_mobile=drafter_mobile), exclude_pk
    ).exists()


def applications_for_email(*, email: str, call: Call | None = None) -> QuerySet[Application]:
    """The live applications of ``call`` (of any call if None) with this contact address."""
    applications = (
        Application.objects.exclude(status=enums.Status.WITHDRAWN)
        if call is None
        else _active(call)
    )
    return applications.filter(contact_email__iexact=email.strip())


def application_by_idempotency_key(raw_key: str) -> Application | None:
    """The application created by the form page that carried ``raw_key``, if any."""
    try:
        key = uuid.UUID(str(raw_key))
    except ValueError:
        return None
    return Application.objects.filter(idempotency_key=key).first()
