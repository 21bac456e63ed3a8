"""Admin of calls: call managers (the "征集管理" group) create, edit, copy and publish them.

A call is edited through the model's own form, with its standards inline and the shared
organising bodies picked from a list; publishing and copying go through their services
(``applications.services.calls``) and end with one message. The notice has a live preview:
``notice-preview.js`` posts the text to ``preview_view``, which answers with the same
sanitised HTML the public page shows.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms.models import BaseInlineFormSet
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from typing_extensions import override

from applications import queries, rubric, services
from applications.admin.display import refusal_text
from applications.models import Call, Criterion, Question, Standard
from applications.notice import render_notice

PUBLISH_PERMISSION = "applications.publish_call"
NOTICE_MAX = 100_000  # characters a preview renders; a notice is a few thousand


class NoticeWidget(forms.Textarea):
    """The notice's textarea, and beside it the preview that ``notice-preview.js`` fills."""

    class Media:
        js = ("applications/js/notice-preview.js",)
        css = {"all": ("applications/css/organiser-admin.css",)}

    def __init__(self, attrs=None):
        super().__init__(attrs={"rows": 24, "class": "vLargeTextField", **(attrs or {})})

    def render(self, name, value, attrs=None, renderer=None):
        attrs = {**(attrs or {}), "data-preview-url": reverse("admin:applications_call_preview")}
        textarea = super().render(name, value, attrs, renderer)
        preview_id = f"{attrs.get('id') or name}-preview"
        return format_html(
            '<div class="notice-editor">{}<section class="notice-preview" aria-live="polite"'
            ' aria-labelledby="{}-title"><h3 id="{}-title">{}</h3><div id="{}"'
            ' class="notice-preview-body" lang="zh-CN">{}</div></section></div>',
            textarea,
            preview_id,
            preview_id,
            _("预览（公开页面所见）"),
            preview_id,
            mark_safe(render_notice(self.format_value(value) or "")),  # cleaned by nh3
        )


class CallForm(forms.ModelForm):
    class Meta:
        model = Call
        fields = [
            "code",
            "title",
            "series",
            "series_en",
            "document_number",
            "issued_on",
            "issuer",
            "notice",
            "supplement",
            "before_you_start",
            "opens_at",
            "deadline",
            "max_selected",
            "drafters_per_unit",
            "required_recommendations",
            "publicity_days",
            "publish_drafter_titles",
            "organising_bodies",
            "selectors",
        ]
        widgets = {"notice": NoticeWidget}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Left empty: the usual five working days.
        if "publicity_days" in self.fields:  # not on a view-only page
            self.fields["publicity_days"].required = False

    def clean_publicity_days(self):
        value = self.cleaned_data.get("publicity_days")
        return value or Call._meta.get_field("publicity_days").default


class StandardInline(admin.TabularInline):
    model = Standard
    extra = 0
    fields = ("title", "plan_number", "position")

    def has_delete_permission(self, request, obj=None):
        """A call whose standards applicants have chosen keeps them (rename, do not delete)."""
        if obj is not None and obj.applications.exists():
            return False
        return super().has_delete_permission(request, obj)


class QuestionInline(admin.StackedInline):
    """The call's own questions. Once anyone has applied, a question can be reworded,
    reordered or hidden, not deleted or changed in kind: its answers must keep their meaning."""

    model = Question
    extra = 0
    fields = (
        ("kind", "required", "hidden"),
        ("label", "label_en"),
        ("help_text", "help_text_en"),
        "options",
        ("after_section", "position"),
    )

    @override
    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.applications.exists():
            return ("kind",)
        return ()

    @override
    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.applications.exists():
            return False
        return super().has_delete_permission(request, obj)


class CriterionFormSet(BaseInlineFormSet):
    """The rubric as a whole: the weights of the criteria kept add up to 100."""

    def clean(self):
        super().clean()
        if any(form.errors for form in self.forms):
            return  # each wrong row says so first; the total of half-typed rows would mislead
        if self.instance.pk and queries.rubric_in_use(self.instance):
            return  # weights and scales are read-only then (CriterionInline): nothing to add up
        weights = [
            form.cleaned_data["weight"]
            for form in self.forms
            if form.cleaned_data
            and not form.cleaned_data.get("DELETE")
            and form.cleaned_data.get("weight") is not None
        ]
        rubric.validate_weights(weights)


