"""Reads of applications: the private link, duplicates, the current call."""

import datetime
import functools
import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import connection, models
from django.db.models import (
    Field,
    QuerySet,
)
from django.utils import timezone

from applications import enums
from applications.models import AnswerFile, Application, Call, PrivateLink


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


def application_get_by_token(*, reference: str, token: str) -> Application | None:
    """The application whose private link is (reference, token): one of its live links."""
    if not token:
        return None
    # No ordering and no prefetch: one join by two unique indexes (the page, if it renders,
    # reads the standards itself).
    found = (
        Application.objects.select_related("call")
        .filter(reference=reference, private_links__token_hash=token_hash(token))
        .order_by()[:1]
    )
    return found[0] if found else None


@dataclass(frozen=True)
class PrivateLinkStamp:
    """What decides an applicant's private page, read without loading the application."""

    pk: int
    access_token_hash: str  # the hash of the link in use (one of several live ones)
    updated_at: datetime.datetime
    status: str
    call_id: int
    link_id: int
    last_used_at: datetime.datetime | None


def _column(model: type[models.Model], name: str) -> str:
    """The database column of one of ``model``'s concrete fields."""
    field = model._meta.get_field(name)
    if not isinstance(field, Field) or field.column is None:
        raise TypeError(f"{model.__name__}.{name} has no column")
    return field.column


@functools.cache  # the same text for every request
def _stamp_sql() -> str:
    columns = ", ".join(
        [
            "a." + _column(Application, "id"),
            "l." + _column(PrivateLink, "token_hash"),
            "a." + _column(Application, "updated_at"),
            "a." + _column(Application, "status"),
            "a." + _column(Application, "call"),
            "l." + _column(PrivateLink, "id"),
            "l." + _column(PrivateLink, "last_used_at"),
        ]
    )
    return (
        f"SELECT {columns} FROM {Application._meta.db_table} a"
        f" JOIN {PrivateLink._meta.db_table} l"
        f" ON l.{_column(PrivateLink, 'application')} = a.{_column(Application, 'id')}"
        f" WHERE a.{_column(Application, 'reference')} = %s"
        f" AND l.{_column(PrivateLink, 'token_hash')} = %s"
    )


def private_link_stamp(*, reference: str, token: str) -> PrivateLinkStamp | None:
    """The stamp of a live private link, else None: one row by two unique indexes.

    Plain SQL on purpose: this runs on every view of a private page, which is otherwise
    served from memory, and building the ORM's SQL for it cost more than running the query
    (docs/performance.md). A token is 256 random bits and only its sha256 is looked up, so
    the lookup tells nothing about a near miss.
    """
    if not token:
        return None
    with connection.cursor() as cursor:
        cursor.execute(_stamp_sql(), [reference, token_hash(token)])
        row = cursor.fetchone()
    if row is None:
        return None
    pk, digest, updated_at, status, call_id, link_id, last_used_at = row
    if isinstance(last_used_at, str):  # SQLite, read raw
        last_used_at = datetime.datetime.fromisoformat(last_used_at)
    if last_used_at is not None and timezone.is_naive(last_used_at):
        last_used_at = timezone.make_aware(last_used_at, datetime.UTC)  # stored in UTC
    return PrivateLinkStamp(pk, digest, updated_at, status, call_id, link_id, last_used_at)


def answer_files_of(application: Application) -> list[AnswerFile]:
    """The files answering the call's file questions, in the questions' order."""
    return list(AnswerFile.objects.filter(application=application).select_related("question"))


def answer_file(*, application: Application, key: str) -> AnswerFile | None:
    """The file answering the question whose form field is ``key`` (``q_<pk>``), if any."""
    prefix, _sep, pk = key.partition("_")
    if prefix != "q" or not pk.isdigit():
        return None
    return (
        AnswerFile.objects.filter(application=application, question_id=int(pk))
        .select_related("question")
        .first()
    )


def private_links_of(application: Application) -> list[PrivateLink]:
    """The live links of an application, the oldest first."""
    return list(PrivateLink.objects.filter(application=application).order_by("created_at", "pk"))


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


def duplicate_holder(
    *,
    call: Call,
    credit_code: str = "",
    drafter_name: str = "",
    drafter_mobile: str = "",
    exclude_pk: int | None = None,
) -> int | None:
    """The live application of ``call`` that already has this unit (credit code) or this
    drafter (name and mobile), to mail its contact when someone tries again; None if none."""
    if credit_code:
        found = _active(call).filter(credit_code=credit_code)
    elif drafter_name and drafter_mobile:
        found = _active(call).filter(drafter_name=drafter_name, drafter_mobile=drafter_mobile)
    else:
        return None
    return _others(found, exclude_pk).values_list("pk", flat=True).first()


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


def unconfirmed_bytes_of_client(*, client_key: str, since: datetime.datetime) -> int:
    """The bytes of the files of the unconfirmed drafts one client (its keyed address)
    created since ``since``: the per-client cap of ``services.confirmation``."""
    total = Application.objects.filter(
        client_key=client_key, email_confirmed_at__isnull=True, created_at__gte=since
    ).aggregate(total=models.Sum("unconfirmed_bytes"))["total"]
    return int(total or 0)


def application_by_link_token(token: str) -> Application | None:
    """The application one of whose live private links has this token (the confirmation
    link opened a second time: its token has become a private link)."""
    if not token:
        return None
    link = PrivateLink.objects.select_related("application").filter(token_hash=token_hash(token))
    found = link.first()
    return found.application if found else None
