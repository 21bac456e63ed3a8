"""Remind drafts, once, a few days before the deadline (run it hourly or daily from cron)."""

from django.core.management.base import BaseCommand, CommandError

from applications import services
from applications.models import Call


class Command(BaseCommand):
    help = "E-mail every unsubmitted draft once when the call's deadline is N days away or less."

    def add_arguments(self, parser):
        parser.add_argument("--call", default="cqo-2021", help="code of the call")
        parser.add_argument("--days", type=int, default=3, help="window before the deadline")

    def handle(self, *args, call, days, **options):
        target = Call.objects.filter(code=call).first()
        if target is None:
            raise CommandError(f"No call {call!r}.")
        if days < 0:
            raise CommandError("--days must be 0 or more")
        reminded = services.drafts_remind(call=target, within_days=days)
        self.stdout.write(f"Reminded {len(reminded)} draft(s) of {target.code}.")
