"""Objections (异议) against a unit on the published list during the 公示 period."""

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from applications.models.application import Application
from applications.models.call import Call
from applications.storage import private_storage, private_upload_to

OBJECTION_REASON_MAX = 2000


class ObjectionVerdict(models.TextChoices):
    UPHELD = "upheld", _("成立")
    DISMISSED = "dismissed", _("不成立")


class Objection(models.Model):
    """A real-name objection against a listed unit, filed by anyone during the period, and
    the selectors' answer (成立 / 不成立, with a reason). Written only by
    ``services.publicity``."""

    call = models.ForeignKey(
        Call, on_delete=models.PROTECT, related_name="objections", verbose_name=_("征集")
    )
    application = models.ForeignKey(
        Application,
        on_delete=models.PROTECT,
        related_name="objections",
        verbose_name=_("被提出异议的单位"),
    )
    receipt = models.CharField(_("受理编号"), max_length=40, unique=True, editable=False)
    name = models.CharField(_("姓名"), max_length=50)
    organisation = models.CharField(_("工作单位"), max_length=200)
    phone = models.CharField(_("联系电话"), max_length=30)
    email = models.EmailField(_("电子邮箱"))
    reason = models.TextField(
        _("异议理由"),
        max_length=OBJECTION_REASON_MAX,
        validators=[MaxLengthValidator(OBJECTION_REASON_MAX)],
    )
    attachment = models.FileField(
        _("证明材料（可选）"),
        storage=private_storage,
        upload_to=private_upload_to,
        blank=True,
        max_length=200,
    )
    attachment_name = models.CharField(max_length=255, blank=True, editable=False)
    language = models.CharField(
        _("语言"), max_length=10, choices=settings.LANGUAGES, default="zh-hans", editable=False
    )
    created_at = models.DateTimeField(_("提出时间"), default=timezone.now, editable=False)
    verdict = models.CharField(
        _("处理结论"), max_length=10, choices=ObjectionVerdict.choices, blank=True, editable=False
    )
    answer = models.TextField(_("处理理由"), blank=True, editable=False)
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True, editable=False)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("答复人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("异议")
        verbose_name_plural = _("异议")
        constraints = [
            models.CheckConstraint(
                condition=Q(verdict="") | Q(answered_at__isnull=False) & ~Q(answer=""),
                name="objection_answer_has_reason",
            )
        ]
        indexes = [models.Index(fields=["call", "verdict"], name="objection_call_verdict")]

    def __str__(self):
        return f"{self.receipt} {self.name}"

    @property
    def is_open(self) -> bool:
        return not self.verdict
