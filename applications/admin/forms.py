"""Small forms of the organisers' admin pages: a body's review, a decision, the list order."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from applications import enums, rubric
from applications.models import Review
from applications.services.decisions import REASON_MAX

SELECT_UP_TO = 20  # a scale up to this is a list of whole numbers (a phone's picker)


class ReviewForm(forms.ModelForm):
    """A body's verdict: 推荐/待定/不推荐, a score per criterion of the call's rubric, a comment.

    The weighted total is not typed: ``services.review_save`` derives it; the page shows it
    live (``rubric-total.js``) and after a refusal (``total``). Scores are checked by
    ``rubric.clean_scores``, the service's own check, so both say the same thing.
    """

    class Meta:
        model = Review
        fields = ["recommendation", "comment"]
        widgets = {
            "recommendation": forms.RadioSelect,
            "comment": forms.Textarea(attrs={"rows": 5}),
        }

    def __init__(self, *args, criteria=(), form_id: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        self.fields["recommendation"].choices = enums.Recommendation.choices
        given = {}
        if self.instance.pk:
            given = {s.criterion_id: s.value for s in self.instance.scores.all()}
        for criterion in self.criteria:
            attrs = {
                "data-weight": criterion.weight,
                "data-scale": criterion.scale_max,
                "class": "rubric-score",
            }
            if criterion.scale_max <= SELECT_UP_TO:
                choices = [("", "—")] + [(str(n), str(n)) for n in range(criterion.scale_max + 1)]
                widget: forms.Widget = forms.Select(attrs=attrs, choices=choices)
            else:
                widget = forms.NumberInput(
                    attrs={**attrs, "min": 0, "max": criterion.scale_max, "inputmode": "numeric"}
                )
            self.fields[criterion.field_name] = forms.CharField(
                label=criterion.label,
                required=False,  # rubric.clean_scores says which criterion lacks a score
                widget=widget,
                help_text=_("%(description)s（权重 %(weight)s，0–%(max)s 分）")
                % {
                    "description": criterion.description or "",
                    "weight": criterion.weight,
                    "max": criterion.scale_max,
                },
                initial=None if criterion.pk not in given else str(given[criterion.pk]),
            )
        # Shown inside the admin's own (read-only) change form, where a <form> cannot nest:
        # the fields belong to a form element placed after it, by the form attribute.
        if form_id:
            for field in self.fields.values():
                field.widget.attrs["form"] = form_id

    def score_fields(self):
        return [self[criterion.field_name] for criterion in self.criteria]

    def other_fields(self):
        names = {criterion.field_name for criterion in self.criteria}
        return [field for field in self if field.name not in names]

    def clean(self):
        cleaned = super().clean()
        typed = {c.pk: cleaned.get(c.field_name) for c in self.criteria}
        try:
            self.scores = rubric.clean_scores(self.criteria, typed)
        except ValidationError as exc:
            for field, errors in exc.error_dict.items():
                self.add_error(None if field == "__all__" else field, errors)
        return cleaned

    @property
    def total(self) -> int | None:
        """The weighted total of the scores shown, or None while one is missing or wrong."""
        values = {}
        for criterion in self.criteria:
            bound = self[criterion.field_name]
            text = str(bound.value() if bound.value() is not None else "").strip()
            if not text.isdigit() or int(text) > criterion.scale_max:
                return None
            values[criterion.pk] = int(text)
        if not self.criteria:
            return None
        return rubric.weighted_total(
            rubric.Scored(c.weight, c.scale_max, values[c.pk]) for c in self.criteria
        )


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


def shifted_order(current: list[int], typed: dict[int, int]) -> list[int]:
    """The list after the numbers typed: ``current`` is the list (pks, in order), ``typed``
    each pk's number. A unit whose number changed *moves* to that place and the others shift
    (typing 1 for the third unit makes it first, the first two second and third); units left
    as they were keep their order. Tie rule: two units moved to the same number are placed
    in their earlier order, from that number on. A number past the end means last."""
    moved = sorted(
        (pk for position, pk in enumerate(current, start=1) if typed[pk] != position),
        key=lambda pk: (typed[pk], current.index(pk)),
    )
    result = [pk for pk in current if pk not in moved]
    previous: tuple[int, int] | None = None  # (number, index) of the last unit placed
    for pk in moved:
        index = min(typed[pk] - 1, len(result))
        if previous is not None and previous[0] == typed[pk]:
            index = previous[1] + 1
        result.insert(index, pk)
        previous = (typed[pk], index)
    return result


class ListOrderForm(forms.Form):
    """One number per place on the list, shown as its position 1..n; the list is
    renumbered 1..n after the numbers typed (``shifted_order``)."""

    def __init__(self, *args, applications=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.applications = list(applications)
        for position, application in enumerate(self.applications, start=1):
            self.fields[f"order_{application.pk}"] = forms.IntegerField(
                label=application.unit_name,
                min_value=1,
                max_value=9999,
                initial=position,
                widget=forms.NumberInput(attrs={"class": "vIntegerField", "inputmode": "numeric"}),
            )

    def ordered_pks(self) -> list[int]:
        """Application pks in their new order (see ``shifted_order`` for the tie rule)."""
        current = [a.pk for a in self.applications]
        return shifted_order(current, {pk: self.cleaned_data[f"order_{pk}"] for pk in current})


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


class ConflictDeclareForm(forms.Form):
    """A reviewer declares a conflict (回避) of their body, or of one of its people."""

    BODY, PERSON = "body", "person"
    whom = forms.ChoiceField(
        label=_("回避的是"),
        choices=[(BODY, _("本单位（整个评审单位回避）")), (PERSON, _("本单位的一位人员"))],
        initial=BODY,
        widget=forms.RadioSelect,
    )
    person_name = forms.CharField(label=_("人员姓名"), required=False, max_length=50)
    relation = forms.CharField(
        label=_("与申报单位的关系"),
        required=False,
        max_length=100,
        help_text=_("如“曾任该单位顾问”。"),
    )
    reason = forms.CharField(
        label=_("理由"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("请写明回避的理由。")},
    )

    def __init__(self, *args, form_id: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        if form_id:  # inside the admin's own change form: see ReviewForm
            for field in self.fields.values():
                field.widget.attrs["form"] = form_id

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("whom") == self.PERSON and not (cleaned.get("person_name") or "").strip():
            self.add_error("person_name", _("请填写需回避人员的姓名。"))
        if cleaned.get("whom") == self.BODY:
            cleaned["person_name"] = cleaned["relation"] = ""
        return cleaned


class ConflictRemoveForm(forms.Form):
    removal_reason = forms.CharField(
        label=_("解除理由"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("请写明解除回避的理由。")},
    )
