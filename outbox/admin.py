"""The outbox in admin: what was sent to whom, what waits, what failed (and resending it)."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from typing_extensions import override

from outbox.models import MailState, OutgoingMail
from outbox.services import mail_resend


@admin.register(OutgoingMail)
class OutgoingMailAdmin(admin.ModelAdmin):
    list_display = (
        "created_at",
        "to",
        "subject",
        "state",
        "attempts",
        "sent_at",
        "next_attempt_at",
        "application",
    )
    list_filter = ("state", "kind", "language")
    search_fields = ("to", "subject", "application__reference", "application__unit_name")
    list_select_related = ("application",)
    date_hierarchy = "created_at"
    actions = ["resend"]
    fields = (
        "to",
        "subject",
        "kind",
        "language",
        "application",
        "state",
        "attempts",
        "last_error",
        "created_at",
        "next_attempt_at",
        "claimed_at",
        "sent_at",
        "text",
    )

    @override
    def get_readonly_fields(self, request, obj=None):
        return self.fields

    @override
    def has_add_permission(self, request):
        return False

    @override
    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("重新发送所选的失败邮件"), permissions=["change"])
    def resend(self, request, queryset):
        failed = queryset.filter(state=MailState.FAILED)
        count = sum(mail_resend(mail) for mail in failed)
        skipped = queryset.count() - count
        if count:
            self.message_user(
                request,
                _("%(count)d 封邮件已重新排队发送。") % {"count": count},
                messages.SUCCESS,
            )
        if skipped:
            self.message_user(
                request,
                _("%(count)d 封邮件未处于“发送失败”状态，未重新发送。") % {"count": skipped},
                messages.WARNING,
            )
