"""An organising body's verdict on an application."""

from django.conf import settings
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from applications import enums
from applications.models.application import Application
from applications.models.call import OrganisingBody


class Review(models.Model):
    """One organising body's verdict on one application (评审意见).

    One per body per application — and so one per reviewer, as a reviewer belongs to
    exactly one body; ``reviewer`` is who wrote it last. Written only by
    ``services.review_save`` while the application awaits a decision.
    """

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="reviews", verbose_name=_("申报")
    )
    body = models.ForeignKey(
        OrganisingBody,
        on_delete=models.PROTECT,
        related_name="reviews",
        verbose_name=_("牵头单位"),
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="reviews",
        verbose_name=_("评审人"),
    )
    recommendation = models.CharField(
        _("评审意见"), max_length=20, choices=enums.Recommendation.choices
    )
    score = models.PositiveSmallIntegerField(
        _("评分"), validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    comment = models.TextField(
        _("评语"), blank=True, max_length=2000, validators=[MaxLengthValidator(2000)]
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["application", "body__position", "body"]
        verbose_name = _("评审意见")
        verbose_name_plural = _("评审意见")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "body"],
                name="one_review_per_body",
                violation_error_message=_("该牵头单位已对此申报给出评审意见，请修改原意见。"),
            ),
            models.CheckConstraint(
                condition=Q(score__gte=0) & Q(score__lte=100), name="review_score_0_100"
            ),
            models.CheckConstraint(
                condition=Q(recommendation__in=enums.Recommendation.values),
                name="review_recommendation_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["body", "recommendation"], name="review_body_recommendation")
        ]

    def __str__(self):
        return f"{self.body} · {self.get_recommendation_display()}"
