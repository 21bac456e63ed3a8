"""Erase the personal data of applications that were not selected (PIPL)."""

from django.core.management.base import BaseCommand, CommandError

from applications import services
from applications.models import Call


class Command(BaseCommand):
    help = (
        "Erase the drafter's personal fields, the contact e-mail and the files of every "
        "application of the call that was not selected and has not changed for DAYS days. "
        "The unit and the decision stay. Each erasure is in the audit log."
    )

    def add_arguments(self, parser):
        parser.add_argument("--call", required=True, help="code of the call, e.g. cqo-2021")
        parser.add_argument("--older-than", type=int, required=True, metavar="DAYS")
        parser.add_argument("--dry-run", action="store_true", help="only list what would go")

    def handle(self, *args, call, older_than, dry_run, **options):
        target = Call.objects.filter(code=call).first()
        if target is None:
            raise CommandError(f"No call {call!r}.")
        if older_than < 0:
            raise CommandError("--older-than must be 0 or more days")
        affected = services.personal_data_purge(
            call=target, older_than_days=older_than, dry_run=dry_run
        )
        for application in affected:
            self.stdout.write(f"  {application.reference} {application.get_status_display()}")
        verb = "Would erase" if dry_run else "Erased"
        self.stdout.write(f"{verb} the personal data of {len(affected)} application(s).")
