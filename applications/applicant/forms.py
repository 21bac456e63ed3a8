"""The 申报表 as one web form, in the sections and order of the paper form."""

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
from applications.models import Application, PendingUpload
from applications.services import (
    ACTION_DRAFT,
    ACTION_SUBMIT,
    APPLICANT_FIELDS,
    ClearFile,
    KeptFile,
    NewFile,
)

PENDING_SALT = "applications.pending-upload"

ATTACHMENT_ACCEPT = (
    ".pdf,.doc,.docx,.jpg,.jpeg,.png,application/pdf,application/msword,"
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document,image/jpeg,image/png"
)
FILE_FIELDS = {
    # name: (allowed kinds, accept attribute)
    "unit_profile_file": (uploads.ATTACHMENT_KINDS, ATTACHMENT_ACCEPT),
    "drafter_resume_file": (uploads.ATTACHMENT_KINDS, ATTACHMENT_ACCEPT),
    # image/* lets a phone offer its camera; iOS converts HEIC photos to JPEG for such a field.
    "seal_scan": (uploads.SEAL_KINDS, "image/*,.pdf,application/pdf"),
}

YES_NO = [("True", gettext_lazy("是")), ("False", gettext_lazy("否"))]

SINGLE_LINE_TEXT = (
    "unit_name",
    "main_business",
    "address",
    "drafter_name",
    "drafter_native_place",
    "drafter_title",
    "drafter_position",
    "responsible_person",
)
MULTI_LINE_TEXT = ("unit_profile", "drafter_resume")
NORMALISED_FIELDS = ("credit_code", "postcode", "drafter_mobile", "drafter_phone", "drafter_fax")
# The order of the page (and of the error summary): the paper form's sections.
PAGE_ORDER = (
    "standards",
    "unit_name",
    "credit_code",
    "unit_type",
    "main_business",
    "industry",
    "address",
    "postcode",
    "unit_profile",
    "unit_profile_file",
    "drafter_name",
    "drafter_gender",
    "drafter_birth_date",
    "drafter_ethnicity",
    "drafter_native_place",
    "drafter_political_status",
    "drafter_title",
    "drafter_position",
    "drafter_mobile",
    "drafter_phone",
    "drafter_fax",
    "drafter_email",
    "drafter_resume",
    "drafter_resume_file",
    "can_attend_meetings",
    "can_provide_funding",
    "can_provide_technical_support",
    "agrees_to_declaration",
    "responsible_person",
    "signed_on",
    "seal_scan",
    "privacy_consent",
    "contact_email",
    "idempotency_key",
)


def _yes_no_field(label):
    return forms.TypedChoiceField(
        label=label,
        choices=YES_NO,
        coerce=lambda value: value == "True",
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )


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
        ch for ch in name if ch.isprintable() and ch not in validation._BIDI_CONTROLS
    ).strip()
    return cleaned[:200] or "file"


EMAIL_ATTRS = {"autocomplete": "email", "autocapitalize": "off", "spellcheck": "false"}


