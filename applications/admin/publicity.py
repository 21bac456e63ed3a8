"""Admin of the 公示: a call's publicity page (publish, the list as the public sees it, the
objections, changes after the list is final) and the objections with their answers; the
call's dashboard (``applications.admin.dashboard``) is linked from here.

Thin like the rest of the admin: each write is one service of ``services.publicity`` or
``services.decide``; refusals become messages.
"""

import mimetypes
from pathlib import PurePosixPath

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone, translation
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from typing_extensions import override

from applications import queries, services, workflow, working_days
from applications.admin.base import ReadOnlyAdmin
from applications.admin.dashboard import dashboard_view
from applications.admin.display import refusal_text
from applications.models import Application, Objection, ObjectionVerdict
from applications.services.decisions import CALL_MANAGER_PERMISSION
from applications.storage import private_storage


def _objection_correction(objection: Objection) -> str:
    """The prefilled e-mail to a unit taken off the list after an upheld objection, in the
    applicant's language."""
    application = objection.application
    with translation.override(application.language or settings.LANGUAGE_CODE):
        return _(
            "贵单位的申报 %(ref)s 在入选名单公示期间收到异议，经核实异议成立，"
            "贵单位不再列入入选名单。如有疑问，请与牵头组织单位联系。"
        ) % {"ref": application.reference}


