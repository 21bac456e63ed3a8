"""A call for drafting units, its standards and the organising bodies that lead it."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from applications import enums, validation


class OrganisingBody(models.Model):
    """One of the bodies that lead a call (牵头组织单位); reviewers belong to exactly one."""

    name = models.CharField(_("名称"), max_length=100, unique=True)
    short_name = models.CharField(_("简称"), max_length=30, blank=True)
    address = models.CharField(_("地址"), max_length=200)
    phone = models.CharField(_("电话"), max_length=50)
    email = models.EmailField(_("邮箱"))
    contact_person = models.CharField(_("联系人"), max_length=50)
    credit_code = models.CharField(
        _("统一社会信用代码"),
        max_length=18,
        blank=True,
        help_text=_(
            "用于自动发现回避：申报单位的信用代码或名称与本单位或其关联单位相同时自动记录回避。"
        ),
    )
    position = models.PositiveSmallIntegerField(_("排序"), default=0)
    # Members of this group review for this body; a reviewer belongs to exactly one body.
    reviewer_group = models.OneToOneField(
        "auth.Group",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="organising_body",
        verbose_name=_("评审组"),
    )

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("牵头组织单位")
        verbose_name_plural = _("牵头组织单位")

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        if self.credit_code:
            try:
                self.credit_code = validation.normalize_credit_code(self.credit_code)
            except ValidationError as exc:
                raise ValidationError({"credit_code": exc}) from exc


def is_open_between(opens_at, deadline, now=None) -> bool:
    """Whether a call with these dates takes applications at ``now`` (default: now)."""
    return opens_at <= (now or timezone.now()) < deadline


class Call(models.Model):
    """A public call for drafting units (征集通知): its notice, standards, quota and deadline."""

    code = models.SlugField(
        _("项目编号前缀"),
        max_length=40,
        unique=True,
        help_text=_("字母、数字和连字符，如 cqo-2021；申报编号以它开头，出现在公开网址中。"),
    )
    title = models.CharField(_("通知标题"), max_length=200)
    series = models.CharField(
        _("征集名称"),
        max_length=60,
        help_text=_(
            "页面、申报表、邮件和入选名单中称呼本次征集的名称，如“首席质量官系列团体标准”；"
            "申报表标题为“<名称>起草单位申报表”。"
        ),
    )
    series_en = models.CharField(
        _("征集名称（英文，可选）"),
        max_length=100,
        blank=True,
        help_text=_(
            "英文页面和邮件中的名称，如“Chief Quality Officer group standards”；不填则用中文名称。"
        ),
    )
    document_number = models.CharField(_("文号"), max_length=60)
    notice = models.TextField(_("通知正文"), help_text=_("Markdown 格式，显示在公开页面上。"))
    supplement = models.TextField(
        _("补充通知"),
        blank=True,
        help_text=_(
            "Markdown 格式，显示在通知正文之上：通知发布后改变了的事项，如改为网上申报、"
            "新的截止时间、代替传真和邮寄的方式。"
        ),
    )
    before_you_start = models.TextField(
        _("开始前请准备"),
        blank=True,
        help_text=_("每行一项，显示在征集页面上，如“营业执照上的统一社会信用代码”。"),
    )
    issuer = models.CharField(_("发文单位"), max_length=200, blank=True)
    issued_on = models.DateField(_("发文日期"), null=True, blank=True)
    opens_at = models.DateTimeField(_("开始时间"))
    deadline = models.DateTimeField(_("截止时间"))
    max_selected = models.PositiveIntegerField(_("入选上限"), default=30)
    drafters_per_unit = models.PositiveIntegerField(_("每单位列名起草人数"), default=1)
    required_recommendations = models.PositiveSmallIntegerField(
        _("会签所需推荐数"),
        default=2,
        help_text=_("入选前至少需要多少个牵头单位给出“推荐”；不足时须填写理由方可入选。"),
    )
    organising_bodies = models.ManyToManyField(
        OrganisingBody,
        verbose_name=_("牵头组织单位"),
        related_name="calls",
        blank=True,  # a draft may have none yet; publishing needs one
    )
    # Who decides on this call's applications: these accounts (with the permission to
    # decide); nobody listed means every selector (the 遴选组).
    selectors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("遴选人"),
        related_name="calls_to_select",
        blank=True,
        help_text=_("只有这些账号可以决定本征集的申报是否入选；不选则遴选组全体成员均可。"),
    )
    status = models.CharField(
        _("发布状态"),
        max_length=20,
        choices=enums.CallStatus.choices,
        default=enums.CallStatus.DRAFT,
        editable=False,
        db_index=True,
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True, editable=False)
    # The last reference number handed out; incremented under a row lock so that numbers
    # are gap-free (a rolled-back application rolls its number back too).
    last_reference_number = models.PositiveIntegerField(default=0, editable=False)
    # 公示: the released list is shown publicly for a period, objections may be filed, and
    # at its end the list becomes final (``services.publicity``).
    publicity_days = models.PositiveSmallIntegerField(
        _("公示期（工作日）"),
        default=5,
        help_text=_("入选名单公示的工作日数（周一至周五），从发布公示的次日起算。"),
    )
    publish_drafter_titles = models.BooleanField(
        _("公示起草人职称"),
        default=False,
        help_text=_("勾选后，公示名单在起草人姓名后列出其专业技术职称。"),
    )
    publicity_starts = models.DateTimeField(
        _("公示开始时间"), null=True, blank=True, editable=False
    )
    publicity_ends = models.DateTimeField(_("公示截止时间"), null=True, blank=True, editable=False)
    list_final_at = models.DateTimeField(_("名单确定时间"), null=True, blank=True, editable=False)
    # When the selectors were told that the period ended with objections still open (once).
    publicity_held_told_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-deadline"]
        verbose_name = _("征集")
        verbose_name_plural = _("征集")
        permissions = [("publish_call", _("可发布征集"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(deadline__gt=models.F("opens_at")),
                name="call_deadline_after_opening",
                violation_error_message=_("截止时间必须晚于开始时间。"),
            ),
            models.CheckConstraint(
                condition=Q(max_selected__gte=1), name="call_max_selected_positive"
            ),
            models.CheckConstraint(
                condition=Q(drafters_per_unit__gte=1), name="call_drafters_per_unit_positive"
            ),
            models.CheckConstraint(
                condition=Q(publicity_days__gte=1), name="call_publicity_days_positive"
            ),
        ]

    def __str__(self):
        return f"{self.document_number} {self.title}"

    @property
    def reference_prefix(self) -> str:
        return self.code.upper()

    def format_reference(self, number: int) -> str:
        return f"{self.reference_prefix}-{number:04d}"

    @property
    def localized_series(self) -> str:
        """The call's name in the language being shown (English only if it has one)."""
        if self.series_en and (translation.get_language() or "").startswith("en"):
            return self.series_en
        return self.series

    @property
    def is_published(self) -> bool:
        return self.status == enums.CallStatus.PUBLISHED

    @property
    def before_you_start_items(self) -> list[str]:
        return [
            line.strip(" -*·•\t")
            for line in self.before_you_start.splitlines()
            if line.strip(" -*·•\t")
        ]

    def is_open(self, now=None) -> bool:
        return self.is_published and is_open_between(self.opens_at, self.deadline, now)

    def is_in_publicity(self, now=None) -> bool:
        """Whether the 公示 period runs at ``now``: objections are taken only then."""
        now = now or timezone.now()
        return (
            self.publicity_starts is not None
            and self.publicity_ends is not None
            and self.publicity_starts <= now < self.publicity_ends
        )

    def has_not_opened(self, now=None) -> bool:
        return (now or timezone.now()) < self.opens_at


class Standard(models.Model):
    """A group standard the call recruits drafters for (标准名称 with its plan number)."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="standards")
    title = models.CharField(_("标准名称"), max_length=100)
    plan_number = models.CharField(
        _("项目计划编号"),
        max_length=40,
        blank=True,
        help_text=_("立项后填写；复制征集时不复制。"),
    )
    position = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["call", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan_number"],
                condition=~Q(plan_number=""),
                name="standard_plan_number_unique",
                violation_error_message=_("已有标准使用该项目计划编号。"),
            )
        ]
        verbose_name = _("标准")
        verbose_name_plural = _("标准")

    def __str__(self):
        return self.title
