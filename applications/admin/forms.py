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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recommendation"].choices = enums.Recommendation.choices


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
