"""Small forms of the organisers' admin pages: a body's review, a decision, the list order."""

from django import forms
from django.utils.translation import gettext_lazy as _

from applications import enums
from applications.models import Review
from applications.services.decisions import REASON_MAX


class ReviewForm(forms.ModelForm):
    class Meta:
        model = Review
        fields = ["recommendation", "score", "comment"]
        widgets = {
            "recommendation": forms.RadioSelect,
            "score": forms.NumberInput(attrs={"min": 0, "max": 100, "inputmode": "numeric"}),
            "comment": forms.Textarea(attrs={"rows": 5}),
        }
        help_texts = {"score": _("0–100 的整数。")}

    def __init__(self, *args, form_id: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recommendation"].choices = enums.Recommendation.choices
        # Shown inside the admin's own (read-only) change form, where a <form> cannot nest:
        # the fields belong to a form element placed after it, by the form attribute.
        if form_id:
            for field in self.fields.values():
                field.widget.attrs["form"] = form_id


class DecisionForm(forms.Form):
    reason = forms.CharField(
        label=_("理由"),
        required=False,
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, reason_required=False, reason_help="", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = reason_required
        self.fields["reason"].help_text = reason_help
        if reason_required:
            self.fields["reason"].error_messages["required"] = _(
                "会签未达要求，请填写入选理由（将记入审计记录并显示在申报页面）。"
            )


class ListOrderForm(forms.Form):
    """One number per selected application; the list is renumbered 1..n in that order."""

    def __init__(self, *args, applications=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.applications = list(applications)
        for application in self.applications:
            self.fields[f"order_{application.pk}"] = forms.IntegerField(
                label=application.unit_name,
                min_value=1,
                max_value=9999,
                initial=application.list_order,
                widget=forms.NumberInput(attrs={"class": "vIntegerField", "inputmode": "numeric"}),
            )

    def ordered_pks(self) -> list[int]:
        """Application pks sorted by the numbers typed; ties keep the current order."""
        position = {a.pk: i for i, a in enumerate(self.applications)}
        return sorted(
            position,
            key=lambda pk: (self.cleaned_data[f"order_{pk}"], position[pk]),
        )


class CorrectionForm(forms.Form):
    """Taking back a released decision: the correction e-mail, or explicitly none."""

    SEND, NONE = "send", "none"
    notify = forms.ChoiceField(
        label=_("通知申报单位"),
        choices=[(SEND, _("发送更正邮件（内容如下，可修改）")), (NONE, _("不发送邮件"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择是否发送更正邮件。")},
    )
    correction = forms.CharField(
        label=_("更正邮件"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "cols": 70}),
        max_length=2000,
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("notify") == self.SEND and not (cleaned.get("correction") or "").strip():
            self.add_error("correction", _("请填写更正邮件的内容，或选择不发送。"))
        return cleaned

    def correction_or_none(self) -> str:
        """What ``services.decide`` takes: the text to send, or "" for no e-mail."""
        if self.cleaned_data["notify"] == self.NONE:
            return ""
        return self.cleaned_data["correction"].strip()
