"""The 申报表 as one web form, in the sections and order of the paper form."""

import datetime as dt
import uuid

from crispy_forms.bootstrap import InlineRadios
from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Field, Fieldset, Layout
from django import forms
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from applications import enums, form_schema, queries, uploads, validation
from applications.form_schema import Kind
from applications.models import Application, PendingUpload, Question, QuestionKind
from applications.services import (
    ACTION_DRAFT,
    ACTION_SUBMIT,
    ClearFile,
    KeptFile,
    NewFile,
)

PENDING_SALT = "applications.pending-upload"

ATTACHMENT_ACCEPT = (
    ".pdf,.doc,.docx,.jpg,.jpeg,.png,application/pdf,application/msword,"
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document,image/jpeg,image/png"
)
SEAL_FIELD = "seal_scan"  # the stamped form: PDF or a photo, looked at for a red seal
FILE_FIELDS = {
    # name: (allowed kinds, accept attribute)
    # image/* lets a phone offer its camera; iOS converts HEIC photos to JPEG for such a field.
    name: (uploads.SEAL_KINDS, "image/*,.heic,.heif,.pdf,application/pdf")
    if name == SEAL_FIELD
    else (uploads.ATTACHMENT_KINDS, ATTACHMENT_ACCEPT)
    for name in form_schema.FILE_FIELDS
}

YES_NO = [("True", gettext_lazy("是")), ("False", gettext_lazy("否"))]

# The fields a draft saves as typed even when not yet valid (``_keep_unfinished``): typed
# values, except what a draft itself needs.
UNFINISHED_ALLOWED = frozenset(
    field.name
    for field in form_schema.FIELDS
    if field.kind in (Kind.LINE, Kind.TEXT, Kind.NUMBER, Kind.EMAIL, Kind.DATE)
    and field.name not in form_schema.REQUIRED_FOR_DRAFT
)
# Refused even in a draft: what is too long (the page counts as one types; nothing is cut
# or kept beyond the limit) and control characters (a paste gone wrong, or a probe).
KEEP_REFUSING = frozenset({"max_length", "control_characters", "email_control_characters"})

# The order of the page (and of the error summary): the 申报表 as form_schema declares it.
PAGE_ORDER = (*form_schema.NAMES, "idempotency_key")
TEXT_KINDS = (Kind.LINE, Kind.TEXT)
# Shown just before a field of the form.
INTRODUCED_BY = {
    "privacy_consent": HTML('{% include "applications/_privacy_notice.html" %}'),
}


def _yes_no_field(label):
    return forms.TypedChoiceField(
        label=label,
        choices=YES_NO,
        coerce=lambda value: value == "True",
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )


ANSWER_TEXT_MAX = {QuestionKind.SHORT_TEXT: 200, QuestionKind.LONG_TEXT: 2000}
ANSWER_NUMBER_MAX = 10**12


def question_field(question: Question) -> forms.Field:
    """The form field of one of the call's own questions (``q_<pk>``), checked on the server
    like every other field; required only on submission (``ApplicationForm.clean``)."""
    kind = question.kind
    options = [(option, option) for option in question.option_list]
    common = {"label": question.localized_label, "help_text": question.localized_help}
    if kind == QuestionKind.LONG_TEXT:
        limit = ANSWER_TEXT_MAX[kind]
        widget = forms.Textarea(attrs={"rows": 4, "maxlength": limit})
        return forms.CharField(max_length=limit, widget=widget, **common)
    if kind == QuestionKind.SINGLE_CHOICE:
        return forms.ChoiceField(choices=options, widget=forms.RadioSelect, **common)
    if kind == QuestionKind.MULTIPLE_CHOICE:
        return forms.MultipleChoiceField(
            choices=options, widget=forms.CheckboxSelectMultiple, **common
        )
    if kind == QuestionKind.YES_NO:
        field = _yes_no_field(common["label"])
        field.help_text = common["help_text"]
        return field
    if kind == QuestionKind.DATE:
        return forms.DateField(widget=KIND_WIDGETS[Kind.DATE], **common)
    if kind == QuestionKind.FILE:
        # what a file question takes: the attachments' kinds, checked as theirs are
        kinds = _("支持 PDF、Word（DOC/DOCX）、JPG、PNG，不超过 20 MB。")
        help_text = f"{common['help_text']} {kinds}" if common["help_text"] else kinds
        return forms.FileField(label=common["label"], help_text=help_text)
    if kind == QuestionKind.NUMBER:
        return forms.IntegerField(
            min_value=-ANSWER_NUMBER_MAX,
            max_value=ANSWER_NUMBER_MAX,
            widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
            **common,
        )
    limit = ANSWER_TEXT_MAX[QuestionKind.SHORT_TEXT]
    return forms.CharField(
        max_length=limit, widget=forms.TextInput(attrs={"maxlength": limit}), **common
    )


