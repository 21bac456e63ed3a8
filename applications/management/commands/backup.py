"""manage.py backup [PATH]: the database and every stored file in one archive."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from applications import backup


class Command(BaseCommand):
    help = (
        "Write one archive (.tar.gz) with every database row (Django's serialisers), every "
        "file of the private storage (folder or bucket) and a manifest with counts and "
        "sha256 checksums. PATH defaults to var/backups/chiefquality-<time>.tar.gz."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", help="the archive to write (must not exist)")

    def handle(self, *args, path, **options):
        if path:
            destination = Path(path)
        else:
            folder = Path(settings.BASE_DIR) / "var" / "backups"
            folder.mkdir(parents=True, exist_ok=True)
            destination = folder / f"chiefquality-{timezone.now():%Y%m%d-%H%M%S}.tar.gz"
        if destination.exists():
            raise CommandError(f"{destination} exists; choose a new name")
        try:
            summary = backup.backup(destination)
        except backup.BackupError as exc:
            destination.unlink(missing_ok=True)
            raise CommandError(str(exc)) from exc
        except BaseException:
            destination.unlink(missing_ok=True)
            raise
        rows = sum(summary.objects.values())
        self.stdout.write(
            f"Wrote {destination}: {rows} database rows of {len(summary.objects)} models, "
            f"{summary.files} files ({summary.file_bytes} bytes)."
        )
        for label, count in summary.objects.items():
            self.stdout.write(f"  {label}: {count}")
        for name in summary.missing:
            self.stderr.write(f"Warning: {name} is named by a row but not in the storage.")
