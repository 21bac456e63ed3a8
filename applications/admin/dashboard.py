"""A call's dashboard: the organisers' first page for a call. Plots (``admin.charts``) with
their numbers in a table under each; the numbers from ``queries.dashboard`` (constant
queries)."""

import datetime

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from applications import queries, workflow
from applications.admin import charts
from applications.queries.dashboard import call_dashboard

MAX_DAYS = 120


def _days(board) -> list[tuple[str, int]]:
    """Submissions per day from the first one to the deadline or today,
    zeros included, the last MAX_DAYS days at most."""
    counts = dict(board.per_day)
    # From the first submission (a call opened long before anyone applied shows no empty
    # months), or the opening while nothing is submitted.
    first = min(counts) if counts else timezone.localtime(board.call.opens_at).date()
    last = timezone.localtime(min(board.call.deadline, board.now)).date()
    if counts:
        last = max(last, max(counts))
    days = []
    day = max(first, last - datetime.timedelta(days=MAX_DAYS - 1))
    while day <= last:
        days.append((day.isoformat(), counts.get(day, 0)))
        day += datetime.timedelta(days=1)
    return days


def dashboard_view(modeladmin, request, call_pk):
    call = get_object_or_404(queries.calls_visible_to(request.user), pk=call_pk)
    if not (
        request.user.has_perm("applications.view_application")
        or request.user.has_perm("applications.change_call")
    ):
        raise PermissionDenied
    board = call_dashboard(call)
    per_day = _days(board)
    staged = [
        (str(d.pending_label), board.pending.get(name, 0)) for name, d in workflow.STAGED.items()
    ]
    charts_ = [
        ("status", _("按状态"), board.by_status),
        ("unit-type", _("按单位性质"), board.by_unit_type),
        ("industry", _("按所属行业（GB/T 4754 门类）"), board.by_industry),
        ("province", _("按省份（通讯地址，或统一社会信用代码的行政区划码）"), board.by_province),
        ("standard", _("按申报标准"), board.by_standard),
    ]
    context = {
        **modeladmin.admin_site.each_context(request),
        "opts": modeladmin.opts,
        "call": call,
        "board": board,
        "charts": [
            {"key": key, "title": title, "rows": rows, "svg": charts.hbar(rows, title=title)}
            for key, title, rows in charts_
        ],
        "per_day": per_day,
        "per_day_svg": charts.columns(per_day, title=_("每日提交数")),
        "staged": staged,
        "places": [
            (_("已入选"), board.selected),
            *staged,
            (_("候补"), board.waitlisted),
        ],
        "countdown": (
            (board.countdown.days, board.countdown.seconds // 3600) if board.countdown else None
        ),
        "title": _("概览：%(call)s") % {"call": call.title},
    }
    context["places_svg"] = charts.hbar(context["places"], title=_("名额"))
    return TemplateResponse(request, "admin/applications/call/dashboard.html", context)
