"""Conflicts of interest (回避): an organising body's relation to an application's unit.

A body's related units (下属单位, 研究院所, 会员单位 …) are declared on the body; a conflict is
recorded automatically when an application's unit matches the body or one of them, by hand
by a reviewer (for their body, or for a person of it), or by the applicant on the form.
Removing one keeps the row (``removed_at``, ``removed_by``, ``removal_reason``): the record
of who recused and why stays, as its audit entries do. Written only by ``services.conflicts``.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from applications import validation
from applications.models.application import Application
from applications.models.call import OrganisingBody


class RelatedUnitKind(models.TextChoices):
    SUBSIDIARY = "subsidiary", _("下属单位")
    INSTITUTE = "institute", _("研究院所")
    MEMBER = "member", _("会员单位")
    OTHER = "other", _("其他")


class RelatedUnit(models.Model):
    """A unit a body declares related to it: an application from it is a conflict."""

    body = models.ForeignKey(
        OrganisingBody,
        on_delete=models.CASCADE,
        related_name="related_units",
        verbose_name=_("牵头单位"),
    )
    name = models.CharField(_("单位名称"), max_length=200)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    kind = models.CharField(
        _("关系"), max_length=20, choices=RelatedUnitKind.choices, default=RelatedUnitKind.OTHER
    )
    remark = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        ordering = ["body", "name", "pk"]
        verbose_name = _("关联单位")
        verbose_name_plural = _("关联单位")

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        if self.credit_code:
            try:
                self.credit_code = validation.normalize_credit_code(self.credit_code)
            except ValidationError as exc:
                raise ValidationError({"credit_code": exc}) from exc


class ConflictSource(models.TextChoices):
    AUTOMATIC = "automatic", _("自动匹配")
    BODY = "body", _("评审单位申报")
    PERSON = "person", _("评审人员申报")
    APPLICANT = "applicant", _("申报单位声明")


class Conflict(models.Model):
    """A body's conflict of interest on an application: while it stands (not removed), the
    body records no verdict on it, its reviewers do not read the other bodies' verdicts on it,
    and the joint sign-off counts only the other bodies (``queries.counting_reviews``)."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="conflicts", verbose_name=_("申报")
    )
    body = models.ForeignKey(
        OrganisingBody,
        on_delete=models.PROTECT,
        related_name="conflicts",
        verbose_name=_("牵头单位"),
    )
    source = models.CharField(_("来源"), max_length=20, choices=ConflictSource.choices)
    person_name = models.CharField(_("人员姓名"), max_length=50, blank=True)
    relation = models.CharField(_("关系"), max_length=100, blank=True)
    reason = models.TextField(_("理由"), max_length=1000)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("申报人"),
        help_text=_("为空表示系统自动匹配或申报单位本人。"),
    )
    created_at = models.DateTimeField(_("申报时间"), default=timezone.now)
    removed_at = models.DateTimeField(_("解除时间"), null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("解除人"),
    )
    removal_reason = models.TextField(_("解除理由"), blank=True, max_length=1000)

    class Meta:
        ordering = ["application", "body__position", "created_at", "pk"]
        verbose_name = _("回避")
        verbose_name_plural = _("回避")
        constraints = [
            # One standing automatic (or applicant's, or body's) conflict per body and
            # application; a person's may be several (one per person).
            models.UniqueConstraint(
                fields=["application", "body", "source"],
                condition=Q(removed_at__isnull=True) & ~Q(source="person"),
                name="one_standing_conflict_per_source",
                violation_error_message=_("该牵头单位对此申报已有同一来源的回避记录。"),
            ),
            models.CheckConstraint(
                condition=~Q(source="person") | ~Q(person_name=""),
                name="person_conflict_names_the_person",
                violation_error_message=_("人员回避须填写人员姓名。"),
            ),
        ]
        indexes = [
            models.Index(
                fields=["application", "body"],
                condition=Q(removed_at__isnull=True),
                name="conflict_standing",
            )
        ]

    def __str__(self):
        return f"{self.body} · {self.get_source_display()}"

    @property
    def standing(self) -> bool:
        return self.removed_at is None
