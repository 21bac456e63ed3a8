"""Reads for the documents: exports and the 申报表 PDF."""

from django.db.models import (
    QuerySet,
)

from applications.models import Application, Call, OrganisingBody, Question
from applications.queries.reviews import applications_with_review_summary


def applications_for_export(
    queryset: QuerySet[Application], bodies: list[OrganisingBody]
) -> QuerySet[Application]:
    """The applications of ``queryset`` (any filtered or annotated selection, e.g. the
    admin's), each once, in call and reference order, with what an export row needs: the
    call, the standards (prefetched per chunk when iterated) and the review summary of
    ``applications_with_review_summary``."""
    rows = (
        Application.objects.filter(pk__in=queryset.order_by().values("pk"))
        .select_related("call")
        .prefetch_related("standards")
        .order_by("call__code", "reference")
    )
    return applications_with_review_summary(rows, bodies)


def export_bodies(queryset: QuerySet[Application]) -> list[OrganisingBody]:
    """The organising bodies of the calls in ``queryset``, in their display order."""
    return list(
        OrganisingBody.objects.filter(
            calls__in=Call.objects.filter(pk__in=queryset.order_by().values("call"))
        ).distinct()
    )


def export_questions(queryset: QuerySet[Application]) -> list[Question]:
    """The own questions of the calls in ``queryset`` (hidden ones too: their answers stay)."""
    return list(
        Question.objects.filter(call__in=queryset.order_by().values("call")).order_by(
            "call__code", "position", "pk"
        )
    )


def export_call_codes(queryset: QuerySet[Application]) -> list[str]:
    """The codes of the calls the applications of ``queryset`` belong to."""
    return list(
        Call.objects.filter(pk__in=queryset.order_by().values("call"))
        .order_by("code")
        .values_list("code", flat=True)
    )


def export_count(queryset: QuerySet[Application]) -> int:
    """How many distinct applications ``queryset`` selects (an export's row count)."""
    return Application.objects.filter(pk__in=queryset.order_by().values("pk")).count()


def application_for_document(pk: int) -> Application | None:
    """One application with its call and standards, for its 申报表 PDF."""
    return (
        Application.objects.select_related("call")
        .prefetch_related("standards", "call__standards")
        .filter(pk=pk)
        .first()
    )


def call_by_code(code: str) -> Call | None:
    return Call.objects.prefetch_related("standards", "organising_bodies").filter(code=code).first()
