"""The outbox in admin: what was sent to whom, what waits, what failed (and resending it)."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from typing_extensions import override

from outbox import kinds
from outbox.models import MailState, OutgoingMail
from outbox.services import mail_resend

WAITING = (MailState.QUEUED, MailState.SENDING)


class KindFilter(admin.SimpleListFilter):
    """The kinds present in the outbox, by their names (``outbox.kinds``), not their keys."""

    title = _("类别")
    parameter_name = "kind"

    @override
    def lookups(self, request, model_admin):
        present = model_admin.get_queryset(request).order_by().values_list("kind", flat=True)
        return sorted(((kind, kinds.label(kind)) for kind in set(present)), key=lambda x: x[1])

    @override
    def queryset(self, request, queryset):
        return queryset.filter(kind=self.value()) if self.value() is not None else queryset


@admin.register(OutgoingMail)
class OutgoingMailAdmin(admin.ModelAdmin):
    list_display = (
        "created_at",
        "to",
        "subject",
        "kind_label",
        "state",
        "attempts",
        "sent_at",
        "next_attempt",
        "application",
    )
    list_filter = ("state", KindFilter, "language")
    search_fields = ("to", "subject", "application__reference", "application__unit_name")
    list_select_related = ("application",)
    date_hierarchy = "created_at"
    actions = ["resend"]
    fields = (
        "to",
        "subject",
        "kind_label",
        "language",
        "application",
        "state",
        "attempts",
        "last_error",
        "created_at",
        "next_attempt",
        "claimed_at",
        "sent_at",
        "text",
    )

    @admin.display(description=_("类别"), ordering="kind")
    def kind_label(self, mail: OutgoingMail) -> str:
        return kinds.label(mail.kind)

    @admin.display(description=_("下次尝试"), ordering="next_attempt_at")
    def next_attempt(self, mail: OutgoingMail):
        """Only a mail still waiting has a next attempt; a sent or failed one shows "—"."""
        return mail.next_attempt_at if mail.state in WAITING else None

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
