"""Remove uploaded files that no application will ever claim."""

import datetime as dt
import os

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from applications import form_schema
from applications.models import AnswerFile, Application, Objection, PendingUpload, SealPage
from applications.storage import private_storage


def referenced_names() -> set[str]:
    names = set(PendingUpload.objects.values_list("file", flat=True))
    names.update(SealPage.objects.values_list("file", flat=True))
    names.update(AnswerFile.objects.values_list("file", flat=True))
    for field in form_schema.FILE_FIELDS:
        names.update(Application.objects.exclude(**{field: ""}).values_list(field, flat=True))
    names.update(Objection.objects.exclude(attachment="").values_list("attachment", flat=True))
    return names


class Command(BaseCommand):
    help = (
        "Delete kept uploads older than PENDING_UPLOAD_MAX_AGE_HOURS, files in private "
        "storage (the folder or the bucket) that no row refers to, and partial uploads of "
        "requests that never finished "
        "(left by a crash), once they are older than the grace period. Before the server "
        "starts on a single machine, --grace-minutes 0 is safe: nothing is in flight."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="list, delete nothing")
        parser.add_argument(
            "--grace-minutes",
            type=int,
            default=60,
            help="leave unreferenced files younger than this alone (a save may be in flight)",
        )

    def handle(self, *args, dry_run, grace_minutes, **options):
        storage = private_storage()
        now = timezone.now()
        expired = PendingUpload.objects.filter(
            created_at__lt=now - dt.timedelta(hours=settings.PENDING_UPLOAD_MAX_AGE_HOURS)
        )
        expired_count = 0
        for pending in expired:
            expired_count += 1
            if not dry_run:
                name = pending.file.name
                pending.delete()
                storage.delete(name)

        known = referenced_names()
        cutoff = now.timestamp() - grace_minutes * 60
        # The private folder or the bucket: every stored name, with its time.
        orphans = [
            name
            for name, modified in storage.walk()
            if name not in known and modified.timestamp() < cutoff
        ]
        for name in orphans:
            if not dry_run:
                storage.delete(name)
        partial = self._partial_uploads(cutoff)
        if not dry_run:
            for path in partial:
                os.remove(path)
        verb = "Would delete" if dry_run else "Deleted"
        self.stdout.write(
            f"{verb} {expired_count} expired kept upload(s), {len(orphans)} orphan file(s) "
            f"and {len(partial)} partial upload(s)."
        )

    @staticmethod
    def _partial_uploads(cutoff: float) -> list[str]:
        """Temporary files of uploads whose request never finished (a killed server)."""
        folder = settings.FILE_UPLOAD_TEMP_DIR
        if not folder or not os.path.isdir(folder):
            return []
        paths = (os.path.join(folder, name) for name in os.listdir(folder))
        return [p for p in paths if os.path.isfile(p) and os.path.getmtime(p) < cutoff]