def answer_value(question: Question, value):
    """A cleaned answer as ``extra_answers`` keeps it (JSON): a date as ISO text."""
    if value in (None, "", []):
        return None
    if question.kind == QuestionKind.DATE:
        return value.isoformat()
    return value


def sign_pending(pending: PendingUpload) -> str:
    return signing.dumps({"id": str(pending.pk), "f": pending.field_name}, salt=PENDING_SALT)


def load_pending(token: str, field_name: str) -> PendingUpload | None:
    """The kept upload a re-rendered form refers to, if the reference is genuine and recent."""
    if not token:
        return None
    try:
        data = signing.loads(
            token, salt=PENDING_SALT, max_age=settings.PENDING_UPLOAD_MAX_AGE_HOURS * 3600
        )
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("f") != field_name:
        return None
    try:
        return PendingUpload.objects.filter(pk=uuid.UUID(str(data.get("id")))).first()
    except ValueError:
        return None


def display_filename(name: str) -> str:
    """The original file name without any path, control or bidi characters."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(
        ch for ch in name if ch.isprintable() and ch not in validation.BIDI_CONTROLS
    ).strip()
    return cleaned[:200] or "file"


class LongTextField(forms.CharField):
    """A text of the 申报表 (``Kind.TEXT``): line breaks become one "\\n" before the length is
    counted (a browser sends "\\r\\n", and counted one), and the text keeps its leading
    indent (``validation.clean_text`` trims the rest). Its box has no ``maxlength``, which
    would cut a paste silently: the page counts as one types, the server refuses with a
    message, and nothing is ever cut."""

    def __init__(self, **kwargs):
        kwargs["strip"] = False
        super().__init__(**kwargs)
        self.widget.attrs.pop("maxlength", None)
        if self.max_length is not None:
            self.widget.attrs["data-maxlength"] = str(self.max_length)

    def to_python(self, value):
        return super().to_python(
            validation.normalize_line_breaks(value) if isinstance(value, str) else value
        )


EMAIL_ATTRS = {"autocomplete": "email", "autocapitalize": "off", "spellcheck": "false"}
# The widget of each kind of field, where Django's default for the model field is not it.
KIND_WIDGETS = {
    Kind.STANDARDS: forms.CheckboxSelectMultiple,
    Kind.TEXT: forms.Textarea(attrs={"rows": 8}),
    Kind.DATE: forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    Kind.EMAIL: forms.EmailInput(attrs=EMAIL_ATTRS),
}


def _years_before(day: dt.date, years: int) -> dt.date:
    """The same day ``years`` earlier (28 February for a 29th in a common year)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def summary_line(label: str, message: str) -> dict[str, str]:
    """One line of the error summary: the label, then the message, except where the message
    already names the field ("统一社会信用代码应为…": the label once is enough); no colon
    after a label that ends in its own punctuation (an English question's "?:")."""
    if label and label.rstrip("*").strip() in message:
        return {"label": "", "message": message}
    separator = "" if label[-1:] in ".?!:。？！：" else _("：")
    return {"label": label, "separator": separator, "message": message}


