"""A call's scoring rubric (评分标准): its criteria, and each verdict's score per criterion."""

from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from applications.models.call import Call
from applications.rubric import WEIGHT_TOTAL

LEGACY_LABEL = "总体"  # the one criterion of verdicts given before the rubric


class Criterion(models.Model):
    """One criterion of a call's rubric: a label, what it asks, a weight and a scale 0–max.

    A verdict scores every criterion of its call; its weighted total (0–100) is
    ``rubric.weighted_total``. ``legacy`` marks the one "总体" criterion (weight 100, scale
    100) that the migration gave the verdicts recorded before the rubric existed, so that they
    stay readable: it is not part of the rubric, is not asked for, and is never copied.
    """

    call = models.ForeignKey(
        Call, on_delete=models.CASCADE, related_name="criteria", verbose_name=_("征集")
    )
    position = models.PositiveSmallIntegerField(_("排序"), default=0)
    label = models.CharField(_("评分项"), max_length=60)
    label_en = models.CharField(_("评分项（英文，可选）"), max_length=100, blank=True)
    description = models.TextField(
        _("说明"),
        blank=True,
        max_length=500,
        validators=[MaxLengthValidator(500)],
        help_text=_("评审人打分时看到的说明，如通知中的原文。"),
    )
    weight = models.PositiveSmallIntegerField(
        _("权重"),
        validators=[MinValueValidator(1), MaxValueValidator(WEIGHT_TOTAL)],
        help_text=_("1–100；一个征集的各评分项权重之和须为 100。"),
    )
    scale_max = models.PositiveSmallIntegerField(
        _("满分"),
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("评审人在 0 到满分之间打整数分。"),
    )
    legacy = models.BooleanField(_("旧评分"), default=False, editable=False)

    class Meta:
        ordering = ["call", "legacy", "position", "pk"]
        verbose_name = _("评分项")
        verbose_name_plural = _("评分标准")
        constraints = [
            models.CheckConstraint(
                condition=Q(weight__gte=1) & Q(weight__lte=WEIGHT_TOTAL),
                name="criterion_weight_1_100",
                violation_error_message=_("权重须在 1 到 100 之间。"),
            ),
            models.CheckConstraint(
                condition=Q(scale_max__gte=1) & Q(scale_max__lte=100),
                name="criterion_scale_1_100",
                violation_error_message=_("满分须在 1 到 100 之间。"),
            ),
            models.UniqueConstraint(
                fields=["call", "label"],
                name="criterion_label_unique_per_call",
                violation_error_message=_("本征集已有同名的评分项。"),
            ),
            models.UniqueConstraint(
                fields=["call"],
                condition=Q(legacy=True),
                name="one_legacy_criterion_per_call",
            ),
        ]

    def __str__(self):
        return self.localized_label

    @property
    def localized_label(self) -> str:
        if self.label_en and (translation.get_language() or "").startswith("en"):
            return self.label_en
        return self.label

    @property
    def field_name(self) -> str:
        """The review form's field for this criterion."""
        return f"criterion_{self.pk}"


class ReviewScore(models.Model):
    """A verdict's score on one criterion (0 to the criterion's ``scale_max``, checked by
    ``services.review_save``; the database holds the lower bound and one score per
    criterion per verdict)."""

    review = models.ForeignKey(
        "applications.Review",
        on_delete=models.CASCADE,
        related_name="scores",
        verbose_name=_("评审意见"),
    )
    criterion = models.ForeignKey(
        Criterion, on_delete=models.PROTECT, related_name="scores", verbose_name=_("评分项")
    )
    value = models.PositiveSmallIntegerField(_("得分"), validators=[MaxValueValidator(100)])

    class Meta:
        ordering = ["review", "criterion__legacy", "criterion__position", "criterion"]
        verbose_name = _("评分项得分")
        verbose_name_plural = _("评分项得分")
        constraints = [
            models.UniqueConstraint(fields=["review", "criterion"], name="one_score_per_criterion"),
            models.CheckConstraint(
                condition=Q(value__gte=0) & Q(value__lte=100), name="review_score_value_0_100"
            ),
        ]

    def __str__(self):
        return f"{self.criterion}: {self.value}"
