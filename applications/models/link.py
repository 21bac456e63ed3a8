"""The private links of an application: several may be live at once."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from applications.models.application import Application


class PrivateLink(models.Model):
    """One live private link (``/a/<reference>/<token>/``) of an application.

    "找回专属链接" adds a link instead of replacing the only one, so a colleague's bookmark
    keeps working; the private page lists the live links and can stop all but the one in
    use ("停用其他链接"). Only the token's sha256 is stored, never the token.
    """

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="private_links"
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("专属链接")
        verbose_name_plural = _("专属链接")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.application_id} · {self.created_at:%Y-%m-%d %H:%M}"
