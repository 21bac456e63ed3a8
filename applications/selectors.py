"""Reads used by views, forms, admin and services."""

import hashlib
import hmac
import uuid

from django.db.models import QuerySet

from . import enums
from .models import Application, Call


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def call_get_current() -> Call | None:
    """The call shown on the public pages: the open one, else the one that closed last."""
    return (
        Call.objects.prefetch_related("standards", "organising_bodies")
        .order_by("-deadline")
        .first()
    )


def application_get_by_token(*, reference: str, token: str) -> Application | None:
    """The application whose private link is (reference, token), compared in constant time."""
    application = (
        Application.objects.select_related("call")
        .prefetch_related("standards")
        .filter(reference=reference)
        .first()
    )
    if application is None or not token:
        # Still hash to keep the time of a miss close to that of a hit.
        hmac.compare_digest(token_hash(token or ""), "0" * 64)
        return None
    if not hmac.compare_digest(application.access_token_hash, token_hash(token)):
        return None
    return application


def _active(call: Call) -> QuerySet[Application]:
    return Application.objects.filter(call=call).exclude(status=enums.Status.WITHDRAWN)


def application_with_credit_code(
    *, call: Call, credit_code: str, exclude_pk: int | None = None
) -> Application | None:
    if not credit_code:
        return None
    return _active(call).filter(credit_code=credit_code).exclude(pk=exclude_pk).first()


def application_with_drafter(
    *, call: Call, drafter_name: str, drafter_mobile: str, exclude_pk: int | None = None
) -> Application | None:
    if not (drafter_name and drafter_mobile):
        return None
    return (
        _active(call)
        .filter(drafter_name=drafter_name, drafter_mobile=drafter_mobile)
        .exclude(pk=exclude_pk)
        .first()
    )


def applications_for_email(*, call: Call, email: str) -> QuerySet[Application]:
    return _active(call).filter(contact_email__iexact=email.strip())


def application_by_idempotency_key(raw_key: str) -> Application | None:
    """The application created by the form page that carried ``raw_key``, if any."""
    try:
        key = uuid.UUID(str(raw_key))
    except ValueError:
        return None
    return Application.objects.filter(idempotency_key=key).first()