class BirthDateWidget(forms.SelectDateWidget):
    """The drafter's birth date as 年 / 月 / 日 lists (issue 19, item 18), each list named
    for screen readers; the label points at the first. A partly chosen date comes back as
    the pseudo-date Django makes of it ("1975-0-0"), refused with its own message."""

    NAMES = {
        "year": gettext_lazy("出生年份"),
        "month": gettext_lazy("出生月份"),
        "day": gettext_lazy("出生日"),
    }

    def __init__(self, years):
        super().__init__(
            years=years,
            empty_label=(gettext_lazy("年"), gettext_lazy("月"), gettext_lazy("日")),
            attrs={"class": "form-select birth-date-part"},
        )

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        whole = context["widget"]["attrs"]
        for part in context["widget"]["subwidgets"]:
            suffix = part["name"].rsplit("_", 1)[-1]
            part["attrs"]["aria-label"] = str(self.NAMES[suffix])
            if whole.get("aria-invalid") and whole.get("id"):
                # each list, not only the group, points to the message under it
                part["attrs"]["aria-describedby"] = f"{whole['id']}_error"
        return context


class ApplicationForm(forms.ModelForm):
    """The whole form. ``action`` is "draft" (save what is there) or "submit" (all required).

    Valid files of a submission that failed elsewhere are kept (see ``keep_valid_uploads``)
    and offered again through a signed hidden field, so the applicant never picks them twice.
    """

    idempotency_key = forms.UUIDField(required=False, widget=forms.HiddenInput)

    field_order = PAGE_ORDER

    class Meta:
        model = Application
        fields = ("standards", *form_schema.VALUE_FIELDS)
        field_classes = {
            field.name: LongTextField for field in form_schema.FIELDS if field.kind is Kind.TEXT
        }
        widgets = {
            **{
                field.name: KIND_WIDGETS[field.kind]
                for field in form_schema.FIELDS
                if field.kind in KIND_WIDGETS
            },
            "unit_type": forms.RadioSelect,
            "drafter_gender": forms.RadioSelect,
            "unit_name": forms.TextInput(attrs={"autocomplete": "organization"}),
            "main_business": forms.TextInput,
            "postcode": forms.TextInput(
                attrs={"inputmode": "numeric", "maxlength": 6, "autocomplete": "postal-code"}
            ),
            "credit_code": forms.TextInput(
                attrs={"maxlength": 22, "autocapitalize": "characters", "spellcheck": "false"}
            ),
            "drafter_mobile": forms.TextInput(
                attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel"}
            ),
            "drafter_phone": forms.TextInput(attrs={"type": "tel", "inputmode": "tel"}),
            "drafter_fax": forms.TextInput(attrs={"type": "tel", "inputmode": "tel"}),
        }
        labels = {
            "privacy_consent": gettext_lazy(
                "我已阅读上述个人信息处理说明，推荐起草人同意按说明处理其个人信息"
            ),
        }
        help_texts = {
            "standards": gettext_lazy("可选择一项或多项。"),
            "credit_code": gettext_lazy(
                "18 位，见营业执照、事业单位法人证书或社会团体法人登记证书。"
            ),
            "unit_profile": gettext_lazy("不超过 5000 字；更多材料可在下方另附文件。"),
            "drafter_resume": gettext_lazy("不超过 5000 字；更多材料可在下方另附文件。"),
            "drafter_phone": gettext_lazy("固定电话请带区号，如 010-66094072；也可填手机。"),
            "drafter_fax": gettext_lazy("选填，格式同固定电话。"),
            "contact_email": gettext_lazy(
                "选填。申报回执、专属链接和评审结果将发送到此邮箱；不填则使用起草人电子邮箱"
                "（两者至少填一个）。"
            ),
            "signed_on": gettext_lazy("与纸质申报表上负责人签字、盖章的日期一致。"),
        }

    def __init__(self, *args, call, action: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        for field in form_schema.FIELDS:
            if field.kind is Kind.YES_NO:
                self.fields[field.name] = _yes_no_field(Application.label(field.name))
            elif field.kind is Kind.FILE:
                label = Application.label(field.name)
                self.fields[field.name] = forms.FileField(label=label, required=False)
            elif field.kind is Kind.BODIES:
                self.fields[field.name] = forms.TypedMultipleChoiceField(
                    label=Application.label(field.name),
                    help_text=Application._meta.get_field(field.name).help_text,
                    coerce=int,
                    required=False,
                    choices=[(body.pk, body.name) for body in call.organising_bodies.all()],
                    widget=forms.CheckboxSelectMultiple,
                )
        self.call = call
        self.questions = [q for q in call.questions.all() if not q.hidden]
        answers = self.instance.extra_answers if self.instance.pk else {}
        # The form's file inputs: the 申报表's attachments, then the call's file questions.
        self.file_fields = dict(FILE_FIELDS)
        self.file_questions = {q.key: q for q in self.questions if q.kind == QuestionKind.FILE}
        for question in self.questions:
            self.fields[question.key] = question_field(question)
            self.fields[question.key].required = question.required
            if question.kind == QuestionKind.FILE:
                self.file_fields[question.key] = (uploads.ATTACHMENT_KINDS, ATTACHMENT_ACCEPT)
            elif str(question.pk) in answers:
                self.initial[question.key] = answers[str(question.pk)]
        self.order_fields(self._page_order())
        self.action = action if action in (ACTION_DRAFT, ACTION_SUBMIT) else ACTION_SUBMIT
        if self.instance.pk and self.instance.status == enums.Status.SUBMITTED:
            self.action = ACTION_SUBMIT  # a submitted application stays complete
        self.use_required_attribute = False  # the server decides; drafts may be incomplete
        self._say_what_to_do()
        for field in form_schema.FIELDS:
            if field.kind is Kind.NUMBER:
                # Accept what people type ("+86 138-1234-5678"); the model's length applies
                # after normalisation.
                number = self.fields[field.name]
                number.max_length = 40
                number.validators = [
                    v for v in number.validators if not isinstance(v, MaxLengthValidator)
                ]
                number.widget.attrs["maxlength"] = 40
            elif field.kind is Kind.EMAIL:
                self.fields[field.name].validators.append(validation.validate_email_characters)
            elif field.kind in (Kind.CHOICE, Kind.CODE):
                # Radio buttons start with none picked; a list starts with "please choose".
                choice = self.fields[field.name]
                choices = [c for c in choice.choices if c[0] != ""]
                if not isinstance(choice.widget, forms.RadioSelect):
                    choices.insert(0, ("", _("请选择")))
                choice.choices = choices
        self.fields["standards"].queryset = call.standards.all()
        # 年 / 月 / 日 as three lists, the years those a drafter can be born in (18 to 100):
        # a phone's calendar opens at today and would be scrolled back decades.
        today = timezone.localdate()
        birth = self.fields["drafter_birth_date"]
        birth.widget = BirthDateWidget(
            years=range(
                _years_before(today, validation.DRAFTER_MIN_AGE).year,
                _years_before(today, validation.DRAFTER_MAX_AGE + 1).year - 1,
                -1,
            )
        )
        birth.error_messages["invalid"] = _("请选择完整的出生年、月、日。")
        # Mark what a submission needs; drafts relax it in clean().
        for name in form_schema.REQUIRED_FOR_SUBMIT:
            self.fields[name].required = True
        # Optional as its help says: left empty, the drafter's e-mail is used (clean()).
        self.fields["contact_email"].required = False
        self.fields[SEAL_FIELD].help_text = _(
            "将本表填写完整后打印（可用本网站“打印申报表”），由负责人签字并加盖单位公章，"
            "再扫描或用手机拍照上传。支持 PDF、JPG、PNG、HEIC，不超过 20 MB。"
            "每页右上角的二维码用于核对盖章表与在线内容是否一致，请拍全每一页。"
        )
        # Set by the view when the service refused a stale scan (code "stale_scan").
        self.fields[SEAL_FIELD].confirm_stale = False
        for name in FILE_FIELDS:
            if name != SEAL_FIELD:
                self.fields[name].help_text = _(
                    "选填。支持 PDF、Word（DOC/DOCX）、JPG、PNG，不超过 20 MB。"
                )
        self.pending: dict[str, PendingUpload] = {}
        for name, (kinds, accept) in self.file_fields.items():
            self.fields[name].widget.attrs["accept"] = accept
            # What the page checks the moment a file is chosen (the server still decides).
            infos = [uploads.ALLOWED_KINDS[kind] for kind in sorted(kinds)]
            self.fields[name].file_check = {
                "max_bytes": settings.UPLOAD_MAX_BYTES,
                "extensions": ",".join(ext for info in infos for ext in info.extensions),
                "kinds": "、".join(str(info.label) for info in infos),
            }
            if self.is_bound:
                pending = load_pending(self.data.get(f"{name}_pending", ""), name)
                if pending is not None:
                    self.pending[name] = pending
        if not self.is_bound and not self.initial.get("idempotency_key") and not self.instance.pk:
            self.initial["idempotency_key"] = uuid.uuid4()
        if self.instance.pk:
            del self.fields["idempotency_key"]
            for name, kept in self.instance.unfinished.items():
                if name in self.fields:  # what a draft kept as typed, to finish
                    self.initial[name] = kept.get("value", "")
        self.unfinished: dict[str, dict[str, str]] = {}
        # The unit or drafter another application already has (what ``clean`` refused):
        # the view mails that application's contact.
        self.duplicates: list[dict[str, str]] = []

    def _page_order(self) -> list[str]:
        """The fixed fields in schema order, each question after the last field of its
        section (the error summary lists them in this order too)."""
        order: list[str] = []
        for section in form_schema.SECTIONS:
            order += [field.name for field in section.fields]
            order += [q.key for q in self.questions if q.after_section == section.key]
        return [*order, "idempotency_key"]

    def answers(self) -> dict[str, object]:
        """The answers to the questions asked, kept with those of hidden questions."""
        kept = dict(self.instance.extra_answers) if self.instance.pk else {}
        for question in self.questions:
            if question.kind == QuestionKind.FILE:
                continue  # named by the service, with the file (``answer_file_changes``)
            value = answer_value(question, self.cleaned_data.get(question.key))
            if value is None:
                kept.pop(str(question.pk), None)
            else:
                kept[str(question.pk)] = value
        return kept

    def _say_what_to_do(self) -> None:
        """Django's generic messages, reworded to tell the applicant what to do."""
        for name, field in self.fields.items():
            if isinstance(field, forms.EmailField):
                field.error_messages["invalid"] = _(
                    "请填写完整的电子邮箱地址，如 name@example.com。"
                )
            elif isinstance(field, forms.DateField):
                field.error_messages["invalid"] = _(
                    "请按“年-月-日”填写日期，如 1980-05-20，或用日期选择器选择。"
                )
            elif isinstance(field, forms.ChoiceField | forms.ModelMultipleChoiceField):
                field.error_messages["invalid_choice"] = _(
                    "所选的项目不在列表中，请从列表中重新选择。"
                )
                field.error_messages["invalid_pk_value"] = _(
                    "所选的项目不在列表中，请从列表中重新选择。"
                )
            kind = form_schema.BY_NAME[name].kind if name in form_schema.BY_NAME else None
            if kind in TEXT_KINDS:
                more = (
                    _(
                        "请删减到 %(limit_value)d 字以内（现有 %(show_value)d 字）；"
                        "更多内容可另附文件。"
                    )
                    if kind is Kind.TEXT
                    else _("请删减到 %(limit_value)d 字以内（现有 %(show_value)d 字）。")
                )
                field.validators = [
                    MaxLengthValidator(v.limit_value, message=more)
                    if isinstance(v, MaxLengthValidator)
                    else v
                    for v in field.validators
                ]

    def error_summary(self) -> list[dict]:
        """The errors in page order: the id to jump to, the field's label and the message."""
        items = [{"target": "", "label": "", "message": e} for e in self.non_field_errors()]
        for bound in self:
            widget = bound.field.widget
            grouped = isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple)
            target = f"{bound.auto_id}_0" if grouped else widget.id_for_label(bound.auto_id)
            if bound.is_hidden:
                target = ""
            for message in bound.errors:
                items.append({"target": target, **summary_line(str(bound.label), str(message))})
        return items

    # --- files ------------------------------------------------------------------------------
    def current_file(self, name: str) -> dict | None:
        """What the page shows as already uploaded for ``name``: a kept or a saved file."""
        if name in self.pending:
            return {
                "name": self.pending[name].original_name,
                "pending": sign_pending(self.pending[name]),
            }
        if name in self.file_questions:
            saved = self._saved_answer_file(name)
            return {"name": saved.original_name, "pending": ""} if saved else None
        if self.instance.pk and getattr(self.instance, name):
            return {"name": self.instance.original_name(name), "pending": ""}
        return None

    def _saved_answer_file(self, name: str):
        """The file already answering the file question ``name`` (``q_<pk>``), if any."""
        if not self.instance.pk:
            return None
        if not hasattr(self, "_answer_files"):
            self._answer_files = {
                f"q_{row.question_id}": row for row in self.instance.answer_files.all()
            }
        return self._answer_files.get(name)

    def _has_saved_file(self, name: str) -> bool:
        if name in self.file_questions:
            return self._saved_answer_file(name) is not None
        return bool(self.instance.pk and getattr(self.instance, name))

    def _removable(self, name: str) -> bool:
        """An optional file can be removed; one a submission needs only replaced."""
        if name in self.file_questions:
            return not self.file_questions[name].required
        return not form_schema.BY_NAME[name].submit

    def _clean_file(self, name: str):
        upload = self.cleaned_data.get(name)
        if upload:
            kinds, _accept = self.file_fields[name]
            # The red-seal hint is a job of the worker once saved (applications/seal_jobs.py).
            seal = name == SEAL_FIELD
            inspected = uploads.inspect_upload(upload, allowed=kinds, keep_picture=seal)
            # The version stamps are read here, in the request: the page after the upload
            # says at once whether the scan matches (about a second at most; bench/qr_check.py).
            # A photo is decoded once, by the check; the reader reads its picture.
            stamps = uploads.read_stamps(upload, inspected.kind, inspected.picture) if seal else []
            return NewFile(
                upload=upload,
                original_name=display_filename(upload.name),
                extension=inspected.extension,
                seal_detected=inspected.seal_detected,
                stamps=tuple(stamps),
            )
        if name in self.pending:
            return KeptFile(self.pending[name])
        # A file a submission needs (the seal scan) can be replaced, never removed.
        if self._removable(name) and self.data.get(f"{name}_clear"):
            return ClearFile()
        return None

    def _files_present(self) -> dict[str, bool]:
        """Whether each file will be there once saved: new, kept, or saved and not removed."""
        present = {}
        for name in self.file_fields:
            change = self.cleaned_data.get(name)
            saved = self._has_saved_file(name)
            present[name] = isinstance(change, NewFile | KeptFile) or (
                saved and not isinstance(change, ClearFile)
            )
        return present

    def file_changes(self) -> dict:
        return {
            name: self.cleaned_data[name]
            for name in FILE_FIELDS
            if self.cleaned_data.get(name) is not None
        }

    def answer_file_changes(self) -> dict:
        """The files answering the call's file questions, by the question's pk."""
        return {
            question.pk: self.cleaned_data[name]
            for name, question in self.file_questions.items()
            if self.cleaned_data.get(name) is not None
        }

    @property
    def file_refused(self) -> bool:
        """A chosen file failed its checks: it is not kept, and must be chosen again."""
        return any(name in self.errors for name in self.file_fields)

    @property
    def storage_failed(self) -> bool:
        """A file could not be stored (the storage did not answer): it must be picked again."""
        return any(self.has_error(name, "storage_unavailable") for name in self.file_fields)

    def keep_valid_uploads(self, create_pending) -> None:
        """After a failed validation: keep each new file that passed its own checks."""
        for name in self.file_fields:
            change = self.cleaned_data.get(name) if hasattr(self, "cleaned_data") else None
            if isinstance(change, NewFile) and name not in self.errors:
                try:
                    self.pending[name] = create_pending(field_name=name, change=change)
                except ValidationError as exc:  # the storage is unavailable: pick it again
                    self.add_error(name, exc)

    # --- fields -----------------------------------------------------------------------------
    def clean_credit_code(self):
        value = self.cleaned_data.get("credit_code", "")
        return validation.normalize_credit_code(value) if value.strip() else ""

    def clean_postcode(self):
        value = self.cleaned_data.get("postcode", "")
        return validation.normalize_postcode(value) if value.strip() else ""

    def clean_drafter_mobile(self):
        value = self.cleaned_data.get("drafter_mobile", "")
        return validation.normalize_mobile(value) if value.strip() else ""

    def clean_drafter_phone(self):
        value = self.cleaned_data.get("drafter_phone", "")
        return validation.normalize_landline(value) if value.strip() else ""

    def clean_drafter_fax(self):
        value = self.cleaned_data.get("drafter_fax", "")
        return validation.normalize_landline(value, allow_mobile=False) if value.strip() else ""

    def clean_drafter_birth_date(self):
        value = self.cleaned_data.get("drafter_birth_date")
        if value:
            validation.validate_birth_date(value, today=timezone.localdate())
        return value

    def clean_signed_on(self):
        value = self.cleaned_data.get("signed_on")
        if value:
            validation.validate_not_future(value, today=timezone.localdate())
        return value

    def _full_clean_text(self):
        for field in form_schema.FIELDS:
            if field.kind in TEXT_KINDS and field.name in self.cleaned_data:
                try:
                    self.cleaned_data[field.name] = validation.clean_text(
                        self.cleaned_data[field.name], multiline=field.kind is Kind.TEXT
                    )
                except ValidationError as exc:
                    self.add_error(field.name, exc)

    def clean(self):
        cleaned = super().clean()
        self._full_clean_text()
        if not cleaned.get("contact_email") and cleaned.get("drafter_email"):
            cleaned["contact_email"] = cleaned["drafter_email"]
        # Only the draft minimum is required by the field definitions' "required" flags
        # for display; relax them here and enforce what the action needs.
        if self.action == ACTION_SUBMIT:
            missing = validation.missing_for_submit({**cleaned, **self._files_present()})
        else:
            missing = {
                name: ValidationError(_("保存草稿至少需要填写此项。"), code="required")
                for name in form_schema.REQUIRED_FOR_DRAFT
                if not cleaned.get(name)
            }
        if self.action == ACTION_SUBMIT:
            present = self._files_present()
            for question in self.questions:
                if question.kind == QuestionKind.FILE:
                    answered = present.get(question.key, False)
                else:
                    answered = cleaned.get(question.key) not in (None, "", [])
                if question.required and not answered:
                    missing[question.key] = ValidationError(
                        _("提交前请回答此问题。"), code="required"
                    )
        for name, error in missing.items():
            if name not in self.errors:
                self.add_error(name, error)
        exclude_pk = self.instance.pk
        if cleaned.get("credit_code") and "credit_code" not in self.errors:
            try:
                validation.validate_credit_code_free(
                    taken=queries.credit_code_taken(
                        call=self.call, credit_code=cleaned["credit_code"], exclude_pk=exclude_pk
                    )
                )
            except ValidationError as exc:
                self.duplicates.append({"credit_code": cleaned["credit_code"]})
                self.add_error("credit_code", exc)
        if cleaned.get("drafter_mobile") and "drafter_mobile" not in self.errors:
            try:
                validation.validate_drafter_free(
                    taken=queries.drafter_taken(
                        call=self.call,
                        drafter_name=cleaned.get("drafter_name", ""),
                        drafter_mobile=cleaned["drafter_mobile"],
                        exclude_pk=exclude_pk,
                    )
                )
            except ValidationError as exc:
                self.duplicates.append(
                    {
                        "drafter_name": cleaned.get("drafter_name", ""),
                        "drafter_mobile": cleaned["drafter_mobile"],
                    }
                )
                self.add_error("drafter_mobile", exc)
        return cleaned

    def _clean_fields(self):
        # "required" marks (with an asterisk) what a submission needs; clean() enforces what
        # the action needs, so no field refuses an empty value on its own.
        marked = {name for name, field in self.fields.items() if field.required}
        for field in self.fields.values():
            field.required = False
        try:
            super()._clean_fields()
        finally:
            for name in marked:
                self.fields[name].required = True
        for name in self.file_fields:
            if name in self.cleaned_data:
                try:
                    self.cleaned_data[name] = self._clean_file(name)
                except ValidationError as exc:
                    self.add_error(name, exc)
        if self.action == ACTION_DRAFT:
            self._keep_unfinished()

    def _keep_unfinished(self) -> None:
        """A draft saves what was typed: a value that fails its field's checks is kept as
        typed (``Application.unfinished``, with the message) instead of refusing the draft;
        only a submission insists. What a draft itself needs (the unit's name, the contact
        address the private link goes to) must still be right."""
        for name in list(self._errors):
            codes = {error.code for error in self._errors.as_data()[name]}
            if name not in UNFINISHED_ALLOWED or codes & KEEP_REFUSING:
                continue
            # as the widget reads it: the birth date's lists give "1975-0-0", shown again so
            raw = self.fields[name].widget.value_from_datadict(
                self.data, self.files, self.add_prefix(name)
            )
            raw = raw if isinstance(raw, str) else ""
            self.unfinished[name] = {
                "value": raw,
                "message": " ".join(str(m) for m in self._errors.pop(name)),
            }
            kind = form_schema.BY_NAME[name].kind
            self.cleaned_data[name] = (
                None if kind is Kind.DATE else [] if kind is Kind.BODIES else ""
            )

    def values(self) -> dict:
        values = {name: self.cleaned_data.get(name) for name in form_schema.VALUE_FIELDS}
        return {**values, "extra_answers": self.answers(), "unfinished": self.unfinished}

    def unfinished_summary(self) -> list[dict]:
        """What a saved draft kept as typed and must be fixed before submitting."""
        kept = self.instance.unfinished if self.instance.pk and not self.is_bound else {}
        return [
            {
                "target": self.fields[name].widget.id_for_label(self[name].auto_id),
                **summary_line(str(self.fields[name].label), kept[name]["message"]),
            }
            for name in self.fields
            if name in kept
        ]

    # --- layout -----------------------------------------------------------------------------
    @property
    def helper(self) -> FormHelper:
        helper = FormHelper(self)
        helper.form_tag = False
        helper.disable_csrf = True
        for name in self.file_fields:
            self.fields[name].current = self.current_file(name)

        def cell(field: form_schema.Field):
            if field.kind is Kind.FILE:
                return Field(field.name, template="applications/fields/private_file.html")
            if field.kind is Kind.YES_NO:
                return InlineRadios(field.name)
            return field.name

        def rows(section: form_schema.Section):
            for row in section.rows:
                for field in row.fields:
                    if field.name in INTRODUCED_BY:
                        yield INTRODUCED_BY[field.name]
                if len(row.fields) == 1 and row.fields[0].web_width == 12:
                    yield cell(row.fields[0])
                else:  # a Bootstrap row: each field its width in 12ths, medium screens and up
                    yield Div(
                        *(Div(cell(f), css_class=f"col-md-{f.web_width}") for f in row.fields),
                        css_class="row",
                    )

        def questions(section: form_schema.Section):
            for question in self.questions:
                if question.after_section == section.key:
                    if question.kind == QuestionKind.YES_NO:
                        yield InlineRadios(question.key)
                    elif question.kind == QuestionKind.FILE:
                        yield Field(question.key, template="applications/fields/private_file.html")
                    else:
                        yield question.key

        helper.layout = Layout(
            *(
                Fieldset(
                    section.title,
                    *rows(section),
                    *questions(section),
                    css_id=f"section-{section.key}",
                )
                for section in form_schema.SECTIONS
            ),
            "idempotency_key",
        )
        if self.instance.pk:
            helper.layout.fields.pop()  # no idempotency key when editing
        return helper


class ResendLinkForm(forms.Form):
    email = forms.EmailField(
        label=gettext_lazy("联系邮箱"),
        help_text=gettext_lazy("填写申报时留下的联系邮箱。"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        validators=[validation.validate_email_characters],
    )