class CriterionInline(admin.TabularInline):
    """The call's scoring rubric (评分标准), edited by the call manager.

    Once a verdict has scored the rubric (``queries.rubric_in_use``), weights and scales are
    read-only and no criterion is added or deleted: the totals already given, and the
    rankings and decisions made on them, would otherwise change under the selectors' feet
    (or old verdicts would lack a score). Labels, descriptions and order can still be
    reworded. Recomputing instead was rejected: a body's total is what its reviewer saw and
    confirmed. The legacy "总体" of verdicts from before the rubric is not shown here.
    """

    model = Criterion
    formset = CriterionFormSet
    extra = 0
    fields = ("position", "label", "label_en", "description", "weight", "scale_max")
    verbose_name_plural = gettext_lazy("评分标准（各项权重之和须为 100）")

    @override
    def get_queryset(self, request):
        return super().get_queryset(request).filter(legacy=False)

    @override
    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "description":
            kwargs["widget"] = forms.Textarea(attrs={"rows": 2, "cols": 40})
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    @override
    def get_readonly_fields(self, request, obj=None):
        if obj is not None and queries.rubric_in_use(obj):
            return ("weight", "scale_max")
        return ()

    @override
    def has_add_permission(self, request, obj=None):
        if obj is not None and queries.rubric_in_use(obj):
            return False
        return super().has_add_permission(request, obj)

    @override
    def has_delete_permission(self, request, obj=None):
        if obj is not None and queries.rubric_in_use(obj):
            return False
        return super().has_delete_permission(request, obj)


