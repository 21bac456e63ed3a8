"""Admin: organisers look at calls and applications. Status is never editable here."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from .models import Application, AuditEntry, Call, OrganisingBody, Standard


class StandardInline(admin.TabularInline):
    model = Standard
    extra = 0


@admin.register(Call)
class CallAdmin(admin.ModelAdmin):
    list_display = ("code", "document_number", "title", "deadline", "max_selected")
    inlines = [StandardInline]
    filter_horizontal = ("organising_bodies",)
    readonly_fields = ("last_reference_number",)


@admin.register(OrganisingBody)
class OrganisingBodyAdmin(admin.ModelAdmin):
    list_display = ("name", "contact_person", "phone", "email", "position")


@admin.register(Standard)
class StandardAdmin(admin.ModelAdmin):
    list_display = ("title", "plan_number", "call", "position")
    list_filter = ("call",)


class AuditEntryInline(admin.TabularInline):
    model = AuditEntry
    extra = 0
    can_delete = False
    fields = ("created_at", "actor", "action", "data")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = ("reference", "unit_name", "unit_type", "industry", "status", "submitted_at")
    list_filter = ("call", "status", "unit_type", "industry", "standards", "seal_detected")
    search_fields = ("reference", "unit_name", "credit_code", "drafter_name")
    list_select_related = ("call",)
    inlines = [AuditEntryInline]
    exclude = ("access_token_hash", "idempotency_key", *Application.FILE_FIELDS)

    def get_readonly_fields(self, request, obj=None):
        # Applicant data is the applicant's: organisers read it here, they never edit it.
        names = [
            f.name
            for f in Application._meta.get_fields()
            if f.concrete and f.name not in self.exclude and f.name != "id"
        ]
        return [*names, "attachments"]

    @admin.display(description=_("附件"))
    def attachments(self, obj):
        links = [
            (
                reverse("applications:organiser_file", args=[obj.pk, name]),
                obj._meta.get_field(name).verbose_name,
                obj.original_name(name),
            )
            for name in Application.FILE_FIELDS
            if getattr(obj, name)
        ]
        if not links:
            return "—"
        return format_html(
            "<ul>{}</ul>", format_html_join("", '<li><a href="{}">{}：{}</a></li>', links)
        )

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ("created_at", "application", "actor", "action")
    list_filter = ("action",)
    readonly_fields = ("application", "actor", "action", "data", "created_at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
