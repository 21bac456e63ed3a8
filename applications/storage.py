"""Private storage for uploaded files: random names, outside any public URL."""

import secrets
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils import timezone
from django.utils.functional import cached_property


class PrivateStorage(FileSystemStorage):
    """MEDIA_ROOT/private, with no base URL: files are served only through checked views.

    The location follows ``settings.MEDIA_ROOT`` (also when tests override it).
    """

    def __init__(self):
        super().__init__(
            base_url=None, file_permissions_mode=0o640, directory_permissions_mode=0o750
        )

    @cached_property
    def base_location(self):
        return str(Path(settings.MEDIA_ROOT) / "private")


_storage = PrivateStorage()


def private_storage() -> PrivateStorage:
    return _storage


def private_upload_to(_instance, filename: str) -> str:
    """A random name with the canonical extension; the original name is stored separately."""
    suffix = PurePosixPath(filename).suffix.lower()[:8]
    return f"{timezone.now():%Y/%m}/{secrets.token_hex(16)}{suffix}"
