"""Admin of bodies, standards, reviews and the audit trail."""

from django.contrib import admin
from django.db.models import Q
from django.utils.translation import gettext_lazy, ngettext
from typing_extensions import override

from applications import queries, services
from applications.admin.base import ReadOnlyAdmin
from applications.models import AuditEntry, OrganisingBody, RelatedUnit, Review, Standard
from applications.roles import roles_ensure


def _only_body(user) -> list[OrganisingBody]:
    """The body of a reviewer (one), else none."""
    bodies = queries.reviewer_bodies(user)
    return bodies if len(bodies) == 1 else []


class RelatedUnitInline(admin.TabularInline):
    """The units a body declares related (下属单位, 研究院所, 会员单位 …): an application from
    one of them is recorded as a conflict of the body (回避)."""

    model = RelatedUnit
    extra = 1
    fields = ("name", "credit_code", "kind", "remark")


@admin.register(OrganisingBody)
class OrganisingBodyAdmin(admin.ModelAdmin):
    """Bodies are shared by calls; a new one gets its reviewer group at once. A change of
    its name, credit code or related units matches the undecided applications again."""

    list_display = (
        "name",
        "credit_code",
        "reviewer_group",
        "contact_person",
        "phone",
        "email",
        "position",
    )
    search_fields = ("name", "short_name", "credit_code", "related_units__name")
    inlines = [RelatedUnitInline]

    @override
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        roles_ensure()

    @override
    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        matching = {"name", "credit_code"} & set(form.changed_data)
        if matching or any(formset.has_changed() for formset in formsets):
            looked_at = services.conflicts_recompute_for_body(body=form.instance)
            self.message_user(
                request,
                ngettext(
                    "已按新的信用代码和关联单位重新核对 %(n)d 份待决定的申报的回避。",
                    "已按新的信用代码和关联单位重新核对 %(n)d 份待决定的申报的回避。",
                    looked_at,
                )
                % {"n": looked_at},
            )


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
        queryset = super().get_queryset(request).filter(application__in=visible)
        for body in _only_body(request.user):  # where it stands aside, its own verdict only
            queryset = queryset.exclude(queries.stands_aside_q(body) & ~Q(body=body))
        return queryset


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
        queryset = queryset.filter(application__in=visible)
        for body in _only_body(request.user):  # as in the reviews' list
            queryset = queryset.exclude(
                queries.stands_aside_q(body) & Q(action="application.review") & ~Q(body=body)
            )
        return queryset

    @admin.display(description=gettext_lazy("操作"), ordering="action")
    def action_display(self, obj):
        return obj.action_label
