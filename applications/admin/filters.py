"""Change-list filters: each body's verdict and the joint sign-off."""

from django.contrib import admin
from django.db.models import Exists, OuterRef
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from typing_extensions import override

from applications import enums, queries
from applications.models import OrganisingBody, Review


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
