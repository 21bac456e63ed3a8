"""Admin: organisers read applications, review for their body, and selectors decide.

Thin by design: every write goes through one service (``applications.services``); actions
and buttons collect what each call returned or refused and end with one message. Applicant
data and ``status`` are never editable here.
"""

import re
import unicodedata
import weakref
from collections import defaultdict

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Value, prefetch_related_objects
from django.db.models.functions import Coalesce
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from typing_extensions import override

from applications import (
    emails,
    enums,
    form_schema,
    queries,
    services,
    stamp,
    validation,
    viewer,
    workflow,
)
from applications.admin.base import ReadOnlyAdmin
from applications.admin.display import (
    choice_labels,
    conflict_badge,
    flatten,
    refusal_text,
    summarise,
    timeline,
    verdict_badge,
    verdict_column,
)
from applications.admin.filters import (
    CallFilter,
    ConflictFilter,
    QuorumFilter,
    StatusFilter,
    verdict_filter,
)
from applications.admin.forms import (
    ConflictDeclareForm,
    ConflictRemoveForm,
    CorrectionForm,
    DecisionForm,
    ListOrderForm,
    ReviewForm,
)
from applications.documents.admin_actions import ACTIONS as DOCUMENT_ACTIONS
from applications.models import Application, Conflict, OrganisingBody, Review
from applications.seal_jobs import seal_hint_waiting

# Forgotten with the request itself.
_bodies_of_request: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

DECIDE_PERMISSION = "applications.decide_application"


def _decision_action(decision: workflow.Decision):
    """The change list's action for ``decision``: the service on every ticked application,
    then one message (``<name>_applications``, for selectors only)."""

    def action(modeladmin, request, queryset):
        return modeladmin.decide_each(request, queryset, decision)

    action.__name__ = action.__qualname__ = f"{decision.name}_applications"
    return admin.action(permissions=["decide"], description=decision.action_description)(action)


DECISION_ACTIONS = [_decision_action(decision) for decision in workflow.DECISIONS.values()]


# What the change page adds to the 申报表's fields: after a field, and beside it on its line.
ADDED_AFTER = {"seal_scan": ("seal_pages_links", "scan_check_display", "seal_hint")}
ADDED_BESIDE = {"privacy_consent": ("privacy_consent_at",)}


def _shown_as(field: form_schema.Field) -> str:
    """The name the change page shows a field by: the standards as a list, a file as the
    download link ``<name>_link`` (made below for each file), any other field itself."""
    if field.kind is form_schema.Kind.STANDARDS:
        return "standards_list"
    if field.kind is form_schema.Kind.FILE:
        return f"{field.name}_link"
    if field.kind is form_schema.Kind.BODIES:
        return f"{field.name}_names"
    return field.name


def applicant_fieldsets():
    """The 申报表's sections, rows and fields as the applicant's form has them."""
    for section in form_schema.SECTIONS:
        lines: list = []
        for row in section.rows:
            names = [n for f in row.fields for n in (_shown_as(f), *ADDED_BESIDE.get(f.name, ()))]
            lines.append(names[0] if len(names) == 1 else tuple(names))
            lines += [n for f in row.fields for n in ADDED_AFTER.get(f.name, ())]
        yield (section.title, {"fields": tuple(lines)})


# The paper check in a few characters, for the change list (its full label is the title).
SCAN_CHECK_SHORT = {
    enums.ScanCheck.MATCHES: gettext_lazy("✓ 一致"),
    enums.ScanCheck.STALE: gettext_lazy("✗ 不一致"),
    enums.ScanCheck.OTHER: gettext_lazy("✗ 非本申报"),
    enums.ScanCheck.UNREADABLE: gettext_lazy("? 未识别"),
}

PHONE_SPELLING = re.compile(r"^(?:\+?86|0086)?[\d\s\-()（）]{7,}$")


def search_spelling(term: str) -> str:
    """``term`` with a phone number written as the form stores it (digits only, no +86)."""
    term = unicodedata.normalize("NFKC", term or "").strip()
    if PHONE_SPELLING.match(term):
        digits = re.sub(r"\D", "", term)
        if len(digits) > 11:
            digits = digits.removeprefix("00").removeprefix("86")
        return digits
    return term