class ApplicationForm(forms.ModelForm):
    """The whole form. ``action`` is "draft" (save what is there) or "submit" (all required).

    Valid files of a submission that failed elsewhere are kept (see ``keep_valid_uploads``)
    and offered again through a signed hidden field, so the applicant never picks them twice.
    """

    can_attend_meetings = _yes_no_field(
        Application._meta.get_field("can_attend_meetings").verbose_name
    )
    can_provide_funding = _yes_no_field(
        Application._meta.get_field("can_provide_funding").verbose_name
    )
    can_provide_technical_support = _yes_no_field(
        Application._meta.get_field("can_provide_technical_support").verbose_name
    )
    unit_profile_file = forms.FileField(
        label=gettext_lazy("单位简介附件（可另附）"), required=False
    )
    drafter_resume_file = forms.FileField(
        label=gettext_lazy("个人简历附件（可另附）"), required=False
    )
    seal_scan = forms.FileField(label=gettext_lazy("盖章扫描件"), required=False)
    idempotency_key = forms.UUIDField(required=False, widget=forms.HiddenInput)

    field_order = PAGE_ORDER

    class Meta:
        model = Application
        fields = ("standards", *APPLICANT_FIELDS)
        widgets = {
            "standards": forms.CheckboxSelectMultiple,
            "unit_type": forms.RadioSelect,
            "drafter_gender": forms.RadioSelect,
            "unit_name": forms.TextInput(attrs={"autocomplete": "organization"}),
            "main_business": forms.TextInput,
            "unit_profile": forms.Textarea(attrs={"rows": 8, "maxlength": 5000}),
            "drafter_resume": forms.Textarea(attrs={"rows": 8, "maxlength": 5000}),
            "drafter_birth_date": forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
            "signed_on": forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
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
            "drafter_email": forms.EmailInput(attrs=EMAIL_ATTRS),
            "contact_email": forms.EmailInput(attrs=EMAIL_ATTRS),
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
                "申报回执、专属链接和评审结果将发送到此邮箱；不填则使用起草人电子邮箱。"
            ),
            "signed_on": gettext_lazy("与纸质申报表上负责人签字、盖章的日期一致。"),
        }

    def __init__(self, *args, call, action: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.call = call
        self.action = action if action in (ACTION_DRAFT, ACTION_SUBMIT) else ACTION_SUBMIT
        if self.instance.pk and self.instance.status == enums.Status.SUBMITTED:
            self.action = ACTION_SUBMIT  # a submitted application stays complete
        self.use_required_attribute = False  # the server decides; drafts may be incomplete
        self._say_what_to_do()
        for name in NORMALISED_FIELDS:
            # Accept what people type ("+86 138-1234-5678"); the model's length applies
            # after normalisation.
            field = self.fields[name]
            field.max_length = 40
            field.validators = [
                v for v in field.validators if not isinstance(v, MaxLengthValidator)
            ]
            field.widget.attrs["maxlength"] = 40
        self.fields["standards"].queryset = call.standards.all()
        self.fields["standards"].required = False
        for name in ("unit_type", "industry", "drafter_gender", "drafter_ethnicity"):
            self.fields[name].choices = [("", _("请选择"))] + [
                c for c in self.fields[name].choices if c[0] != ""
            ]
        self.fields["unit_type"].choices = self.fields["unit_type"].choices[1:]
        self.fields["drafter_gender"].choices = self.fields["drafter_gender"].choices[1:]
        self.fields["drafter_political_status"].choices = [
            ("", _("请选择")),
            *list(enums.PoliticalStatus.choices),
        ]
        # Mark what a submission needs; drafts relax it in clean().
        for name in form_schema.REQUIRED_FOR_SUBMIT:
            self.fields[name].required = True
        self.fields["seal_scan"].help_text = _(
            "将本表填写完整后打印（可用本网站“打印申报表”），由负责人签字并加盖单位公章，"
            "再扫描或用手机拍照上传。支持 PDF、JPG、PNG，不超过 20 MB。"
        )
        for name in ("unit_profile_file", "drafter_resume_file"):
            self.fields[name].help_text = _(
                "选填。支持 PDF、Word（DOC/DOCX）、JPG、PNG，不超过 20 MB。"
            )
        self.pending: dict[str, PendingUpload] = {}
        for name, (_kinds, accept) in FILE_FIELDS.items():
            self.fields[name].widget.attrs["accept"] = accept
            if self.is_bound:
                pending = load_pending(self.data.get(f"{name}_pending", ""), name)
                if pending is not None:
                    self.pending[name] = pending
        if not self.is_bound and not self.initial.get("idempotency_key") and not self.instance.pk:
            self.initial["idempotency_key"] = uuid.uuid4()
        if self.instance.pk:
            del self.fields["idempotency_key"]

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
            if name in SINGLE_LINE_TEXT + MULTI_LINE_TEXT:
                more = (
                    _(
                        "请删减到 %(limit_value)d 字以内（现有 %(show_value)d 字）；"
                        "更多内容可另附文件。"
                    )
                    if name in MULTI_LINE_TEXT
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
            target = f"{bound.auto_id}_0" if grouped else bound.auto_id
            if bound.is_hidden:
                target = ""
            for message in bound.errors:
                items.append({"target": target, "label": bound.label, "message": message})
        return items

    # --- files ------------------------------------------------------------------------------
    def current_file(self, name: str) -> dict | None:
        """What the page shows as already uploaded for ``name``: a kept or a saved file."""
        if name in self.pending:
            return {
                "name": self.pending[name].original_name,
                "pending": sign_pending(self.pending[name]),
            }
        if self.instance.pk and getattr(self.instance, name):
            return {"name": self.instance.original_name(name), "pending": ""}
        return None

    def _clean_file(self, name: str):
        upload = self.cleaned_data.get(name)
        if upload:
            kinds, _accept = FILE_FIELDS[name]
            inspected = uploads.inspect_upload(upload, allowed=kinds, seal_hint=name == "seal_scan")
            return NewFile(
                upload=upload,
                original_name=display_filename(upload.name),
                extension=inspected.extension,
                seal_detected=inspected.seal_detected,
            )
        if name in self.pending:
            return KeptFile(self.pending[name])
        if name != "seal_scan" and self.data.get(f"{name}_clear"):
            return ClearFile()
        return None

    def clean_unit_profile_file(self):
        return self._clean_file("unit_profile_file")

    def clean_drafter_resume_file(self):
        return self._clean_file("drafter_resume_file")

    def clean_seal_scan(self):
        return self._clean_file("seal_scan")

    def _files_present(self) -> dict[str, bool]:
        """Whether each file will be there once saved: new, kept, or saved and not removed."""
        present = {}
        for name in FILE_FIELDS:
            change = self.cleaned_data.get(name)
            saved = bool(self.instance.pk and getattr(self.instance, name))
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

    def keep_valid_uploads(self, create_pending) -> None:
        """After a failed validation: keep each new file that passed its own checks."""
        for name in FILE_FIELDS:
            change = self.cleaned_data.get(name) if hasattr(self, "cleaned_data") else None
            if isinstance(change, NewFile) and name not in self.errors:
                self.pending[name] = create_pending(field_name=name, change=change)

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
        for name in SINGLE_LINE_TEXT + MULTI_LINE_TEXT:
            if name in self.cleaned_data:
                try:
                    self.cleaned_data[name] = validation.clean_text(
                        self.cleaned_data[name], multiline=name in MULTI_LINE_TEXT
                    )
                except ValidationError as exc:
                    self.add_error(name, exc)

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

    def values(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in APPLICANT_FIELDS}

    # --- layout -----------------------------------------------------------------------------
    @property
    def helper(self) -> FormHelper:
        helper = FormHelper(self)
        helper.form_tag = False
        helper.disable_csrf = True
        for name in FILE_FIELDS:
            self.fields[name].current = self.current_file(name)

        def file_field(name):
            return Field(name, template="applications/fields/private_file.html")

        def row(*cells):
            """A Bootstrap row of (field, width in 12ths on medium screens and up)."""
            return Div(
                *(Div(name, css_class=f"col-md-{width}") for name, width in cells),
                css_class="row",
            )

        helper.layout = Layout(
            Fieldset(_("一、标准名称"), "standards", css_id="section-standards"),
            Fieldset(
                _("二、单位信息"),
                row(("unit_name", 8), ("credit_code", 4)),
                "unit_type",
                row(("main_business", 8), ("industry", 4)),
                row(("address", 8), ("postcode", 4)),
                "unit_profile",
                file_field("unit_profile_file"),
                css_id="section-unit",
            ),
            Fieldset(
                _("三、推荐起草人"),
                row(("drafter_name", 4), ("drafter_gender", 4), ("drafter_birth_date", 4)),
                row(
                    ("drafter_ethnicity", 4),
                    ("drafter_native_place", 4),
                    ("drafter_political_status", 4),
                ),
                row(("drafter_title", 4), ("drafter_position", 4), ("drafter_mobile", 4)),
                row(("drafter_phone", 4), ("drafter_fax", 4), ("drafter_email", 4)),
                "drafter_resume",
                file_field("drafter_resume_file"),
                css_id="section-drafter",
            ),
            Fieldset(
                _("四、承诺"),
                InlineRadios("can_attend_meetings"),
                InlineRadios("can_provide_funding"),
                InlineRadios("can_provide_technical_support"),
                css_id="section-commitments",
            ),
            Fieldset(
                _("五、单位意见与盖章"),
                "agrees_to_declaration",
                row(("responsible_person", 6), ("signed_on", 6)),
                file_field("seal_scan"),
                HTML('{% include "applications/_privacy_notice.html" %}'),
                "privacy_consent",
                "contact_email",
                css_id="section-declaration",
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
    )
