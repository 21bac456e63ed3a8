"""Change-list filters: the call, the status, each body's verdict and the joint sign-off."""

import weakref

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.db.models import Count, Exists, OuterRef
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from typing_extensions import override

from applications import enums, queries, workflow
from applications.models import Call, OrganisingBody, Review


class CallFilter(admin.SimpleListFilter):
    """The call whose applications are listed: without a choice in the address, the open
    call the organiser works on (the nearest deadline first), else their latest call; "全部"
    lists every call they work on. Counters, caps, the list and exports are per call."""

    title = gettext_lazy("征集")
    parameter_name = "call__id__exact"
    ALL = "all"

    @staticmethod
    def default_call(request) -> Call | None:
        visible = queries.calls_visible_to(request.user)
        now = timezone.now()
        open_now = visible.filter(opens_at__lte=now, deadline__gt=now).order_by("deadline", "pk")
        return open_now.first() or visible.order_by("-deadline", "pk").first()

    @classmethod
    def chosen(cls, request) -> str | None:
        """The value in the address, the default call's pk, or None when there is none."""
        value = request.GET.get(cls.parameter_name)
        if value:
            return value
        default = cls.default_call(request)
        return None if default is None else str(default.pk)

    @classmethod
    def shown_calls(cls, request) -> list[Call]:
        """The calls the change list shows (for its counters), newest deadline first."""
        visible = queries.calls_visible_to(request.user).order_by("-deadline", "pk")
        value = cls.chosen(request)
        if value is None or value == cls.ALL:
            return list(visible)
        return list(visible.filter(pk=value)) if value.isdigit() else []

    @override
    def __init__(self, request, params, model, model_admin):
        super().__init__(request, params, model, model_admin)
        if self.parameter_name not in self.used_parameters:
            default = self.chosen(request)
            if default is not None:
                self.used_parameters[self.parameter_name] = default

    @override
    def lookups(self, request, model_admin):
        calls = queries.calls_visible_to(request.user).order_by("-deadline", "pk")
        return [(str(call.pk), f"{call.code} · {call.series}") for call in calls]

    @override
    def queryset(self, request, queryset):
        value = self.value()
        if value is None or value == self.ALL:
            return queryset
        if not value.isdigit():
            raise IncorrectLookupParameters(value)
        return queryset.filter(call_id=int(value))

    @override
    def choices(self, changelist):
        yield {
            "selected": self.value() == self.ALL,
            "query_string": changelist.get_query_string({self.parameter_name: self.ALL}),
            "display": _("全部征集"),
        }
        for value, label in self.lookup_choices:
            yield {
                "selected": self.value() == value,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }


class StatusFilter(admin.SimpleListFilter):
    """The status, opening on the applications that still need a decision (drafts, withdrawn
    and decided ones are a click away); each choice says how many applications it holds in
    the calls shown. ``status__exact`` as Django's own filter, so older links keep working."""

    title = gettext_lazy("状态")
    parameter_name = "status__exact"
    NEEDS_DECISION = "undecided"
    ALL = "all"

    @override
    def __init__(self, request, params, model, model_admin):
        super().__init__(request, params, model, model_admin)
        if self.parameter_name not in self.used_parameters:
            self.used_parameters[self.parameter_name] = self.NEEDS_DECISION

    # The change list's header has already counted the statuses of the calls it shows
    # (``remember_counts``): the filter reuses them rather than counting again.
    _counts_of_request: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    @classmethod
    def remember_counts(cls, request, counts: dict[str, int]) -> None:
        cls._counts_of_request[request] = counts

    @classmethod
    def counts(cls, request) -> dict[str, int]:
        if request in cls._counts_of_request:
            return cls._counts_of_request[request]
        calls = CallFilter.shown_calls(request)
        rows = (
            queries.applications_visible_to(request.user)
            .filter(call__in=calls)
            .order_by()
            .values("status")
            .annotate(n=Count("pk"))
        )
        return {row["status"]: row["n"] for row in rows}

    @override
    def lookups(self, request, model_admin):
        counts = self.counts(request)
        undecided = sum(counts.get(status, 0) for status in workflow.UNDECIDED_STATUSES)
        return [
            (self.NEEDS_DECISION, _("待决定（%(n)d）") % {"n": undecided}),
            *[
                (value, f"{label}（{counts.get(value, 0)}）")
                for value, label in enums.Status.choices
            ],
            (self.ALL, _("全部状态（%(n)d）") % {"n": sum(counts.values())}),
        ]

    @override
    def queryset(self, request, queryset):
        value = self.value()
        if value == self.NEEDS_DECISION:
            return queryset.filter(status__in=workflow.UNDECIDED_STATUSES)
        if value in enums.Status.values:
            return queryset.filter(status=value)
        if value == self.ALL:
            return queryset
        raise IncorrectLookupParameters(value)

    @override
    def choices(self, changelist):
        for value, label in self.lookup_choices:
            yield {
                "selected": self.value() == value,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }


def _without_viewer_conflicts(queryset):
    """A filter on verdicts would tell a reviewer whose body stands aside what the others
    said: it leaves out the applications their body stands aside on (``viewer_conflicted``,
    annotated for a reviewer by the admin's queryset)."""
    if "viewer_conflicted" in queryset.query.annotations:
        return queryset.filter(viewer_conflicted=False)
    return queryset


def verdict_filter(body: OrganisingBody):
    class BodyVerdictFilter(admin.SimpleListFilter):
        title = format_lazy(gettext_lazy("{}评审意见"), body.short_name or body.name)
        parameter_name = queries.verdict_field(body.pk)

        @override
        def lookups(self, request, model_admin):
            return [*enums.Recommendation.choices, ("none", _("未评审"))]

        @override
        def queryset(self, request, queryset):
            value = self.value()
            if value:
                queryset = _without_viewer_conflicts(queryset)
            reviews = Review.objects.filter(application=OuterRef("pk"), body=body.pk)
            if value == "none":
                return queryset.filter(~Exists(reviews))
            if value in enums.Recommendation.values:
                return queryset.filter(Exists(reviews.filter(recommendation=value)))
            return queryset

    return BodyVerdictFilter


class QuorumFilter(admin.SimpleListFilter):
    title = gettext_lazy("会签")
    parameter_name = "quorum"

    @override
    def lookups(self, request, model_admin):
        return [("yes", gettext_lazy("已达会签要求")), ("no", gettext_lazy("未达会签要求"))]

    @override
    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            queryset = _without_viewer_conflicts(queryset)
            return queryset.filter(quorum_reached=self.value() == "yes")
        return queryset


class ConflictFilter(admin.SimpleListFilter):
    title = gettext_lazy("回避")
    parameter_name = "conflict"

    @override
    def lookups(self, request, model_admin):
        return [("yes", gettext_lazy("有回避")), ("no", gettext_lazy("无回避"))]

    @override
    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(queries.has_conflict_q(self.value() == "yes"))
        return queryset
