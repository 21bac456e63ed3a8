"""manage.py restore ARCHIVE: fill an empty database and storage from a backup."""

from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from applications import backup


class Command(BaseCommand):
    help = (
        "Restore an archive written by `manage.py backup` into an EMPTY database and an "
        "empty private storage (folder or bucket): migrates first, checks every checksum, "
        "refuses a database or storage that holds anything."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive")

    def handle(self, *args, archive, **options):
        path = Path(archive)
        if not path.is_file():
            raise CommandError(f"{path} is not a file")
        call_command("migrate", interactive=False, verbosity=0)
        try:
            summary = backup.restore(path)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(summary.objects.values())
        self.stdout.write(
            f"Restored {rows} database rows of {len(summary.objects)} models and "
            f"{summary.files} files ({summary.file_bytes} bytes) from {path}."
        )
