"""One row per e-mail: what was (or will be) sent, to whom, and how delivery went."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class MailState(models.TextChoices):
    QUEUED = "queued", _("待发送")
    SENDING = "sending", _("发送中")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败")


class OutgoingMail(models.Model):
    """An e-mail in the outbox.

    ``secrets`` holds the parts of the text that must not outlive delivery (a private link):
    they stay in the body until the mail is sent, then the stored text and HTML drop them.
    """

    to = models.EmailField(_("收件人"), max_length=254)
    subject = models.CharField(_("主题"), max_length=500)
    text = models.TextField(_("正文（纯文本）"))
    html = models.TextField(_("正文（HTML）"), blank=True)
    language = models.CharField(_("语言"), max_length=10)
    kind = models.CharField(_("类别"), max_length=40, blank=True)
    application = models.ForeignKey(
        "applications.Application",
        verbose_name=_("申报"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="mails",
    )
    state = models.CharField(
        _("状态"), max_length=10, choices=MailState.choices, default=MailState.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    last_error = models.TextField(_("最近一次错误"), blank=True)
    secrets = models.JSONField(default=list, blank=True, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    next_attempt_at = models.DateTimeField(_("下次尝试"), db_index=True)
    claimed_at = models.DateTimeField(_("开始发送"), null=True, blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("邮件")
        verbose_name_plural = _("邮件发送记录")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["state", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.subject} → {self.to}"