class AnswerForm(forms.Form):
    verdict = forms.ChoiceField(
        label=gettext_lazy("处理结论"), choices=ObjectionVerdict.choices, widget=forms.RadioSelect
    )
    answer = forms.CharField(
        label=gettext_lazy("处理理由（将发给提出异议的人）"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=services.publicity.ANSWER_MAX,
    )
    reopen = forms.BooleanField(
        label=gettext_lazy("异议成立：撤销该单位的入选，并由候补名单第一名递补（拟入选，待发布）"),
        required=False,
    )
    correction = forms.CharField(
        label=gettext_lazy("发给该单位的更正邮件（留空则不发送）"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )

    def clean(self):
        data = super().clean()
        if data.get("reopen") and data.get("verdict") != ObjectionVerdict.UPHELD:
            self.add_error("reopen", _("只有异议成立时才能撤销该单位的入选。"))
        return data


class FinalChangeForm(forms.Form):
    """A call manager's change to a final list, with its written reason; taking a unit off
    it asks, as every undo of a released decision does, for the e-mail that tells the unit
    (prefilled, to edit) or an explicit "不发送"."""

    SEND, NONE = "send", "none"
    application = forms.TypedChoiceField(label=gettext_lazy("申报"), coerce=int)
    decision = forms.ChoiceField(label=gettext_lazy("修改"))
    reason = forms.CharField(
        label=gettext_lazy("书面理由（记入审计记录）"), widget=forms.Textarea(attrs={"rows": 3})
    )
    notify = forms.ChoiceField(
        label=gettext_lazy("撤销入选时通知该单位"),
        choices=[
            (SEND, gettext_lazy("发送更正邮件（内容如下，可修改）")),
            (NONE, gettext_lazy("不发送邮件")),
        ],
        widget=forms.RadioSelect,
        required=False,
    )
    correction = forms.CharField(
        label=gettext_lazy("更正邮件"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
    )

    def __init__(self, *args, call, **kwargs):
        super().__init__(*args, **kwargs)
        rows = Application.objects.filter(call=call, status__in=workflow.DECIDED_STATUSES)
        self.fields["application"].choices = [
            (a.pk, f"{a.reference} {a.unit_name}（{a.get_status_display()}）")
            for a in rows.order_by("reference")
        ]
        self.fields["decision"].choices = [(d.name, d.label) for d in workflow.DECISIONS.values()]
        self.fields["correction"].initial = _(
            "贵单位的申报此前已列入确定的入选名单。经征集管理人员复核，现予更正：贵单位的申报"
            "重新进入评审，最终结果将另行通知。由此带来的不便，敬请谅解。"
        )

    def clean(self):
        cleaned = super().clean()
        decision = workflow.DECISIONS.get(cleaned.get("decision") or "")
        if decision is not None and decision.undoes:
            if not cleaned.get("notify"):
                self.add_error("notify", _("请选择是否发送更正邮件。"))
            elif cleaned["notify"] == self.SEND and not (cleaned.get("correction") or "").strip():
                self.add_error("correction", _("请填写更正邮件的内容，或选择不发送。"))
        return cleaned

    def correction_or_none(self) -> str | None:
        """What ``services.decide`` takes for an undo: the text, or "" for no e-mail."""
        if not workflow.DECISIONS[self.cleaned_data["decision"]].undoes:
            return None
        if self.cleaned_data["notify"] == self.NONE:
            return ""
        return self.cleaned_data["correction"].strip()


@admin.register(Objection)
class ObjectionAdmin(ReadOnlyAdmin):
    list_display = ("receipt", "unit", "name", "organisation", "created_at", "verdict_display")
    list_filter = ("call", "verdict")
    search_fields = ("receipt", "name", "organisation", "application__unit_name")
    list_select_related = ("application", "call")
    list_display_links = None

    @override
    def get_queryset(self, request):
        visible = queries.calls_visible_to(request.user).values("pk")
        return super().get_queryset(request).filter(call__in=visible)

    @admin.display(description=gettext_lazy("被提出异议的单位"), ordering="application__unit_name")
    def unit(self, obj):
        return format_html(
            '<a href="{}">{} {}</a>',
            reverse("admin:applications_objection_answer", args=[obj.pk]),
            obj.application.reference,
            obj.application.unit_name,
        )

    @admin.display(description=gettext_lazy("处理结论"), ordering="verdict")
    def verdict_display(self, obj):
        return obj.get_verdict_display() if obj.verdict else _("待答复")

    @override
    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/answer/", wrap(self.answer_view), name="applications_objection_answer"),
            path(
                "<int:pk>/attachment/",
                wrap(self.attachment_view),
                name="applications_objection_attachment",
            ),
            path(
                "publicity/<int:call_pk>/",
                wrap(self.publicity_view),
                name="applications_call_publicity",
            ),
            path(
                "dashboard/<int:call_pk>/",
                wrap(self.dashboard_view),
                name="applications_call_dashboard",
            ),
            *super().get_urls(),
        ]

    def _context(self, request, **extra):
        return {**self.admin_site.each_context(request), "opts": self.opts, **extra}

    def dashboard_view(self, request, call_pk):
        return dashboard_view(self, request, call_pk)

    def attachment_view(self, request, pk):
        """The objection's supporting document, streamed from private storage (as the
        applications' files are: no link that works without these checks)."""
        objection = get_object_or_404(self.get_queryset(request), pk=pk)
        if not self.has_view_permission(request, objection) or not objection.attachment:
            raise PermissionDenied
        name = objection.attachment.name or ""
        try:
            handle, size = private_storage().open_stream(name)
        except FileNotFoundError as exc:
            raise Http404(_("文件不存在。")) from exc
        content_type = mimetypes.guess_type(PurePosixPath(name).name)[0]
        response = FileResponse(
            handle,
            as_attachment=True,
            filename=objection.attachment_name or PurePosixPath(name).name,
            content_type=content_type or "application/octet-stream",
        )
        response["Content-Length"] = str(size)
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response

    def answer_view(self, request, pk):
        """One objection beside the unit it names; a selector of the call answers it."""
        objection = get_object_or_404(
            self.get_queryset(request).select_related("application", "call", "answered_by"),
            pk=pk,
        )
        if not self.has_view_permission(request, objection):
            raise PermissionDenied
        can_answer = queries.may_decide_on(request.user, objection.call) and objection.is_open
        form = AnswerForm(
            request.POST or None,
            initial={"correction": _objection_correction(objection)},
        )
        if request.method == "POST":
            if not can_answer:
                raise PermissionDenied
            if form.is_valid():
                data = form.cleaned_data
                try:
                    done = services.objection_answer(
                        objection=objection,
                        verdict=data["verdict"],
                        answer=data["answer"],
                        actor=request.user,
                        reopen=data["reopen"],
                        correction=data["correction"],
                    )
                except ValidationError as exc:
                    messages.error(request, refusal_text(exc))
                else:
                    messages.success(
                        request,
                        _("已答复 %(receipt)s（%(verdict)s），答复邮件已进入发送队列。")
                        % {
                            "receipt": done.objection.receipt,
                            "verdict": done.objection.get_verdict_display(),
                        },
                    )
                    if done.promoted is not None:
                        messages.success(
                            request,
                            _(
                                "已撤销该单位的入选；候补 %(ref)s %(unit)s 递补为拟入选，"
                                "请在“发布决定”中发布。"
                            )
                            % {"ref": done.promoted.reference, "unit": done.promoted.unit_name},
                        )
                    elif done.promotion_refusal is not None:
                        messages.warning(
                            request,
                            _("已撤销该单位的入选，但未能递补：%(why)s")
                            % {"why": refusal_text(done.promotion_refusal)},
                        )
                    return HttpResponseRedirect(
                        reverse("admin:applications_call_publicity", args=[objection.call_id])
                    )
        context = self._context(
            request,
            objection=objection,
            application=objection.application,
            form=form,
            can_answer=can_answer,
            title=_("异议 %(receipt)s") % {"receipt": objection.receipt},
        )
        return TemplateResponse(request, "admin/applications/objection/answer.html", context)

    def publicity_view(self, request, call_pk):
        """The call's 公示: publish it, see the list as the public does, the objections, and
        (once final) a call manager's change with its written reason."""
        call = get_object_or_404(queries.calls_visible_to(request.user), pk=call_pk)
        if not (
            request.user.has_perm("applications.view_objection")
            or request.user.has_perm(CALL_MANAGER_PERMISSION)
        ):
            raise PermissionDenied
        can_decide = queries.may_decide_on(request.user, call)
        is_manager = request.user.has_perm(CALL_MANAGER_PERMISSION)
        final_form = (
            FinalChangeForm(
                request.POST if request.POST.get("do") == "final_change" else None, call=call
            )
            if call.list_final_at and is_manager
            else None
        )
        if request.method == "POST":
            do = request.POST.get("do")
            try:
                if do == "publish" and can_decide:
                    call = services.publicity_publish(call=call, actor=request.user)
                    messages.success(
                        request,
                        _("名单已发布公示，公示期至 %(end)s 24:00。")
                        % {"end": working_days.last_day(call.publicity_ends)},
                    )
                elif do == "final_change" and final_form is not None:
                    if not final_form.is_valid():
                        # Shown again with each field's message and everything typed.
                        messages.error(request, _("请选择申报、修改内容并填写书面理由。"))
                        return self._publicity_page(request, call, can_decide, final_form)
                    data = final_form.cleaned_data
                    application = get_object_or_404(Application, call=call, pk=data["application"])
                    decision = workflow.DECISIONS[data["decision"]]
                    with transaction.atomic():
                        decided = services.decide(
                            application=application,
                            decision=decision.name,
                            actor=request.user,
                            final_change_reason=data["reason"],
                            correction=final_form.correction_or_none(),
                        )
                        if decided.pending_decision:
                            # A change to a final list takes effect at once (and is mailed).
                            services.decisions_release(
                                call=call, actor=request.user, pks=[decided.pk]
                            )
                    messages.success(
                        request,
                        _("%(ref)s：%(label)s，理由已记入审计记录。")
                        % {"ref": application.reference, "label": decision.label},
                    )
                else:
                    raise PermissionDenied
            except ValidationError as exc:
                messages.error(request, refusal_text(exc))
            return HttpResponseRedirect(request.path)
        return self._publicity_page(request, call, can_decide, final_form)

    def _publicity_page(self, request, call, can_decide, final_form):
        now = timezone.now()
        overrides = queries.calendar_overrides(timezone.localdate(now))
        context = self._context(
            request,
            call=call,
            entries=queries.public_entries(call),
            unnamed=list(queries.drafters_without_consent(call)),
            pending=queries.pending_counts(call),
            objections=list(queries.objections_of(call)),
            in_period=call.is_in_publicity(now),
            last_day=working_days.last_day(call.publicity_ends) if call.publicity_ends else None,
            would_end=working_days.last_day(
                working_days.period_end(now, call.publicity_days, overrides)
            ),
            unknown_years=working_days.unknown_years(now, call.publicity_days, overrides),
            can_decide=can_decide,
            final_form=final_form,
            title=_("公示：%(call)s") % {"call": call.title},
        )
        return TemplateResponse(request, "admin/applications/objection/publicity.html", context)
