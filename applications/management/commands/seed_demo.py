"""Fake but valid submitted applications, and demo organisers, for demos and benchmarks."""

import secrets
import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from applications.demo import create_demo_applications, create_demo_reviews, demo_call_ensure
from applications.models import Call
from applications.roles import SELECTOR_GROUP, roles_ensure

DEMO_REVIEWERS = ("reviewer-szu", "reviewer-cqn", "reviewer-ccpit")  # in body order
DEMO_SELECTOR = "selector"


class Command(BaseCommand):
    help = (
        "Create N fake, valid, submitted applications with small real attachment files, "
        "one demo reviewer per organising body and one demo selector (passwords printed)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--applications", type=int, default=50, metavar="N")
        parser.add_argument(
            "--call", default="cqo-2021", help="code of the call (default cqo-2021)"
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="add no applications if the call already has some (organisers still made)",
        )
        parser.add_argument(
            "--no-organisers", action="store_true", help="do not create the demo organisers"
        )
        parser.add_argument(
            "--second-call",
            action="store_true",
            help="also publish a second, different demo call (svc-2026: other standards, "
            "other bodies, quota 10) with a few applications, so that two calls show side by side",
        )
        parser.add_argument(
            "--reviews",
            type=float,
            default=0.0,
            metavar="SHARE",
            help="also let each demo reviewer review this share (0–1) of the applications",
        )

    def handle(
        self, *args, applications, call, if_empty, no_organisers, reviews, second_call, **options
    ):
        target = Call.objects.filter(code=call).first()
        if target is None:
            raise CommandError(f"No call {call!r}: run `manage.py seed_call` first.")
        if applications < 0:
            raise CommandError("--applications must be 0 or more")
        if not 0 <= reviews <= 1:
            raise CommandError("--reviews must be between 0 and 1")
        if reviews and no_organisers:
            raise CommandError("--reviews needs the demo organisers (drop --no-organisers)")
        if second_call:
            self._second_call()
        reviewers = {} if no_organisers else self._organisers(target)
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
        if reviews:
            count = create_demo_reviews(target, reviewers, share=reviews)
            self.stdout.write(f"Created {count} demo reviews.")

    def _second_call(self):
        other, created = demo_call_ensure()
        if created or not other.applications.exists():
            count = create_demo_applications(other, 12, seed=2026)
            self.stdout.write(f"Created demo call {other.code} with {count} applications.")
        else:
            self.stdout.write(f"Demo call {other.code} already exists; nothing changed.")
        roles_ensure()  # reviewer groups for its bodies

    def _organisers(self, call):
        """One reviewer per body and a selector; new passwords, shown only here."""
        groups = roles_ensure()
        bodies = list(call.organising_bodies.select_related("reviewer_group"))
        accounts = [
            (username, body.reviewer_group, body.name, body)
            for username, body in zip(DEMO_REVIEWERS, bodies, strict=False)
        ]
        accounts.append((DEMO_SELECTOR, groups[SELECTOR_GROUP], "遴选（决定入选）", None))
        User = get_user_model()
        reviewers = {}
        self.stdout.write("")
        self.stdout.write("  Demo organisers (new passwords on every run, shown only here):")
        for username, group, role, body in accounts:
            password = secrets.token_urlsafe(9)
            user, _created = User.objects.get_or_create(username=username)
            user.is_staff = True
            user.is_superuser = False
            user.set_password(password)
            user.save()
            user.groups.set([group])
            self.stdout.write(f"    {username:<15} {password:<14} {role}")
            if body is not None:
                reviewers[body] = user
        return reviewers
