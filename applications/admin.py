"""Admin: organisers read applications, review for their body, and selectors decide.

Thin by design: every write goes through one service (``applications.services``); actions
and buttons collect what each call returned or refused and end with one message. Applicant
data and ``status`` are never editable here.
"""

import functools
from collections import defaultdict

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef, Value
from django.db.models.functions import Coalesce
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from . import enums, selectors, services
from .documents.admin_actions import ACTIONS as DOCUMENT_ACTIONS
from .models import Application, AuditEntry, Call, OrganisingBody, Review, Standard
from .organiser_forms import DecisionForm, ListOrderForm, ReviewForm
from .services.decisions import ALLOWED_FROM

DECIDE_PERMISSION = "applications.decide_application"


class StandardInline(admin.TabularInline):
    model = Standard
    extra = 0


@admin.register(Call)
class CallAdmin(admin.ModelAdmin):
    list_display = (
        "code",
        "document_number",
        "title",
        "deadline",
        "max_selected",
        "required_recommendations",
    )
    inlines = [StandardInline]
    filter_horizontal = ("organising_bodies",)
    readonly_fields = ("last_reference_number",)


@admin.register(OrganisingBody)
class OrganisingBodyAdmin(admin.ModelAdmin):
    list_display = ("name", "reviewer_group", "contact_person", "phone", "email", "position")


@admin.register(Standard)
class StandardAdmin(admin.ModelAdmin):
    list_display = ("title", "plan_number", "call", "position")
    list_filter = ("call",)


# --- Change list columns and filters -------------------------------------------------------
VERDICT_CSS = {
    enums.Recommendation.RECOMMEND: "verdict-recommend",
    enums.Recommendation.NEUTRAL: "verdict-neutral",
    enums.Recommendation.NOT_RECOMMEND: "verdict-not-recommend",
}


def verdict_badge(value):
    if not value:
        return format_html('<span class="verdict verdict-none">{}</span>', _("未评审"))
    label = enums.Recommendation(value).label
    return format_html('<span class="verdict {}">{}</span>', VERDICT_CSS[value], label)


def _verdict_column(body: OrganisingBody):
    field = selectors.verdict_field(body.pk)

    @admin.display(description=body.short_name or body.name, ordering=field)
    def column(obj):
        return verdict_badge(getattr(obj, field, None))

    column.__name__ = field
    return column


def _verdict_filter(body: OrganisingBody):
    class BodyVerdictFilter(admin.SimpleListFilter):
        title = format_lazy(gettext_lazy("{}评审意见"), body.short_name or body.name)
        parameter_name = selectors.verdict_field(body.pk)

        def lookups(self, request, model_admin):
            return [*enums.Recommendation.choices, ("none", _("未评审"))]

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

    def lookups(self, request, model_admin):
        return [("yes", gettext_lazy("已达会签要求")), ("no", gettext_lazy("未达会签要求"))]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(quorum_reached=self.value() == "yes")
        return queryset


DETAIL_LABELS = {
    "score": gettext_lazy("评分"),
    "score_before": gettext_lazy("原评分"),
    "changed": gettext_lazy("修改内容"),
    "status": gettext_lazy("当时状态"),
    "format": gettext_lazy("格式"),
    "document": gettext_lazy("文件"),
    "count": gettext_lazy("条数"),
    "call": gettext_lazy("征集"),
}


def _detail_value(key, value):
    if key == "changed":
        names = []
        for name in value:
            try:
                names.append(str(Application._meta.get_field(name).verbose_name))
            except FieldDoesNotExist:  # a field since renamed: show its name
                names.append(name)
        return "、".join(names)
    if key == "status":
        return enums.Status(value).label if value in enums.Status.values else value
    return "—" if value is None else value


def _timeline(application):
    """The audit entries of ``application`` with readable from → to and details."""
    entries = application.audit_entries.select_related("actor", "body")
    labels = {**dict(enums.Status.choices), **dict(enums.Recommendation.choices)}
    rows = []
    for entry in entries:
        data = dict(entry.data)
        was, now = data.pop("from", None), data.pop("to", None)
        details = [
            (DETAIL_LABELS[key], _detail_value(key, value))
            for key, value in data.items()
            if key in DETAIL_LABELS
        ]
        rows.append(
            {
                "entry": entry,
                "actor": entry.actor or _("申报单位（专属链接）"),
                "from": labels.get(was, was),
                "to": labels.get(now, now),
                "note": data.get("note", ""),
                "details": details,
            }
        )
    return rows


