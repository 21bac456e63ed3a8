"""Change-list filters: the call, each body's verdict and the joint sign-off."""

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from typing_extensions import override

from applications import enums, queries
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
            return queryset.filter(quorum_reached=self.value() == "yes")
        return queryset
