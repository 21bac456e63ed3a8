"""Document downloads: the applicant's 申报表 PDF and the organisers' PDFs and exports.

Thin: find the rows, make the document (``pdf`` / ``exports``), record the export
(``services.exports.export_record``), answer. The response builders are shared with the
admin actions (``admin_actions``). A machine without the CJK fonts answers a Chinese
"暂时无法生成" page (503) instead of an error.
"""

from functools import wraps

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.decorators import staff_member_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from django_ratelimit.decorators import ratelimit

from applications import public_pages, queries
from applications.documents import exports, pdf
from applications.models import Application, Call
from applications.services.exports import export_record
from chiefquality.admin_site import organiser_verified

VIEW_PERMISSION = "applications.view_application"
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _private(response, filename: str, *, inline: bool = False):
    response["Content-Disposition"] = content_disposition_header(not inline, filename)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def unavailable(request, error: pdf.DocumentUnavailable) -> HttpResponse:
    return render(request, "documents/unavailable.html", {"message": str(error)}, status=503)


def _stamp() -> str:
    return timezone.localtime().strftime("%Y%m%d-%H%M")


# Each render of a 申报表 costs a worker a few tenths of a second: the PDF is kept until the
# application (its updated_at) or the call's public texts (their version) change.
FORM_PDF_SECONDS = 24 * 3600


def form_pdf_bytes(application: Application) -> bytes:
    key = f"form-pdf:{application.pk}:{application.updated_at.isoformat()}:{public_pages.version()}"
    data = cache.get(key)
    if data is None:
        data = pdf.application_form_pdf(application)
        cache.set(key, data, FORM_PDF_SECONDS)
    return data


# --- response builders (views and admin actions) ----------------------------------------------
def application_form_response(application: Application, *, actor=None) -> HttpResponse:
    """The 申报表 PDF, shown in the browser to print. Organisers' downloads are recorded."""
    data = form_pdf_bytes(application)
    if actor is not None:
        export_record(
            actor=actor,
            document="application_form",
            format="pdf",
            count=1,
            application=application,
            calls=[application.call.code],
        )
    response = HttpResponse(data, content_type=CONTENT_TYPES["pdf"])
    return _private(response, f"{application.reference}-申报表.pdf", inline=True)


def selected_list_response(call: Call, *, actor, query: str = "") -> HttpResponse:
    data = pdf.selected_list_pdf(call)
    export_record(
        actor=actor,
        document="selected_list",
        format="pdf",
        count=queries.selected_ordered(call).count(),
        calls=[call.code],
        query=query,
    )
    response = HttpResponse(data, content_type=CONTENT_TYPES["pdf"])
    return _private(response, f"{call.code}-起草单位和起草人名单-{_stamp()}.pdf")


def _export_name(codes: list[str], extension: str) -> str:
    return f"applications-{'-'.join(codes) or 'none'}-{_stamp()}.{extension}"


def csv_response(
    queryset, *, actor, query: str = "", labels: bool = False
) -> StreamingHttpResponse:
    """All rows of ``queryset`` as CSV, streamed; one audit entry for the whole export.
    ``labels``: the header row in Chinese labels rather than keys."""
    codes = queries.export_call_codes(queryset)
    export_record(
        actor=actor,
        document="applications",
        format="csv",
        count=queries.export_count(queryset),
        calls=codes,
        query=query,
    )
    response = StreamingHttpResponse(
        exports.csv_lines(queryset, labels=labels, viewer=actor), content_type=CONTENT_TYPES["csv"]
    )
    return _private(response, _export_name(codes, "csv"))


def xlsx_response(queryset, *, actor, query: str = "") -> FileResponse:
    """All rows of ``queryset`` as XLSX (written to a temporary file, then streamed)."""
    codes = queries.export_call_codes(queryset)
    handle, count = exports.xlsx_file(queryset, viewer=actor)
    try:
        export_record(
            actor=actor,
            document="applications",
            format="xlsx",
            count=count,
            calls=codes,
            query=query,
        )
    except BaseException:
        handle.close()
        raise
    response = FileResponse(handle, content_type=CONTENT_TYPES["xlsx"])
    return _private(response, _export_name(codes, "xlsx"))


