"""The append-only audit trail."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from applications import workflow
from applications.models.application import Application
from applications.models.call import OrganisingBody


class AuditEntry(models.Model):
    """Append-only record of every state change, edit, review and export."""

    application = models.ForeignKey(
        Application,
        on_delete=models.PROTECT,
        related_name="audit_entries",
        null=True,
        blank=True,
        verbose_name=_("申报"),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("操作人"),
        help_text=_("为空表示申报单位本人（通过专属链接）。"),
    )
    body = models.ForeignKey(
        OrganisingBody,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("所属牵头单位"),
    )
    action = models.CharField(_("操作"), max_length=60)
    data = models.JSONField(_("内容"), default=dict, blank=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValidationError(_("审计记录只能新增，不能修改。"))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("审计记录不能删除。"))

    @property
    def action_label(self) -> str:
        return str(workflow.AUDIT_ACTION_LABELS.get(self.action, self.action))