@admin.register(Application)
class ApplicationAdmin(ReadOnlyAdmin):
    list_display_links = ("reference", "unit_name")
    search_fields = (
        "reference",
        "unit_name",
        "credit_code",
        "drafter_name",
        "drafter_mobile",
        "drafter_email",
        "contact_email",
    )
    list_select_related = ("call",)
    list_per_page = 100
    # The unfiltered total would be a second count of the whole table on every page; the
    # header's counters already give the totals that matter (selected / waitlist / pending).
    show_full_result_count = False
    ordering = ("reference",)
    change_list_template = "admin/applications/application/change_list.html"
    change_form_template = "admin/applications/application/change_form.html"
    actions = [*DECISION_ACTIONS, *DOCUMENT_ACTIONS]

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
                    "pending_display",
                    "list_order",
                    "override_reason",
                    ("created_at", "updated_at"),
                )
            },
        ),
        *applicant_fieldsets(),
    )

    # --- permissions: read-only for everyone (ReadOnlyAdmin); decisions through services ---

    def has_decide_permission(self, request):
        return request.user.has_perm(DECIDE_PERMISSION)

    def has_export_permission(self, request):
        return request.user.has_perm("applications.view_application")

    @override
    def get_readonly_fields(self, request, obj=None):
        return [name for fieldset in self.fieldsets for name in flatten(fieldset[1]["fields"])]

    # --- change list ---
    def _bodies(self, request):
        """The organising bodies, read once per request: the queryset, the columns and the
        filters of one change list each need them."""
        bodies = _bodies_of_request.get(request)
        if bodies is None:
            bodies = _bodies_of_request[request] = list(OrganisingBody.objects.all())
        return bodies

    def get_queryset(self, request):
        """The applications of the calls this organiser works on (``queries.access``)."""
        queryset = queries.applications_visible_to(
            request.user, super().get_queryset(request).prefetch_related("standards")
        )
        queryset = queries.with_conflict_flags(queryset, self._bodies(request))
        queryset = queries.with_viewer_conflict(queryset, request.user)
        return queries.applications_with_review_summary(queryset, self._bodies(request))

    def get_list_display(self, request):
        return (
            "reference",
            "unit_name",
            "unit_type",
            "industry_code",
            "standards_list",
            "status_badge",
            # Right after the status: at 1280 px a row's paper check is read without
            # scrolling sideways (tests/browser/test_change_list_layout.py).
            "scan_check_column",
            *[verdict_column(body) for body in self._bodies(request)],
            "mean_score_display",
            "quorum_display",
            self._conflicts_display(request),
        )

    def get_list_filter(self, request):
        return (
            CallFilter,
            StatusFilter,
            "unit_type",
            "industry",
            "standards",
            *[verdict_filter(body) for body in self._bodies(request)],
            QuorumFilter,
            ConflictFilter,
            "scan_check",
            "seal_detected",
        )

    def get_changelist_instance(self, request):
        """The change list, with the added pages of its partial scans read in one query:
        their missing pages are named from every page's stamps (``scan_check_column``), and
        a list without such rows pays nothing for it."""
        changelist = super().get_changelist_instance(request)
        partial = [a for a in changelist.result_list if a.scan_check == enums.ScanCheck.PARTIAL]
        prefetch_related_objects(partial, "seal_pages")
        return changelist

    def get_search_results(self, request, queryset, search_term):
        """A mobile number is found however it is typed ("+86 138 0013 8000", "138-0013-8000"):
        the form stores it as 11 digits."""
        return super().get_search_results(request, queryset, search_spelling(search_term))

    def changelist_view(self, request, extra_context=None):
        counters = []
        statuses: dict[str, int] = defaultdict(int)
        shown = CallFilter.shown_calls(request)
        for call in shown:
            counts, pending = queries.call_counts(call)
            for status, n in counts.items():
                statuses[status] += n
            counters.append(
                {
                    "call": call,
                    "pending": sum(pending.values()),
                    "pending_select": pending["select"],
                    "selected": counts[enums.Status.SELECTED] + pending["select"],
                    "waitlisted": counts[enums.Status.WAITLISTED],
                    "submitted": counts[enums.Status.SUBMITTED],
                    "total": sum(counts.values()),
                }
            )
        StatusFilter.remember_counts(request, dict(statuses))
        extra = {
            "call_counters": counters,
            "current_call": counters[0]["call"] if len(counters) == 1 else None,
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
        label = choice_labels("industry").get(obj.industry, obj.industry)
        return format_html('<abbr title="{}">{}</abbr>', label, obj.industry)

    @admin.display(description=gettext_lazy("状态"), ordering="status")
    def status_badge(self, obj):
        label = choice_labels("status").get(obj.status, obj.status)
        badge = format_html('<span class="status status-{}">{}</span>', obj.status, label)
        if not obj.email_confirmed:
            # An anonymous visitor's draft: deleted unless its address is confirmed in time.
            badge = format_html(
                '{} <span class="status status-unconfirmed" title="{}">{}</span>',
                badge,
                _("申报人尚未打开确认邮件中的链接；%(hours)s 小时内未确认的草稿将连同附件删除。")
                % {"hours": settings.UNCONFIRMED_DRAFT_HOURS},
                _("邮箱未确认"),
            )
        if obj.pending_decision:
            pending = workflow.STAGED[obj.pending_decision].pending_label
            badge = format_html(
                '{} <span class="status status-pending" title="{}">{}</span>',
                badge,
                _("待发布，申报单位尚不可见"),
                pending,
            )
        return badge

    @admin.display(description=gettext_lazy("待发布的决定"))
    def pending_display(self, obj):
        if not obj.pending_decision:
            return "—"
        return _("%(label)s（%(who)s 于 %(when)s 拟定，待发布；申报单位尚不可见）") % {
            "label": workflow.STAGED[obj.pending_decision].pending_label,
            "who": obj.pending_by or "—",
            "when": date_format(timezone.localtime(obj.pending_at), "Y-m-d H:i"),
        }

    @admin.display(description=mark_safe('<input type="checkbox" id="action-toggle">'))
    def action_checkbox(self, obj):
        """Django's own checkbox, written out: its widget goes through the template engine
        once per row, a large share of the change list's time (docs/performance.md). A test
        keeps the two identical."""
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            helpers.ACTION_CHECKBOX_NAME,
            obj.pk,
            format_html(_("Select this object for an action - {}"), obj),
        )

    # Not yet scored sorts as the lowest score, on every database; so does a score hidden
    # from a reviewer whose body stands aside (the sort must not tell it).
    @admin.display(
        description=gettext_lazy("加权平均分"),
        ordering=Coalesce(queries.hidden_from_conflicted_viewer("mean_score"), Value(-1.0)),
    )
    def mean_score_display(self, obj):
        if getattr(obj, "viewer_conflicted", False):
            return conflict_badge()
        score = getattr(obj, "mean_score", None)
        return "—" if score is None else f"{score:.1f}"

    @admin.display(
        description=gettext_lazy("会签"),
        boolean=True,
        ordering=queries.hidden_from_conflicted_viewer("recommend_count"),
    )
    def quorum_display(self, obj):
        if getattr(obj, "viewer_conflicted", False):
            return None
        return getattr(obj, "quorum_reached", None)

    def _conflicts_display(self, request):
        bodies = self._bodies(request)

        @admin.display(description=gettext_lazy("回避"))
        def conflicts_display(obj):
            names = [
                body.short_name or body.name
                for body in bodies
                if getattr(obj, queries.conflict_field(body.pk), False)
            ]
            if not names:
                return "—"
            return format_html('<span class="conflict-names">{}</span>', "、".join(names))

        return conflicts_display

    # --- change page ---
    @admin.display(description=gettext_lazy("入选理由（未达会签）"))
    def override_reason(self, obj):
        return obj.selection_override_reason or "—"

    def _file_link(self, obj, field):
        """The download link, and for a checked image or PDF the file itself in the page
        (``?inline=1``: the same view and checks, sandboxed; see ``applications.viewer``)."""
        fieldfile = getattr(obj, field)
        if not fieldfile:
            return "—"
        return self._stored_file_link(
            obj, field, fieldfile.name, obj.original_name(field) or _("下载")
        )

    def _stored_file_link(self, obj, field, stored_name, name):
        """A file's download link and inline view (``_file_link``), for an attachment or a
        file answering one of the call's questions (``field`` ``q_<pk>``)."""
        url = reverse("applications:organiser_file", args=[obj.pk, field])
        return self._file_viewer(url, stored_name, name)

    def _file_viewer(self, url, stored_name, name):
        """The download link of the file at ``url`` and, for a checked image or PDF (a HEIC
        as its JPEG), the file itself in the page (``url?inline=1``)."""
        download = format_html(
            '<a class="file-download" href="{}" download>{}</a> <span class="help">{}</span>',
            url,
            name,
            _("（下载）"),
        )
        kind = viewer.shown_type(stored_name)
        if kind is None:
            return download
        inline = f"{url}?inline=1"
        if kind.startswith("image/"):
            shown = format_html(
                '<a href="{}" target="_blank" rel="noopener" title="{}">'
                '<img src="{}" alt="{}" loading="lazy"></a>',
                inline,
                _("在新标签页中查看原图"),
                inline,
                name,
            )
        else:
            shown = format_html(
                '<iframe src="{}" title="{}" loading="lazy"></iframe>'
                '<a href="{}" target="_blank" rel="noopener">{}</a>',
                inline,
                name,
                inline,
                _("在新标签页中打开"),
            )
        return format_html(
            '{}<div class="file-viewer file-viewer-{}">{}</div>',
            download,
            "image" if kind.startswith("image/") else "pdf",
            shown,
        )

    @admin.display(description=gettext_lazy("盖章表追加页"))
    def seal_pages_links(self, obj):
        """The pages photographed one by one after the seal scan, each shown in the page
        as the scan is (a HEIC as its JPEG), in the order they were added."""
        pages = list(obj.seal_pages.all())
        if not pages:
            return "—"
        return format_html_join(
            "",
            '<div class="seal-page">{}</div>',
            (
                (
                    self._file_viewer(
                        reverse("applications:organiser_seal_page", args=[obj.pk, p.pk]),
                        p.file.name,
                        p.original_name,
                    ),
                )
                for p in pages
            ),
        )

    @admin.display(description=gettext_lazy("盖章表校验"), ordering="scan_check")
    def scan_check_display(self, obj):
        """What the version stamps on the scan say (applications.stamp), in full, on the
        application's page; a warning unless the scan matches the current data or no scan is
        there yet."""
        if not obj.scan_check:
            return "—"
        label = obj.get_scan_check_display()
        if obj.scan_check == enums.ScanCheck.PARTIAL:
            label = _("%(label)s（缺少第 %(pages)s 页）") % {
                "label": label,
                "pages": stamp.missing_pages(obj),
            }
        if obj.scan_check == enums.ScanCheck.MATCHES:
            return format_html('<span class="scan-check-matches">{}</span>', label)
        return format_html('<strong class="scan-check-{}">{}</strong>', obj.scan_check, label)

    @admin.display(description=gettext_lazy("盖章表"), ordering="scan_check")
    def scan_check_column(self, obj):
        """The paper check in the change list: a badge of a few characters that never wraps,
        read at a glance (a mark and a colour per outcome), its full label as the title;
        missing pages are named ("缺第 2、3 页")."""
        if not obj.scan_check:
            return "—"
        if obj.scan_check == enums.ScanCheck.PARTIAL:
            short = _("缺第 %(pages)s 页") % {"pages": stamp.missing_pages(obj)}
        else:
            short = SCAN_CHECK_SHORT[obj.scan_check]
        return format_html(
            '<span class="scan-badge scan-badge-{}" title="{}">{}</span>',
            obj.scan_check,
            obj.get_scan_check_display(),
            short,
        )

    @admin.display(description=gettext_lazy("印章检测"))
    def seal_hint(self, obj):
        if seal_hint_waiting(obj):
            return _("正在检测红色印章（由后台任务完成，稍后刷新本页查看）。")
        if obj.seal_detected is None:
            return _("未能自动判断（如为矢量 PDF），请人工核对印章。")
        if obj.seal_detected and obj.seal_place:
            return _("在页面%(place)s检测到红色印章（仅供参考，请人工核对）。") % {
                "place": obj.get_seal_place_display()
            }
        if obj.seal_detected:
            return _("检测到红色印章（仅供参考，请人工核对）。")
        warning = _("未检测到红色印章，请重点核对。")
        return format_html('<strong class="errornote">{}</strong>', warning)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        application = self.get_object(request, object_id)
        extra = dict(extra_context or {})
        if application is not None:
            reviews = queries.reviews_by_body(application)
            bodies = queries.reviewer_bodies(request.user)
            conflicted = queries.conflicted_body_pks(application)
            my_conflict = len(bodies) == 1 and bodies[0].pk in conflicted
            if my_conflict:  # a body that stands aside reads no other body's verdict
                reviews = [(body, r) for body, r in reviews if body == bodies[0]]
            can_review = (
                len(bodies) == 1
                and application.status in workflow.REVIEWABLE_STATUSES
                and not my_conflict
            )
            if can_review and "review_form" not in extra:
                mine = next((r for body, r in reviews if body == bodies[0]), None)
                extra["review_form"] = ReviewForm(
                    instance=mine,
                    criteria=queries.rubric_criteria(application.call),
                    auto_id="id_review_%s",
                    form_id="review-form",
                )
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
                can_review=can_review,
                can_decide=queries.may_decide_on(request.user, application.call),
                decisions=services.available_decisions(application),
                list_full=self._list_full(application),
                timeline=timeline(application, only_body=bodies[0] if my_conflict else None),
                **self._conflict_context(request, application, bodies, conflicted, extra),
                # a body that stands aside sees its own column only (``reviews`` above)
                rubric=queries.rubric_table(application, [body for body, _review in reviews]),
                # the files answering the call's file questions, shown as the attachments are
                answer_files={
                    str(row.question_id): self._stored_file_link(
                        application, row.question.key, row.file.name, row.original_name
                    )
                    for row in queries.answer_files_of(application)
                },
            )
        return super().change_view(request, object_id, form_url, extra_context=extra)

    def _conflict_context(self, request, application, bodies, conflicted, extra) -> dict:
        """The 回避 panel: every conflict (standing and removed), the declare form for a
        reviewer of the call, and how many bodies are left to sign off jointly."""
        my_body = bodies[0] if len(bodies) == 1 else None
        call_bodies = list(application.call.organising_bodies.all())
        can_declare = (
            my_body is not None
            and my_body in call_bodies
            and application.status != enums.Status.DRAFT
        )
        if can_declare and "conflict_form" not in extra:
            extra["conflict_form"] = ConflictDeclareForm(
                auto_id="id_conflict_%s", form_id="conflict-form"
            )
        remaining = len([b for b in call_bodies if b.pk not in conflicted])
        return {
            "conflicts": [
                (c, services.conflict_may_remove(c, request.user))
                for c in queries.conflicts_of(application)
            ],
            "my_conflict": my_body is not None and my_body.pk in conflicted,
            "can_declare": can_declare,
            "conflict_form": extra.get("conflict_form"),
            "bodies_remaining": remaining,
            "too_few_bodies": bool(conflicted)
            and remaining < application.call.required_recommendations,
        }

    @staticmethod
    def _visible_application(request, pk) -> Application:
        """The application ``pk`` among those ``request.user`` may see (its call read along),
        else 404: the review and 回避 pages start from it."""
        return get_object_or_404(
            queries.applications_visible_to(
                request.user, Application.objects.select_related("call")
            ),
            pk=pk,
        )

    def conflict_view(self, request, pk):
        """A reviewer declares a conflict of their body (or of a person of it) from the
        application page; a refused form is shown again in the page, as typed."""
        application = self._visible_application(request, pk)
        if not self.has_view_permission(request, application):
            raise PermissionDenied
        if request.method != "POST":
            return HttpResponseRedirect(self._change_url(application) + "#conflicts")
        form = ConflictDeclareForm(request.POST, auto_id="id_conflict_%s", form_id="conflict-form")
        if form.is_valid():
            try:
                conflict = services.conflict_declare(
                    application=application,
                    actor=request.user,
                    reason=form.cleaned_data["reason"],
                    person_name=form.cleaned_data["person_name"],
                    relation=form.cleaned_data["relation"],
                )
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("已记录%(body)s对 %(ref)s 的回避。")
                    % {"body": conflict.body.name, "ref": application.reference},
                )
                return HttpResponseRedirect(self._change_url(application) + "#conflicts")
        request.method = "GET"
        return self.change_view(request, str(application.pk), extra_context={"conflict_form": form})

    def conflict_remove_view(self, request, pk, conflict_pk):
        """Remove a conflict: a page asking the reason (GET), the service (POST)."""
        application = self._visible_application(request, pk)
        conflict = get_object_or_404(
            Conflict.objects.select_related("body", "declared_by"),
            pk=conflict_pk,
            application=application,
        )
        if not services.conflict_may_remove(conflict, request.user):
            raise PermissionDenied
        form = ConflictRemoveForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.conflict_remove(
                    conflict=conflict,
                    actor=request.user,
                    reason=form.cleaned_data["removal_reason"],
                )
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("已解除%(body)s对 %(ref)s 的回避。")
                    % {"body": conflict.body.name, "ref": application.reference},
                )
                return HttpResponseRedirect(self._change_url(application) + "#conflicts")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": application,
            "conflict": conflict,
            "form": form,
            "title": _("解除回避：%(ref)s") % {"ref": application.reference},
        }
        return TemplateResponse(
            request, "admin/applications/application/conflict_remove.html", context
        )

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
                "<int:pk>/conflict/",
                self.admin_site.admin_view(self.conflict_view),
                name=f"{prefix}_conflict",
            ),
            path(
                "<int:pk>/conflict/<int:conflict_pk>/remove/",
                self.admin_site.admin_view(self.conflict_remove_view),
                name=f"{prefix}_conflict_remove",
            ),
            path(
                "<int:pk>/decide/<str:decision>/",
                self.admin_site.admin_view(self.decide_view),
                name=f"{prefix}_decide",
            ),
            path(
                "release/<int:call_pk>/",
                self.admin_site.admin_view(self.release_view),
                name=f"{prefix}_release",
            ),
            path(
                "selected/<int:call_pk>/",
                self.admin_site.admin_view(self.selected_view),
                name=f"{prefix}_selected",
            ),
            *super().get_urls(),
        ]

    @staticmethod
    def _list_full(application) -> bool:
        """The call's list is full and ``application`` holds no place on it: a selection
        would be refused, so the page does not offer one."""
        holds = application.status == enums.Status.SELECTED or (
            application.pending_decision == "select"
        )
        taken = queries.places_taken(application.call)
        return not holds and taken >= application.call.max_selected

    def _full_refusal(self, application) -> str:
        """The cap's refusal when the list is full and ``application`` is not on it, or ""."""
        if not self._list_full(application):
            return ""
        try:
            validation.validate_selection_capacity(
                selected_count=queries.places_taken(application.call),
                max_selected=application.call.max_selected,
            )
        except ValidationError as exc:
            return refusal_text(exc)
        return ""

    def _change_url(self, application):
        return reverse("admin:applications_application_change", args=[application.pk])

    def review_view(self, request, pk):
        """A reviewer writes or changes their body's verdict from the application page (the
        form is there); "保存并评审下一家未评审" then opens the next application their body has
        not reviewed. A refused form is shown again in the application page, as typed."""
        application = self._visible_application(request, pk)
        if not self.has_view_permission(request, application):
            raise PermissionDenied
        if request.method != "POST":
            return HttpResponseRedirect(self._change_url(application) + "#review")
        try:
            body = services.reviewer_body_get(user=request.user, call=application.call)
        except ValidationError as exc:
            messages.error(request, refusal_text(exc))
            return HttpResponseRedirect(self._change_url(application))
        review = Review.objects.filter(application=application, body=body).first()
        form = ReviewForm(
            request.POST,
            instance=review,
            criteria=queries.rubric_criteria(application.call),
            auto_id="id_review_%s",
            form_id="review-form",
        )
        if form.is_valid():
            try:
                services.review_save(
                    application=application,
                    reviewer=request.user,
                    recommendation=form.cleaned_data["recommendation"],
                    scores=form.scores,
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
                if "save_next" not in request.POST:
                    return HttpResponseRedirect(self._change_url(application))
                following = queries.next_unreviewed(
                    application, body, queries.applications_visible_to(request.user)
                )
                if following is None:
                    messages.info(
                        request, _("%(body)s已评审完所有待决定的申报。") % {"body": body.name}
                    )
                    return HttpResponseRedirect(
                        reverse("admin:applications_application_changelist")
                        + f"?call__id__exact={application.call_id}"
                    )
                return HttpResponseRedirect(self._change_url(following))
        # The application page again, with the form as typed and its errors. It is a
        # read-only page: shown as for a GET, since this POST was the review's, not an edit.
        request.method = "GET"
        return self.change_view(request, str(application.pk), extra_context={"review_form": form})

    def decide_view(self, request, pk, decision):
        """Confirm one decision (GET), take it through its service (POST)."""
        decision = workflow.DECISIONS.get(decision)
        if decision is None:
            raise PermissionDenied
        if not self.has_decide_permission(request):
            raise PermissionDenied
        application = get_object_or_404(
            queries.applications_with_review_summary(
                queries.applications_visible_to(
                    request.user, Application.objects.select_related("call")
                ),
                [],
            ),
            pk=pk,
        )
        quorum_missing = (
            decision.reason is workflow.Reason.QUORUM_OVERRIDE and not application.quorum_reached
        )
        # The reason is asked for (and passed on) only where the decision keeps one.
        ask_reason = quorum_missing or decision.reason is workflow.Reason.NOTE
        form = DecisionForm(
            request.POST or None,
            reason_required=quorum_missing,
            reason_help=_("会签未达要求时必填；撤销决定时可选。"),
        )
        # Taking back a released decision: the applicant was told, so say what to tell them.
        released = decision.undoes and not application.pending_decision
        correction = (
            CorrectionForm(
                request.POST or None,
                initial={"notify": "send", "correction": emails.correction_text(application)},
            )
            if released
            else None
        )
        valid = form.is_valid() and (correction is None or correction.is_valid())
        # A full list: the page says so and offers no "确认入选" (nor after a refusal).
        full = self._full_refusal(application) if decision.takes_place else ""
        if request.method == "POST" and valid and not full:
            try:
                services.decide(
                    application=application,
                    decision=decision.name,
                    actor=request.user,
                    reason=form.cleaned_data["reason"] if ask_reason else "",
                    correction=correction.correction_or_none() if correction else None,
                )
            except ValidationError as exc:
                if decision.takes_place:
                    full = self._full_refusal(application)
                if not full:
                    form.add_error(None, exc)
            else:
                messages.success(request, self._decided_message(application, decision))
                return HttpResponseRedirect(self._change_url(application))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": application,
            "decision": decision,
            "list_full": full,
            "quorum_missing": quorum_missing,
            "ask_reason": ask_reason,
            "form": form,
            "correction": correction,
            "pending_label": (
                workflow.STAGED[application.pending_decision].pending_label
                if application.pending_decision
                else None
            ),
            "title": _("确认：%(ref)s") % {"ref": application.reference},
        }
        return TemplateResponse(request, "admin/applications/application/decide.html", context)

    @staticmethod
    def _decided_message(application, decision: workflow.Decision) -> str:
        if decision.pending_label is not None:
            return _("%(ref)s：%(pending)s，待发布（发布前申报单位看不到，也不会收到邮件）。") % {
                "ref": application.reference,
                "pending": decision.pending_label,
            }
        return _("%(ref)s：%(status)s。") % {
            "ref": application.reference,
            "status": decision.label,
        }

    def release_view(self, request, call_pk):
        """ "发布决定": what will be released and mailed (with one mail of each kind as the
        applicant will read it), then the release in one transaction."""
        call = get_object_or_404(queries.calls_visible_to(request.user), pk=call_pk)
        if not queries.may_decide_on(request.user, call):
            raise PermissionDenied
        pending = list(services.pending_decisions(call).prefetch_related("standards"))
        if request.method == "POST":
            ticked = request.POST.getlist("pk")
            pks = [int(pk) for pk in ticked if pk.isdigit()] if ticked else None
            if ticked and not pks:
                raise PermissionDenied
            kinds = [a.pending_decision for a in pending if pks is None or a.pk in pks]
            try:
                released = services.decisions_release(call=call, actor=request.user, pks=pks)
            except ValidationError as exc:
                messages.error(request, refusal_text(exc))
                return HttpResponseRedirect(request.path)
            mailed = sum(workflow.STAGED[kind].mails for kind in kinds if kind)
            messages.success(
                request,
                _("已发布 %(n)d 项决定，%(m)d 封结果通知邮件已进入发送队列。")
                % {"n": len(released), "m": mailed},
            )
            return HttpResponseRedirect(
                reverse("admin:applications_application_changelist")
                + f"?call__id__exact={call.pk}&status__exact=all"
            )
        groups = []
        for name, row in workflow.STAGED.items():
            rows = [a for a in pending if a.pending_decision == name]
            preview = emails.preview_decision(rows[0], row.target) if rows and row.mails else None
            groups.append({"decision": row, "rows": rows, "preview": preview})
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "call": call,
            "groups": groups,
            "pending_count": len(pending),
            "mail_count": sum(len(g["rows"]) for g in groups if g["decision"].mails),
            "title": _("发布决定：%(call)s") % {"call": call.title},
        }
        return TemplateResponse(request, "admin/applications/application/release.html", context)

    def selected_view(self, request, call_pk):
        """The published list's order (editable by selectors) and the ranked waitlist."""
        call = get_object_or_404(queries.calls_visible_to(request.user), pk=call_pk)
        if not self.has_view_permission(request):
            raise PermissionDenied
        can_decide = queries.may_decide_on(request.user, call)
        selected = list(queries.list_holders_ordered(call))
        form = ListOrderForm(
            request.POST if request.POST.get("do") == "reorder" else None,
            applications=selected,
        )
        if request.method == "POST":
            if not can_decide:
                raise PermissionDenied
            if request.POST.get("do") == "propose":
                try:
                    proposed = services.selections_propose_by_score(call=call, actor=request.user)
                except ValidationError as exc:
                    messages.error(request, refusal_text(exc))
                else:
                    refs = "、".join(a.reference for a in proposed)
                    messages.success(
                        request,
                        _("已按评分拟入选 %(n)d 家（待发布）：%(refs)s。")
                        % {"n": len(proposed), "refs": refs},
                    )
                return HttpResponseRedirect(request.path)
            if request.POST.get("do") == "promote":
                try:
                    promoted = services.waitlist_promote_next(call=call, actor=request.user)
                except ValidationError as exc:
                    messages.error(request, refusal_text(exc))
                else:
                    messages.success(
                        request,
                        _("已递补 %(ref)s %(unit)s：拟入选，待发布。")
                        % {"ref": promoted.reference, "unit": promoted.unit_name},
                    )
                return HttpResponseRedirect(request.path)
            if form.is_valid():
                try:
                    changed = services.selected_list_reorder(
                        call=call, order=form.ordered_pks(), actor=request.user
                    )
                except ValidationError as exc:
                    messages.error(request, refusal_text(exc))
                else:
                    messages.success(
                        request, _("名单顺序已保存，%(n)d 家的位置有变动。") % {"n": changed}
                    )
                return HttpResponseRedirect(request.path)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "call": call,
            "rows": [(a, form[f"order_{a.pk}"]) for a in selected],
            "form": form,
            "waitlist": queries.waitlist_ranked(call),
            "selected_count": sum(1 for _row in selected),
            "list_full": len(selected) >= call.max_selected,
            "pending_select": sum(1 for a in selected if a.pending_decision),
            "can_decide": can_decide,
            "title": _("入选名单与候补：%(call)s") % {"call": call.title},
        }
        return TemplateResponse(request, "admin/applications/application/selected.html", context)

    # --- actions (DECISION_ACTIONS, one per decision) ---
    def decide_each(self, request, queryset, decision: workflow.Decision):
        """First a confirmation page (what will happen to whom, in which order, how many
        e-mails the release will send); the service only once the selector confirms."""
        if request.POST.get("confirmed") != "yes":
            return self._confirm_bulk(request, queryset, decision)
        try:
            outcomes = services.decide_many(
                applications=list(queryset), decision=decision.name, actor=request.user
            )
        except ValidationError as exc:
            messages.error(request, refusal_text(exc))
            return
        done, refusals = 0, defaultdict(list)
        for application, refusal in outcomes:
            if refusal is None:
                done += 1
            else:
                refusals[refusal_text(refusal)].append(application.reference)
        summarise(request, decision.done_label, done, refusals)

    def _confirm_bulk(self, request, queryset, decision: workflow.Decision):
        """The bulk decision's confirmation page: every ticked application in the order the
        service takes them (by reference), with its mean score, the joint sign-off and what
        will happen to it or why it will be refused; the free places of each call; nothing
        to confirm when more would take a place than there are places."""
        applications = sorted(
            queryset.select_related("call").prefetch_related(None), key=lambda a: a.reference
        )
        rows, taken = [], 0
        wanted: dict[int, int] = defaultdict(int)
        for application in applications:
            refusal = workflow.refusal(decision, application.status, application.pending_decision)
            if refusal is None and decision.undoes and not application.pending_decision:
                refusal = ValidationError(
                    _("该决定已通知申报单位：请在申报页面撤销，并填写更正邮件或明确选择不发送")
                )
            if (
                refusal is None
                and decision.reason is workflow.Reason.QUORUM_OVERRIDE
                and not application.quorum_reached
            ):
                refusal = ValidationError(_("未达会签要求：请在申报页面逐一入选并写明理由"))
            if refusal is None:
                taken += 1
                if decision.takes_place:
                    wanted[application.call_id] += 1
            rows.append(
                {
                    "application": application,
                    "refusal": refusal_text(refusal) if refusal else "",
                }
            )
        short = []
        for call in {a.call_id: a.call for a in applications}.values():
            free = max(call.max_selected - queries.places_taken(call), 0)
            if wanted[call.pk] > free:
                short.append({"call": call, "wanted": wanted[call.pk], "free": free})
        outcome = decision.pending_label or decision.label
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("确认：%(action)s") % {"action": decision.action_description},
            "decision": decision,
            "outcome": outcome,
            "rows": rows,
            "taken": taken,
            "mails": taken if decision.mails else 0,
            "short": short,
            "action_name": request.POST.get("action", ""),
            "path": request.get_full_path(),
        }
        return TemplateResponse(request, "admin/applications/application/decide_many.html", context)


def _add_errors(form, exc: ValidationError) -> None:
    """A service's refusal on the form: on its field where it names one, else on top."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _file_link_display(name: str):
    @admin.display(description=Application.label(name))
    def link(self, obj):
        return self._file_link(obj, name)

    link.__name__ = f"{name}_link"
    return link


for _name in form_schema.FILE_FIELDS:  # unit_profile_file_link, …, seal_scan_link
    setattr(ApplicationAdmin, f"{_name}_link", _file_link_display(_name))


def _bodies_display(field: form_schema.Field):
    @admin.display(description=Application.label(field.name))
    def names(_admin, obj):
        return "、".join(b.name for b in queries.declared_bodies(obj, field.name)) or "—"

    names.__name__ = f"{field.name}_names"
    return names


for _field in form_schema.FIELDS:  # related_bodies_names
    if _field.kind is form_schema.Kind.BODIES:
        setattr(ApplicationAdmin, f"{_field.name}_names", _bodies_display(_field))