EXPORT_RESPONSES = {"csv": csv_response, "xlsx": xlsx_response}
HEADERS_PARAMETER = "headers"  # ?headers=labels: a CSV whose header row is in Chinese


# --- views ---------------------------------------------------------------------------------
@require_GET
@ratelimit(
    group="download",  # counted with the applicant's other downloads
    key="ip",
    rate=lambda _group, _request: settings.RATE_LIMITS["download"],
    method="GET",
)
def applicant_form_pdf(request, reference, token):
    """The applicant's own 申报表 through the private link (no audit entry: it is their data,
    and the private page is the only way in)."""
    application = queries.application_get_by_token(reference=reference, token=token)
    if application is None:
        raise Http404(_("链接无效或已失效。"))
    try:
        return application_form_response(application)
    except pdf.DocumentUnavailable as error:
        return unavailable(request, error)


def organiser_required(view):
    """Staff with the permission to view applications (the admin's own login otherwise)."""

    @staff_member_required
    @require_GET
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not organiser_verified(request) or not request.user.has_perm(VIEW_PERMISSION):
            raise PermissionDenied
        try:
            return view(request, *args, **kwargs)
        except pdf.DocumentUnavailable as error:
            return unavailable(request, error)

    return wrapper


@organiser_required
def organiser_form_pdf(request, pk):
    application = queries.application_for_document(pk)
    if (
        application is None
        or not queries.calls_visible_to(request.user).filter(pk=application.call_id).exists()
    ):
        raise Http404(_("申报不存在。"))
    return application_form_response(application, actor=request.user)


@organiser_required
def organiser_selected_pdf(request, code):
    call = queries.call_by_code(code)
    if call is None or not queries.calls_visible_to(request.user).filter(pk=call.pk).exists():
        raise Http404(_("征集不存在。"))
    return selected_list_response(call, actor=request.user)


@organiser_required
def organiser_review_record(request, code):
    """The call's 评审记录 (XLSX): every submitted application with each body's verdict."""
    call = queries.call_by_code(code)
    if call is None or not queries.calls_visible_to(request.user).filter(pk=call.pk).exists():
        raise Http404(_("征集不存在。"))
    handle, count = exports.review_record_xlsx(call, viewer=request.user)
    try:
        export_record(
            actor=request.user,
            document="review_record",
            format="xlsx",
            count=count,
            calls=[call.code],
        )
    except BaseException:
        handle.close()
        raise
    response = FileResponse(handle, content_type=CONTENT_TYPES["xlsx"])
    return _private(response, f"{call.code}-评审记录-{_stamp()}.xlsx")


def admin_filtered_queryset(request):
    """The applications the admin's change list shows for this querystring (its filters,
    search and ordering; the page number is ignored): the same ``ChangeList`` builds it."""
    request.GET = request.GET.copy()
    request.GET.pop("p", None)
    model_admin = admin.site.get_model_admin(Application)
    return model_admin.get_changelist_instance(request).get_queryset(request)


@organiser_required
def organiser_export(request, fmt):
    if fmt not in EXPORT_RESPONSES:
        raise Http404(_("不支持的导出格式。"))
    # The header style is the export's, not one of the change list's filters.
    request.GET = request.GET.copy()
    headers = request.GET.pop(HEADERS_PARAMETER, [""])[-1]
    options = {"labels": True} if fmt == "csv" and headers == "labels" else {}
    try:
        queryset = admin_filtered_queryset(request)
    except IncorrectLookupParameters:
        return render(
            request,
            "documents/unavailable.html",
            {"message": _("筛选条件无效，请回到申报列表重新筛选后再导出。")},
            status=400,
        )
    return EXPORT_RESPONSES[fmt](
        queryset, actor=request.user, query=request.GET.urlencode(), **options
    )
