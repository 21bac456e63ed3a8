"""Admin of bodies, standards, reviews and the audit trail."""

from django.contrib import admin
from django.utils.translation import gettext_lazy
from typing_extensions import override

from applications import queries
from applications.admin.base import ReadOnlyAdmin
from applications.models import AuditEntry, OrganisingBody, Review, Standard
from applications.roles import roles_ensure


@admin.register(OrganisingBody)
class OrganisingBodyAdmin(admin.ModelAdmin):
    """Bodies are shared by calls; a new one gets its reviewer group at once."""

    list_display = ("name", "reviewer_group", "contact_person", "phone", "email", "position")
    search_fields = ("name", "short_name")

    @override
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        roles_ensure()


@admin.register(Standard)
class StandardAdmin(admin.ModelAdmin):
    list_display = ("title", "plan_number", "call", "position")
    list_filter = ("call",)


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdmin):
    """Read-only list of all verdicts; they are written on the application's page."""

    list_display = ("application", "body", "recommendation", "score", "reviewer", "updated_at")
    list_filter = ("body", "recommendation")
    search_fields = ("application__reference", "application__unit_name")
    list_select_related = ("application", "body", "reviewer")

    @override
    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Review._meta.fields]

    @override
    def get_queryset(self, request):
        """The verdicts on applications of the calls this organiser works on."""
        visible = queries.applications_visible_to(request.user).values("pk")
        return super().get_queryset(request).filter(application__in=visible)


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "application", "actor", "body", "action_display")
    list_filter = ("action", "body")
    list_select_related = ("application", "actor", "body")
    readonly_fields = ("application", "actor", "body", "action", "data", "created_at")

    @override
    def get_queryset(self, request):
        """The entries of applications of the calls this organiser works on; call-wide
        entries (exports, publishing) to superusers only."""
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        visible = queries.applications_visible_to(request.user).values("pk")
        return queryset.filter(application__in=visible)

    @admin.display(description=gettext_lazy("操作"), ordering="action")
    def action_display(self, obj):
        return obj.action_label
