"""Fake but valid submitted applications for demos and benchmarks."""

import time

from django.core.management.base import BaseCommand, CommandError

from applications.demo import create_demo_applications
from applications.models import Call


class Command(BaseCommand):
    help = "Create N fake, valid, submitted applications with small real attachment files."

    def add_arguments(self, parser):
        parser.add_argument("--applications", type=int, default=50, metavar="N")
        parser.add_argument(
            "--call", default="cqo-2021", help="code of the call (default cqo-2021)"
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="do nothing if the call already has applications",
        )

    def handle(self, *args, applications, call, if_empty, **options):
        target = Call.objects.filter(code=call).first()
        if target is None:
            raise CommandError(f"No call {call!r}: run `manage.py seed_call` first.")
        if applications < 0:
            raise CommandError("--applications must be 0 or more")
        if if_empty and target.applications.exists():
            self.stdout.write(f"Call {call} already has applications; no demo data added.")
            return
        started = time.perf_counter()
        created = create_demo_applications(target, applications)
        elapsed = time.perf_counter() - started
        rate = created / elapsed if elapsed else 0
        self.stdout.write(
            f"Created {created} demo applications in {elapsed:.1f} s ({rate:.0f} rows/s)."
        )