@admin.register(Call)
class CallAdmin(admin.ModelAdmin):
    form = CallForm
    list_display = (
        "code",
        "title",
        "status_badge",
        "opens_at",
        "deadline",
        "max_selected",
        "required_recommendations",
        "overview_links",
    )
    list_filter = ("status",)
    search_fields = ("code", "title", "document_number")
    inlines = [StandardInline, QuestionInline, CriterionInline]
    filter_horizontal = ("organising_bodies", "selectors")
    change_form_template = "admin/applications/call/change_form.html"
    actions = ["publish_calls", "copy_calls"]
    fieldsets = (
        (
            gettext_lazy("通知"),
            {
                "fields": (
                    ("code", "status", "published_at"),
                    "title",
                    ("series", "series_en"),
                    ("document_number", "issued_on"),
                    "issuer",
                    "notice",
                    "supplement",
                    "before_you_start",
                )
            },
        ),
        (
            gettext_lazy("时间与名额"),
            {
                "fields": (
                    ("opens_at", "deadline"),
                    ("max_selected", "drafters_per_unit", "required_recommendations"),
                    "last_reference_number",
                )
            },
        ),
        (gettext_lazy("牵头组织单位与遴选人"), {"fields": ("organising_bodies", "selectors")}),
        (
            gettext_lazy("公示"),
            {
                "fields": (
                    ("publicity_days", "publish_drafter_titles"),
                    ("publicity_starts", "publicity_ends", "list_final_at"),
                )
            },
        ),
    )

    def has_publish_permission(self, request):
        return request.user.has_perm(PUBLISH_PERMISSION)

    def has_delete_permission(self, request, obj=None):
        """Only a draft nobody applied to can go; a published call is a public record."""
        if obj is not None and (obj.is_published or obj.applications.exists()):
            return False
        return super().has_delete_permission(request, obj)

    @override
    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "selectors":  # organisers who may decide, not every account
            kwargs["queryset"] = queries.selector_candidates()
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    @override
    def get_readonly_fields(self, request, obj=None):
        readonly = [
            "status",
            "published_at",
            "last_reference_number",
            "publicity_starts",
            "publicity_ends",
            "list_final_at",
        ]
        if obj is not None and obj.applications.exists():
            readonly.append("code")  # the references of its applications begin with it
        return readonly

    @admin.display(description=gettext_lazy("概览"))
    def overview_links(self, obj):
        """The organisers' first page for a call: its dashboard, and its 公示."""
        return format_html(
            '<a href="{}">{}</a> · <a href="{}">{}</a>',
            reverse("admin:applications_call_dashboard", args=[obj.pk]),
            _("概览"),
            reverse("admin:applications_call_publicity", args=[obj.pk]),
            _("公示与异议"),
        )

    @admin.display(description=gettext_lazy("发布状态"), ordering="status")
    def status_badge(self, obj):
        return format_html(
            '<span class="call-status call-status-{}">{}</span>',
            obj.status,
            obj.get_status_display(),
        )

    # --- actions: the service on each ticked call, then one message ---
    @admin.action(permissions=["publish"], description=gettext_lazy("发布所选征集"))
    def publish_calls(self, request, queryset):
        done, refusals = 0, {}
        for call in queryset:
            try:
                services.call_publish(call=call, actor=request.user)
            except ValidationError as exc:
                refusals.setdefault(refusal_text(exc), []).append(call.code)
            else:
                done += 1
        parts = [ngettext("已发布 %(n)d 个征集。", "已发布 %(n)d 个征集。", done) % {"n": done}]
        for reason, codes in refusals.items():
            parts.append(
                _("%(codes)s 未能发布：%(reason)s。")
                % {"codes": "、".join(codes), "reason": reason}
            )
        level = (
            messages.ERROR
            if refusals and not done
            else messages.WARNING
            if refusals
            else messages.SUCCESS
        )
        messages.add_message(request, level, "".join(parts))

    @admin.action(permissions=["add"], description=gettext_lazy("复制为新征集"))
    def copy_calls(self, request, queryset):
        copies = [services.call_copy(call=call, actor=request.user) for call in queryset]
        if len(copies) == 1:
            return HttpResponseRedirect(self._change_url(copies[0]))
        messages.success(
            request,
            _("已复制为新征集草稿：%(codes)s。") % {"codes": "、".join(c.code for c in copies)},
        )
        return None

    # --- the change page's buttons and the preview ---
    def get_urls(self):
        return [
            path(
                "preview/",
                self.admin_site.admin_view(self.preview_view),
                name="applications_call_preview",
            ),
            path(
                "<int:pk>/publish/",
                self.admin_site.admin_view(self.publish_view),
                name="applications_call_publish",
            ),
            path(
                "<int:pk>/copy/",
                self.admin_site.admin_view(self.copy_view),
                name="applications_call_copy",
            ),
            *super().get_urls(),
        ]

    def _change_url(self, call):
        return reverse("admin:applications_call_change", args=[call.pk])

    def change_view(self, request, object_id, form_url="", extra_context=None):
        call = self.get_object(request, object_id)
        extra = dict(extra_context or {})
        if call is not None:
            extra.update(
                can_publish=not call.is_published and self.has_publish_permission(request),
                can_copy=self.has_add_permission(request),
                publish_problems=[]
                if call.is_published
                else services.call_publish_problems(call=call),
            )
        return super().change_view(request, object_id, form_url, extra_context=extra)

    def preview_view(self, request):
        """The notice as the public page will show it (POST: the text being edited)."""
        if request.method != "POST":
            return HttpResponse(status=405, headers={"Allow": "POST"})
        if not (self.has_add_permission(request) or self.has_change_permission(request)):
            raise PermissionDenied
        text = request.POST.get("notice", "")[:NOTICE_MAX]
        response = HttpResponse(render_notice(text), content_type="text/html; charset=utf-8")
        response["Cache-Control"] = "no-store"
        return response

    def publish_view(self, request, pk):
        call = get_object_or_404(Call, pk=pk)
        if not self.has_publish_permission(request):
            raise PermissionDenied
        if request.method != "POST":
            return HttpResponseRedirect(self._change_url(call))
        try:
            services.call_publish(call=call, actor=request.user)
        except ValidationError as exc:
            messages.error(request, refusal_text(exc))
        else:
            self.log_change(request, call, _("发布征集"))
            messages.success(
                request, _("征集 %(code)s 已发布，公众现在可以看到。") % {"code": call.code}
            )
        return HttpResponseRedirect(self._change_url(call))

    def copy_view(self, request, pk):
        call = get_object_or_404(Call, pk=pk)
        if not self.has_add_permission(request):
            raise PermissionDenied
        if request.method != "POST":
            return HttpResponseRedirect(self._change_url(call))
        copy = services.call_copy(call=call, actor=request.user)
        self.log_addition(request, copy, _("复制自 %(code)s") % {"code": call.code})
        messages.success(
            request,
            _(
                "已从 %(source)s 复制为新征集草稿 %(code)s。请修改编号、标题、文号、通知正文、"
                "时间和标准的项目计划编号，检查无误后点击“发布”。"
            )
            % {"source": call.code, "code": copy.code},
        )
        return HttpResponseRedirect(self._change_url(copy))
