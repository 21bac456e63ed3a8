"""The 公示, for the public: the released list of a call (``/calls/<code>/result/``) and the
real-name objection form. Nothing private is shown: units, drafters' names (with their
consent) and titles (if the call says so), in list order."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe
from django_ratelimit.decorators import ratelimit

from applications import queries, services, uploads, validation, working_days
from applications.applicant.forms import ATTACHMENT_ACCEPT, EMAIL_ATTRS, display_filename
from applications.models import OBJECTION_REASON_MAX, Call
from applications.services import NewFile

ANONYMOUS_NAMES = {"匿名", "无名", "无名氏", "某某", "不愿透露", "anonymous", "na", "n/a", "无"}
REAL_NAME = gettext_lazy("异议须实名提出：请填写真实姓名、工作单位和联系方式。匿名异议不予受理。")


def _call(code: str) -> Call:
    call = queries.call_public(code, prefetch=("organising_bodies",))
    if call is None or call.publicity_starts is None:
        raise Http404(_("该征集尚未公示入选名单。"))
    return call


def _period(call: Call) -> dict:
    assert call.publicity_ends is not None
    return {
        "starts": call.publicity_starts,
        "last_day": working_days.last_day(call.publicity_ends),
        "ends": call.publicity_ends,
        "days": call.publicity_days,
    }


@require_safe
def result(request, code):
    call = _call(code)
    now = timezone.now()
    entries = queries.public_entries(call)
    return render(
        request,
        "applications/result.html",
        {
            "call": call,
            "sections": queries.public_sections(call),
            "entries": entries,
            "period": _period(call),
            "in_period": call.is_in_publicity(now),
            "final": call.list_final_at,
            "bodies": call.organising_bodies.all(),
        },
    )


class ObjectionForm(forms.Form):
    application = forms.TypedChoiceField(label=gettext_lazy("被提出异议的单位"), coerce=int)
    name = forms.CharField(label=gettext_lazy("姓名"), max_length=50, required=False)
    organisation = forms.CharField(label=gettext_lazy("工作单位"), max_length=200, required=False)
    phone = forms.CharField(
        label=gettext_lazy("联系电话"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel"}),
        help_text=gettext_lazy("手机号码，或带区号的固定电话。"),
    )
    email = forms.EmailField(
        label=gettext_lazy("电子邮箱"),
        required=False,
        widget=forms.EmailInput(attrs=EMAIL_ATTRS),
        help_text=gettext_lazy("受理编号和处理结果将发送到该邮箱。"),
    )
    reason = forms.CharField(
        label=gettext_lazy("异议理由"),
        max_length=OBJECTION_REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 8, "maxlength": OBJECTION_REASON_MAX}),
        error_messages={"required": gettext_lazy("请写明异议的事实和理由。")},
        help_text=gettext_lazy("写明事实和理由，最多 2000 字。"),
    )
    attachment = forms.FileField(
        label=gettext_lazy("证明材料（可选）"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ATTACHMENT_ACCEPT}),
        help_text=gettext_lazy("PDF、Word 或图片，与申报附件的要求相同。"),
    )
    # A honeypot: hidden from people (CSS and aria-hidden), filled in by robots.
    website = forms.CharField(required=False, label=gettext_lazy("网址（请勿填写）"))

    def __init__(self, *args, call: Call, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("请选择"))]
        choices += [(a.pk, a.unit_name) for a in queries.listed_for_objection(call)]
        self.fields["application"].choices = choices

    def clean_name(self):
        name = validation.clean_text(self.cleaned_data["name"]).strip()
        if not name or name.lower() in ANONYMOUS_NAMES:
            raise ValidationError(REAL_NAME, code="anonymous")
        return name

    def clean_organisation(self):
        value = validation.clean_text(self.cleaned_data["organisation"]).strip()
        if not value or value.lower() in ANONYMOUS_NAMES:
            raise ValidationError(REAL_NAME, code="anonymous")
        return value

    def clean_phone(self):
        value = self.cleaned_data["phone"]
        if not value.strip():
            raise ValidationError(REAL_NAME, code="anonymous")
        return validation.normalize_landline(value)

    def clean_email(self):
        value = self.cleaned_data["email"]
        if not value:
            raise ValidationError(REAL_NAME, code="anonymous")
        return validation.normalize_email(value)

    def clean_attachment(self):
        upload = self.cleaned_data.get("attachment")
        if not upload:
            return None
        inspected = uploads.inspect_upload(upload, allowed=uploads.ATTACHMENT_KINDS)
        return NewFile(
            upload=upload,
            original_name=display_filename(upload.name),
            extension=inspected.extension,
        )

    def clean(self):
        if self.data.get("website"):
            raise ValidationError(_("提交未被受理，请刷新页面后重试。"), code="honeypot")
        return super().clean()


def _objection_rate(_group, _request):
    return settings.RATE_LIMITS["objection"]


@require_http_methods(["GET", "POST"])
@ratelimit(group="objection", key="ip", rate=_objection_rate, method="POST")
def objection(request, code):
    call = _call(code)
    now = timezone.now()
    context = {"call": call, "period": _period(call), "in_period": call.is_in_publicity(now)}
    if not context["in_period"]:
        return render(request, "applications/result_objection.html", context)
    form = ObjectionForm(request.POST or None, request.FILES or None, call=call)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            filed = services.objection_file(
                call=call,
                values=services.ObjectionValues(
                    name=data["name"],
                    organisation=data["organisation"],
                    phone=data["phone"],
                    email=data["email"],
                    reason=data["reason"],
                    application_pk=data["application"],
                ),
                attachment=data["attachment"],
                language=translation.get_language() or settings.LANGUAGE_CODE,
                now=now,
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.error_dict.items():
                    for error in errors:
                        form.add_error(field if field in form.fields else None, error)
            else:
                form.add_error(None, exc)
        else:
            return render(
                request, "applications/result_objection_done.html", {**context, "objection": filed}
            )
    status = 400 if request.method == "POST" else 200
    return render(
        request, "applications/result_objection.html", {**context, "form": form}, status=status
    )