def _summarise(request, verb: str, done: int, refusals: dict[str, list[str]]) -> None:
    """One message: how many succeeded, and each reason of refusal with its references."""
    counted = ngettext("%(verb)s %(n)d 家。", "%(verb)s %(n)d 家。", done)
    parts = [counted % {"verb": verb, "n": done}]
    refused = sum(len(refs) for refs in refusals.values())
    if refused:
        parts.append(ngettext("%(n)d 家未能操作：", "%(n)d 家未能操作：", refused) % {"n": refused})
        parts.append(
            "；".join(f"{reason}（{'、'.join(refs)}）" for reason, refs in refusals.items())
        )
    level = messages.SUCCESS if not refused else messages.WARNING if done else messages.ERROR
    messages.add_message(request, level, "".join(parts))


def _refusal_text(exc: ValidationError) -> str:
    return "；".join(str(m).rstrip("。") for m in exc.messages)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Nobody adds, changes or deletes these rows in admin; services write them."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Application)
class ApplicationAdmin(ReadOnlyAdmin):
    list_display_links = ("reference", "unit_name")
    search_fields = ("reference", "unit_name", "credit_code", "drafter_name")
    list_select_related = ("call",)
    list_per_page = 100
    # The unfiltered total would be a second count of the whole table on every page; the
    # header's counters already give the totals that matter (selected / waitlist / pending).
    show_full_result_count = False
    ordering = ("reference",)
    change_list_template = "admin/applications/application/change_list.html"
    change_form_template = "admin/applications/application/change_form.html"
    actions = [
        "select_applications",
        "waitlist_applications",
        "reject_applications",
        "reopen_applications",
        *DOCUMENT_ACTIONS,
    ]

    fieldsets = (
        (
            gettext_lazy("申报信息"),
            {
                "fields": (
                    "reference",
                    "call",
                    "status",
                    "submitted_at",
                    "decided_at",
                    "list_order",
                    "override_reason",
                )
            },
        ),
        (gettext_lazy("一、标准名称"), {"fields": ("standards_list",)}),
        (
            gettext_lazy("二、单位信息"),
            {
                "fields": (
                    "unit_name",
                    "credit_code",
                    "unit_type",
                    "main_business",
                    "industry",
                    "address",
                    "postcode",
                    "unit_profile",
                    "unit_profile_file_link",
                )
            },
        ),
        (
            gettext_lazy("三、推荐起草人"),
            {
                "fields": (
                    ("drafter_name", "drafter_gender", "drafter_birth_date"),
                    ("drafter_ethnicity", "drafter_native_place", "drafter_political_status"),
                    ("drafter_title", "drafter_position"),
                    ("drafter_mobile", "drafter_phone", "drafter_fax"),
                    "drafter_email",
                    "drafter_resume",
                    "drafter_resume_file_link",
                )
            },
        ),
        (
            gettext_lazy("四、承诺"),
            {
                "fields": (
                    "can_attend_meetings",
                    "can_provide_funding",
                    "can_provide_technical_support",
                )
            },
        ),
        (
            gettext_lazy("五、单位意见"),
            {
                "fields": (
                    "agrees_to_declaration",
                    ("responsible_person", "signed_on"),
                    "seal_scan_link",
                    "seal_hint",
                )
            },
        ),
        (
            gettext_lazy("联系与个人信息同意"),
            {
                "fields": (
                    "contact_email",
                    ("privacy_consent", "privacy_consent_at"),
                    ("created_at", "updated_at"),
                )
            },
        ),
    )

    # --- permissions: read-only for everyone (ReadOnlyAdmin); decisions through services ---

    def has_decide_permission(self, request):
        return request.user.has_perm(DECIDE_PERMISSION)

    def has_export_permission(self, request):
        return request.user.has_perm("applications.view_application")

    def get_readonly_fields(self, request, obj=None):
        return [name for fieldset in self.fieldsets for name in _flatten(fieldset[1]["fields"])]

    # --- change list ---
    def _bodies(self, request):
        if not hasattr(request, "_organising_bodies"):
            request._organising_bodies = list(OrganisingBody.objects.all())
        return request._organising_bodies

    def get_queryset(self, request):
        queryset = super().get_queryset(request).prefetch_related("standards")
        return selectors.applications_with_review_summary(queryset, self._bodies(request))

    def get_list_display(self, request):
        return (
            "reference",
            "unit_name",
            "unit_type",
            "industry_code",
            "standards_list",
            "status_badge",
            *[_verdict_column(body) for body in self._bodies(request)],
            "mean_score_display",
            "quorum_display",
        )

    def get_list_filter(self, request):
        return (
            "call",
            "status",
            "unit_type",
            "industry",
            "standards",
            *[_verdict_filter(body) for body in self._bodies(request)],
            QuorumFilter,
            "seal_detected",
        )

    def changelist_view(self, request, extra_context=None):
        counters = []
        for call in Call.objects.order_by("-deadline"):
            counts = selectors.call_decision_counts(call)
            counters.append(
                {
                    "call": call,
                    "selected": counts[enums.Status.SELECTED],
                    "waitlisted": counts[enums.Status.WAITLISTED],
                    "submitted": counts[enums.Status.SUBMITTED],
                }
            )
        extra = {
            "call_counters": counters,
            "current_call": counters[0]["call"] if counters else None,
            **(extra_context or {}),
        }
        return super().changelist_view(request, extra_context=extra)

    @admin.display(description=gettext_lazy("申报标准"))
    def standards_list(self, obj):
        return "、".join(s.title for s in obj.standards.all()) or "—"

    @admin.display(description=gettext_lazy("行业"), ordering="industry")
    def industry_code(self, obj):
        if not obj.industry:
            return "—"
        label = _choice_labels("industry").get(obj.industry, obj.industry)
        return format_html('<abbr title="{}">{}</abbr>', label, obj.industry)

    @admin.display(description=gettext_lazy("状态"), ordering="status")
    def status_badge(self, obj):
        label = _choice_labels("status").get(obj.status, obj.status)
        return format_html('<span class="status status-{}">{}</span>', obj.status, label)

    @admin.display(description=mark_safe('<input type="checkbox" id="action-toggle">'))
    def action_checkbox(self, obj):
        """Django's own checkbox, written out: its widget goes through the template engine
        once per row, a quarter of the change list's time at 100 rows."""
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            helpers.ACTION_CHECKBOX_NAME,
            obj.pk,
            format_html(_("Select this object for an action - {}"), obj),
        )

    # Not yet scored sorts as the lowest score, on every database.
    @admin.display(description=gettext_lazy("平均分"), ordering=Coalesce("mean_score", Value(-1.0)))
    def mean_score_display(self, obj):
        score = getattr(obj, "mean_score", None)
        return "—" if score is None else f"{score:.1f}"

    @admin.display(description=gettext_lazy("会签"), boolean=True, ordering="recommend_count")
    def quorum_display(self, obj):
        return getattr(obj, "quorum_reached", None)

    # --- change page ---
    @admin.display(description=gettext_lazy("入选理由（未达会签）"))
    def override_reason(self, obj):
        return obj.selection_override_reason or "—"

    def _file_link(self, obj, field):
        if not getattr(obj, field):
            return "—"
        return format_html(
            '<a href="{}">{}</a>',
            reverse("applications:organiser_file", args=[obj.pk, field]),
            obj.original_name(field) or _("下载"),
        )

    @admin.display(description=gettext_lazy("单位简介附件"))
    def unit_profile_file_link(self, obj):
        return self._file_link(obj, "unit_profile_file")

    @admin.display(description=gettext_lazy("个人简历附件"))
    def drafter_resume_file_link(self, obj):
        return self._file_link(obj, "drafter_resume_file")

    @admin.display(description=gettext_lazy("盖章扫描件"))
    def seal_scan_link(self, obj):
        return self._file_link(obj, "seal_scan")

    @admin.display(description=gettext_lazy("印章检测"))
    def seal_hint(self, obj):
        if obj.seal_detected is None:
            return _("未能自动判断（如为矢量 PDF），请人工核对印章。")
        if obj.seal_detected:
            return _("检测到红色印章（仅供参考，请人工核对）。")
        warning = _("未检测到红色印章，请重点核对。")
        return format_html('<strong class="errornote">{}</strong>', warning)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        application = self.get_object(request, object_id)
        extra = dict(extra_context or {})
        if application is not None:
            reviews = selectors.reviews_by_body(application)
            bodies = selectors.reviewer_bodies(request.user)
            extra.update(
                reviews=[
                    (body, review, verdict_badge(review and review.recommendation))
                    for body, review in reviews
                ],
                # get_queryset's summary, as in the change list's columns
                mean_score=application.mean_score,
                recommendations=application.recommend_count,
                quorum_reached=application.quorum_reached,
                my_body=bodies[0] if len(bodies) == 1 else None,
                can_review=len(bodies) == 1 and application.status in enums.UNDECIDED_STATUSES,
                can_decide=self.has_decide_permission(request),
                decisions=self._decisions_for(application),
                timeline=_timeline(application),
            )
        return super().change_view(request, object_id, form_url, extra_context=extra)

    @staticmethod
    def _decisions_for(application):
        labels = {
            "select": _("入选"),
            "waitlist": _("列入候补"),
            "reject": _("不予入选"),
            "reopen": _("撤销决定"),
        }
        return [
            (decision, labels[decision])
            for decision, allowed in ALLOWED_FROM.items()
            if application.status in allowed
        ]

    # --- extra pages ---
    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path(
                "<int:pk>/review/",
                self.admin_site.admin_view(self.review_view),
                name=f"{prefix}_review",
            ),
            path(
                "<int:pk>/decide/<str:decision>/",
                self.admin_site.admin_view(self.decide_view),
                name=f"{prefix}_decide",
            ),
            path(
                "selected/<int:call_pk>/",
                self.admin_site.admin_view(self.selected_view),
                name=f"{prefix}_selected",
            ),
            *super().get_urls(),
        ]

    def _change_url(self, application):
        return reverse("admin:applications_application_change", args=[application.pk])

    def review_view(self, request, pk):
        """A reviewer writes or changes their body's verdict (GET form, POST service)."""
        application = get_object_or_404(Application.objects.select_related("call"), pk=pk)
        if not self.has_view_permission(request, application):
            raise PermissionDenied
        try:
            body = services.reviewer_body_get(user=request.user, call=application.call)
        except ValidationError as exc:
            messages.error(request, _refusal_text(exc))
            return HttpResponseRedirect(self._change_url(application))
        review = Review.objects.filter(application=application, body=body).first()
        form = ReviewForm(request.POST or None, instance=review)
        if request.method == "POST" and form.is_valid():
            try:
                services.review_save(
                    application=application,
                    reviewer=request.user,
                    recommendation=form.cleaned_data["recommendation"],
                    score=form.cleaned_data["score"],
                    comment=form.cleaned_data["comment"],
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(
                    request,
                    _("已保存%(body)s对 %(ref)s 的评审意见。")
                    % {"body": body.name, "ref": application.reference},
                )
                return HttpResponseRedirect(self._change_url(application))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": application,
            "body": body,
            "form": form,
            "title": _("评审意见：%(ref)s") % {"ref": application.reference},
        }
        return TemplateResponse(request, "admin/applications/application/review.html", context)

    def decide_view(self, request, pk, decision):
        """Confirm one decision (GET), take it through its service (POST)."""
        if decision not in enums.DECISION_ACTIONS:
            raise PermissionDenied
        if not self.has_decide_permission(request):
            raise PermissionDenied
        application = get_object_or_404(
            selectors.applications_with_review_summary(
                Application.objects.select_related("call"), []
            ),
            pk=pk,
        )
        quorum_missing = decision == "select" and not application.quorum_reached
        form = DecisionForm(
            request.POST or None,
            reason_required=quorum_missing,
            reason_help=_("会签未达要求时必填；撤销决定时可选。"),
        )
        if request.method == "POST" and form.is_valid():
            reason = form.cleaned_data["reason"]
            try:
                self._decide(request, application, decision, reason)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(
                    request,
                    _("%(ref)s：%(status)s。")
                    % {
                        "ref": application.reference,
                        "status": enums.Status(enums.DECISION_ACTIONS[decision]).label,
                    },
                )
                return HttpResponseRedirect(self._change_url(application))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": application,
            "decision": decision,
            "decision_label": dict(self._decisions_for(application)).get(decision, decision),
            "quorum_missing": quorum_missing,
            "form": form,
            "title": _("确认：%(ref)s") % {"ref": application.reference},
        }
        return TemplateResponse(request, "admin/applications/application/decide.html", context)

    @staticmethod
    def _decide(request, application, decision, reason=""):
        if decision == "select":
            return services.application_select(
                application=application, actor=request.user, override_reason=reason
            )
        if decision == "waitlist":
            return services.application_waitlist(application=application, actor=request.user)
        if decision == "reject":
            return services.application_reject(application=application, actor=request.user)
        return services.application_reopen(application=application, actor=request.user, note=reason)

    def selected_view(self, request, call_pk):
        """The published list's order (editable by selectors) and the ranked waitlist."""
        call = get_object_or_404(Call, pk=call_pk)
        if not self.has_view_permission(request):
            raise PermissionDenied
        can_decide = self.has_decide_permission(request)
        selected = list(selectors.selected_ordered(call))
        form = ListOrderForm(
            request.POST if request.POST.get("do") == "reorder" else None,
            applications=selected,
        )
        if request.method == "POST":
            if not can_decide:
                raise PermissionDenied
            if request.POST.get("do") == "promote":
                try:
                    promoted = services.waitlist_promote_next(call=call, actor=request.user)
                except ValidationError as exc:
                    messages.error(request, _refusal_text(exc))
                else:
                    messages.success(
                        request,
                        _("已递补 %(ref)s %(unit)s 入选。")
                        % {"ref": promoted.reference, "unit": promoted.unit_name},
                    )
                return HttpResponseRedirect(request.path)
            if form.is_valid():
                try:
                    changed = services.selected_list_reorder(
                        call=call, order=form.ordered_pks(), actor=request.user
                    )
                except ValidationError as exc:
                    messages.error(request, _refusal_text(exc))
                else:
                    messages.success(
                        request, _("名单顺序已保存，%(n)d 家的位置有变动。") % {"n": changed}
                    )
                return HttpResponseRedirect(request.path)
        counts = selectors.call_decision_counts(call)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "call": call,
            "rows": [(a, form[f"order_{a.pk}"]) for a in selected],
            "form": form,
            "waitlist": selectors.waitlist_ranked(call),
            "selected_count": counts[enums.Status.SELECTED],
            "can_decide": can_decide,
            "title": _("入选名单与候补：%(call)s") % {"call": call.title},
        }
        return TemplateResponse(request, "admin/applications/application/selected.html", context)

    # --- actions ---
    def _run(self, request, queryset, decision, verb):
        done, refusals = 0, defaultdict(list)
        for application in queryset.order_by("reference"):
            try:
                self._decide(request, application, decision)
            except ValidationError as exc:
                refusals[_refusal_text(exc)].append(application.reference)
            else:
                done += 1
        _summarise(request, verb, done, refusals)

    @admin.action(permissions=["decide"], description=gettext_lazy("入选所选申报"))
    def select_applications(self, request, queryset):
        self._run(request, queryset, "select", _("已入选"))

    @admin.action(permissions=["decide"], description=gettext_lazy("将所选申报列入候补"))
    def waitlist_applications(self, request, queryset):
        self._run(request, queryset, "waitlist", _("已列入候补"))

    @admin.action(permissions=["decide"], description=gettext_lazy("所选申报不予入选"))
    def reject_applications(self, request, queryset):
        self._run(request, queryset, "reject", _("已不予入选"))

    @admin.action(permissions=["decide"], description=gettext_lazy("撤销所选申报的决定"))
    def reopen_applications(self, request, queryset):
        self._run(request, queryset, "reopen", _("已撤销决定"))


@functools.cache
def _choice_labels(field_name: str) -> dict:
    """Value → (lazy) label of an Application field's choices, built once. Django's
    ``get_FOO_display`` rebuilds the mapping on every call and hashes (so translates) every
    label to do it: a fifth of the change list's rendering time at 100 rows."""
    return dict(Application._meta.get_field(field_name).flatchoices)


def _flatten(fields):
    for item in fields:
        if isinstance(item, (tuple, list)):
            yield from item
        else:
            yield item


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdmin):
    """Read-only list of all verdicts; they are written on the application's page."""

    list_display = ("application", "body", "recommendation", "score", "reviewer", "updated_at")
    list_filter = ("body", "recommendation")
    search_fields = ("application__reference", "application__unit_name")
    list_select_related = ("application", "body", "reviewer")

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Review._meta.fields]


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "application", "actor", "body", "action_display")
    list_filter = ("action", "body")
    list_select_related = ("application", "actor", "body")
    readonly_fields = ("application", "actor", "body", "action", "data", "created_at")

    @admin.display(description=gettext_lazy("操作"), ordering="action")
    def action_display(self, obj):
        return obj.action_label
