"""One unit's 申报表 for one call.

Field names are the contract of ``shared/docs/data-dictionary.md``: forms, exports and tests
use them as they are. Only services (``applications.services``) change ``status``.
"""

from typing import TYPE_CHECKING

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from applications import enums, workflow
from applications.models.call import Call, Standard
from applications.storage import private_storage, private_upload_to

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

LONG_TEXT_MAX = 5000  # 单位简介 and 个人简历; more goes into an attached file


class Application(models.Model):
    """One unit's 申报表 for one call, from draft to decision."""

    call = models.ForeignKey(
        Call, on_delete=models.PROTECT, related_name="applications", verbose_name=_("征集")
    )
    reference = models.CharField(_("申报编号"), max_length=40, unique=True, editable=False)
    status = models.CharField(
        _("状态"),
        max_length=20,
        choices=enums.Status.choices,
        default=enums.Status.DRAFT,
        editable=False,
        db_index=True,
    )
    # sha256 of the private link's token; the token itself is never stored.
    access_token_hash = models.CharField(max_length=64, unique=True, editable=False)
    # The hidden key of the form page that created this application: a replayed POST
    # (double click, reload, back button) finds it instead of creating a second one.
    idempotency_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    # 1. 标准名称
    standards = models.ManyToManyField(
        Standard, verbose_name=_("申报标准"), related_name="applications", blank=True
    )

    # 2. 单位信息
    unit_name = models.CharField(_("单位名称"), max_length=200)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    unit_type = models.CharField(
        _("单位性质"), max_length=30, choices=enums.UnitType.choices, blank=True
    )
    main_business = models.CharField(_("主营业务"), max_length=500, blank=True)
    industry = models.CharField(
        _("所属行业"), max_length=1, choices=enums.Industry.choices, blank=True
    )
    address = models.CharField(_("通讯地址"), max_length=300, blank=True)
    postcode = models.CharField(_("邮政编码"), max_length=6, blank=True)
    unit_profile = models.TextField(
        _("单位简介，经营业绩、服务与管理成果"),
        blank=True,
        max_length=LONG_TEXT_MAX,
        validators=[MaxLengthValidator(LONG_TEXT_MAX)],
    )
    unit_profile_file = models.FileField(
        _("单位简介附件（可另附）"),
        storage=private_storage,
        upload_to=private_upload_to,
        blank=True,
        max_length=200,
    )
    unit_profile_file_name = models.CharField(max_length=255, blank=True, editable=False)
    # 回避: the applicant's own word on a relation to the call's organising bodies (their pks),
    # recorded as the bodies' conflicts when the application is submitted.
    related_bodies = models.JSONField(
        _("与牵头组织单位的关系"),
        default=list,
        blank=True,
        help_text=_("选填。如本单位是某牵头组织单位的下属单位、会员单位或有其他关联，请勾选。"),
    )
    body_relation = models.TextField(
        _("关系说明"),
        blank=True,
        max_length=500,
        help_text=_("选填，不超过 500 字，如“本单位为中国贸促会商业行业委员会会员单位”。"),
    )

    # 3. 推荐起草人
    drafter_name = models.CharField(_("推荐起草人姓名"), max_length=50, blank=True)
    drafter_gender = models.CharField(
        _("性别"), max_length=10, choices=enums.Gender.choices, blank=True
    )
    drafter_birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    drafter_ethnicity = models.CharField(
        _("民族"), max_length=2, choices=enums.ETHNICITY_CHOICES, blank=True
    )
    drafter_native_place = models.CharField(_("籍贯"), max_length=100, blank=True)
    drafter_political_status = models.CharField(
        _("政治面貌"), max_length=2, choices=enums.PoliticalStatus.choices, blank=True
    )
    drafter_title = models.CharField(_("专业技术职称"), max_length=100, blank=True)
    drafter_position = models.CharField(_("现任职务"), max_length=100, blank=True)
    drafter_mobile = models.CharField(_("手机"), max_length=11, blank=True)
    drafter_phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    drafter_fax = models.CharField(_("传真"), max_length=30, blank=True)
    drafter_email = models.EmailField(_("电子邮箱"), blank=True)
    drafter_resume = models.TextField(
        _("推荐起草人个人简历，技术专长、相关著作、个人事迹"),
        blank=True,
        max_length=LONG_TEXT_MAX,
        validators=[MaxLengthValidator(LONG_TEXT_MAX)],
    )
    drafter_resume_file = models.FileField(
        _("个人简历附件（可另附）"),
        storage=private_storage,
        upload_to=private_upload_to,
        blank=True,
        max_length=200,
    )
    drafter_resume_file_name = models.CharField(max_length=255, blank=True, editable=False)

    # 4. 承诺 (no default: the applicant must pick 是 or 否)
    can_attend_meetings = models.BooleanField(
        _("贵单位参加标准起草人是否能够按时参加标准各项起草会议"), null=True, blank=True
    )
    can_provide_funding = models.BooleanField(
        _("贵单位是否能够提供必要的资金支持"), null=True, blank=True
    )
    can_provide_technical_support = models.BooleanField(
        _("贵单位是否能够提供必要的技术支持"), null=True, blank=True
    )

    # 5. 单位意见
    agrees_to_declaration = models.BooleanField(
        _(
            "我单位同意作为该团体标准起草单位，并委派专人参与标准起草工作，"
            "对标准各项起草工作给予积极支持与配合。"
        ),
        default=False,
    )
    responsible_person = models.CharField(_("负责人"), max_length=50, blank=True)
    signed_on = models.DateField(_("日期"), null=True, blank=True)
    seal_scan = models.FileField(
        _("盖章扫描件"),
        storage=private_storage,
        upload_to=private_upload_to,
        blank=True,
        max_length=200,
    )
    seal_scan_name = models.CharField(max_length=255, blank=True, editable=False)
    seal_detected = models.BooleanField(_("检测到红色印章"), null=True, editable=False)
    # Where on the page the red-seal hint saw the seal (its 3 × 3 grid), "" when it saw none.
    seal_place = models.CharField(
        _("印章位置"), max_length=12, choices=enums.SealPlace.choices, blank=True, editable=False
    )
    # The version stamps (QR texts) found on the seal scan, and what they say about it now:
    # kept up to date by every save (applications.stamp, services.applications).
    scan_stamps = models.JSONField(default=list, blank=True, editable=False)
    scan_check = models.CharField(
        _("盖章表校验"), max_length=12, choices=enums.ScanCheck.choices, blank=True, editable=False
    )
    privacy_consent = models.BooleanField(_("个人信息处理同意"), default=False)
    privacy_consent_at = models.DateTimeField(_("同意时间"), null=True, blank=True, editable=False)
    # PIPL art. 25: publishing the drafter's name in the 公示 needs its own consent, asked
    # apart from the general one; without it the public list hides the name.
    drafter_name_public_consent = models.BooleanField(
        _("推荐起草人同意在入选名单公示中公开其姓名（及职称）"), default=False
    )
    contact_email = models.EmailField(_("联系邮箱"))
    # The language of the pages the applicant last saved from; e-mails are written in it.
    language = models.CharField(
        _("语言"),
        max_length=10,
        choices=settings.LANGUAGES,
        default="zh-hans",
        editable=False,
    )

    # The contact address is confirmed by opening the link of the confirmation mail
    # (applications/services/confirmation.py). Until then the application is an anonymous
    # draft: its reference is provisional (the gap-free one is given on confirmation), no
    # private link works, mails carry no typed text, its files are capped and it expires.
    email_confirmed_at = models.DateTimeField(
        _("邮箱确认时间"), null=True, blank=True, editable=False
    )
    # sha256 of the token of the confirmation link last mailed (it becomes the first
    # private link once opened); empty once confirmed.
    email_confirm_hash = models.CharField(max_length=64, blank=True, editable=False, db_index=True)
    # "提交申报" pressed before the address was confirmed: submitted when it is (if still
    # before the deadline and complete).
    submit_requested_at = models.DateTimeField(
        _("申请提交时间（待确认邮箱）"), null=True, blank=True, editable=False
    )
    # Keyed hash of the client address that created an unconfirmed draft, and the bytes its
    # files hold: the per-client cap sums them. Both are cleared on confirmation.
    client_key = models.CharField(max_length=64, blank=True, editable=False, db_index=True)
    unconfirmed_bytes = models.PositiveBigIntegerField(default=0, editable=False)

    # Managed by the portal
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, editable=False)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True, editable=False)
    personal_data_purged_at = models.DateTimeField(
        _("个人信息删除时间"), null=True, blank=True, editable=False
    )
    list_order = models.PositiveIntegerField(_("名单排序"), null=True, blank=True)
    # Answers to the call's own questions (``Question``), by the question's primary key:
    # text, a list of options, true/false, an ISO date or a number.
    extra_answers = models.JSONField(_("附加信息"), default=dict, blank=True, editable=False)
    # A draft keeps what was typed even where it is not yet valid (a 12-character credit
    # code, an e-mail with a comma): {field name: {"value": as typed, "message": what to
    # fix}}. The field itself stays empty until the value is valid; submitting needs none.
    unfinished = models.JSONField(_("待修改的填写"), default=dict, blank=True, editable=False)
    # Set when a selector selects without the joint sign-off (会签) quorum; cleared on reopen.
    selection_override_reason = models.TextField(
        _("未达会签要求的入选理由"), blank=True, editable=False
    )
    # A decision taken but not yet released (拟入选 / 拟候补 / 拟不予入选): organisers see it,
    # the applicant does not; "发布决定" makes it the status and mails it.
    pending_decision = models.CharField(
        _("待发布的决定"),
        max_length=10,
        blank=True,
        choices=workflow.PENDING_CHOICES,
        editable=False,
    )
    pending_at = models.DateTimeField(_("拟定时间"), null=True, blank=True, editable=False)
    pending_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("拟定人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    pending_reason = models.TextField(_("拟入选理由（未达会签）"), blank=True, editable=False)

    class Meta:
        ordering = ["call", "reference"]
        verbose_name = _("申报")
        verbose_name_plural = _("申报")
        permissions = [("decide_application", _("可以决定申报是否入选"))]
        constraints = [
            models.UniqueConstraint(
                fields=["call", "credit_code"],
                condition=~Q(status=enums.Status.WITHDRAWN) & ~Q(credit_code=""),
                name="unique_credit_code_per_call",
                violation_error_message=_("该单位已在本次征集中申报。"),
            ),
            models.UniqueConstraint(
                fields=["call", "drafter_name", "drafter_mobile"],
                condition=~Q(status=enums.Status.WITHDRAWN) & ~Q(drafter_mobile=""),
                name="unique_drafter_per_call",
                violation_error_message=_("同一推荐起草人不能被两家单位推荐。"),
            ),
            models.CheckConstraint(
                condition=Q(status__in=enums.Status.values), name="application_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=[enums.Status.DRAFT, enums.Status.WITHDRAWN])
                | (~Q(seal_scan="") & Q(submitted_at__isnull=False))
                | Q(personal_data_purged_at__isnull=False),
                name="submitted_application_has_seal_scan",
                violation_error_message=_("提交前须上传盖章扫描件。"),
            ),
        ]
        indexes = [models.Index(fields=["call", "status"], name="application_call_status")]

    def __str__(self):
        return f"{self.reference} {self.unit_name}"

    @classmethod
    def label(cls, name: str) -> "StrOrPromise":
        """The label of a field, its ``verbose_name``: what the form, the paper table, the
        admin and the exports call it (lazy: translated when shown)."""
        field = cls._meta.get_field(name)
        assert isinstance(field, models.Field), name  # a field, not a relation's other end
        return field.verbose_name

    def original_name(self, field: str) -> str:
        return getattr(self, f"{field}_name") or ""

    @property
    def email_confirmed(self) -> bool:
        return self.email_confirmed_at is not None

    @property
    def is_editable_status(self) -> bool:
        return self.status in workflow.EDITABLE_STATUSES
