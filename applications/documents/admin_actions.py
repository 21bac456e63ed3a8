"""Admin actions of the documents (export_selected_pdf, export_csv, export_xlsx).

``ApplicationAdmin.actions`` appends ``ACTIONS``; each is an ``@admin.action`` function with
``permissions=["export"]`` (the admin's ``has_export_permission``), and each checks the
view permission itself too. They answer with the file; a refusal (no permission, missing
fonts, a selection across several calls) is a message on the change list.

- ``export_csv`` / ``export_xlsx``: the selected applications (with "select all", every
  application the change list's filters and search select);
- ``export_selected_pdf``: the published list of the call the selected applications belong
  to (the list is the call's, whichever of its applications are ticked).
"""

from django.contrib import admin, messages
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from applications import queries
from applications.documents import pdf, views

VIEW_PERMISSION = views.VIEW_PERMISSION


def _allowed(modeladmin, request) -> bool:
    if request.user.has_perm(VIEW_PERMISSION):
        return True
    modeladmin.message_user(request, _("您没有导出申报的权限。"), messages.ERROR)
    return False


def _query(request) -> str:
    return request.GET.urlencode()


@admin.action(description=gettext_lazy("导出入选名单 PDF"), permissions=["export"])
def export_selected_pdf(modeladmin, request, queryset):
    if not _allowed(modeladmin, request):
        return None
    codes = queries.export_call_codes(queryset)
    calls = [queries.call_by_code(code) for code in codes]
    if not calls:
        calls = [c for c in [queries.call_get_current()] if c is not None]
    if len(calls) != 1:
        modeladmin.message_user(
            request,
            _("所选申报属于多个征集，请先按征集筛选，再导出该征集的入选名单。")
            if calls
            else _("没有征集，无法导出入选名单。"),
            messages.ERROR,
        )
        return None
    try:
        return views.selected_list_response(calls[0], actor=request.user, query=_query(request))
    except pdf.DocumentUnavailable as error:
        modeladmin.message_user(request, str(error), messages.ERROR)
        return None


@admin.action(description=gettext_lazy("导出所选申报（CSV）"), permissions=["export"])
def export_csv(modeladmin, request, queryset):
    if not _allowed(modeladmin, request):
        return None
    return views.csv_response(queryset, actor=request.user, query=_query(request))


@admin.action(description=gettext_lazy("导出所选申报（XLSX）"), permissions=["export"])
def export_xlsx(modeladmin, request, queryset):
    if not _allowed(modeladmin, request):
        return None
    return views.xlsx_response(queryset, actor=request.user, query=_query(request))


ACTIONS: list = [export_selected_pdf, export_csv, export_xlsx]
