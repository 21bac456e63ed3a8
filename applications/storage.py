"""Private storage for uploaded files: random names, outside any public URL.

Two places, chosen by settings (``STORAGES["private"]``, filled from ``STORAGE_URL`` or the
``AWS_*`` variables): the folder ``MEDIA_ROOT/private`` of one machine, or a private bucket of
an S3-compatible object store (django-storages with boto3) that every app server shares.
Either way a file is reached only through the views that check the private link or the
organiser's permission; both backends add what those views and the commands need beyond
Django's Storage API: ``open_stream`` (read without loading the file whole) and ``walk``
(every stored name with its time, for the orphan sweep and the backup).
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import IO, Any, cast

from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils import timezone
from django.utils.functional import LazyObject, cached_property, empty
from storages.backends.s3 import S3Storage
from storages.utils import clean_name

# What a storage raises when it cannot be reached or refuses to write: a full or read-only
# disk (OSError), a bucket that does not answer or answers with an error (botocore).
STORAGE_ERRORS: tuple[type[Exception], ...] = (OSError, BotoCoreError, ClientError)


class StorageUnavailable(Exception):
    """The storage could not be reached; the request may succeed when tried again."""


class PrivateFiles(Storage):
    """What the portal needs of its private storage beyond Django's Storage API."""

    def open_stream(self, name: str) -> tuple[IO[bytes], int]:
        """A readable handle and the size in bytes; the caller closes the handle.

        Raises FileNotFoundError for a missing file, StorageUnavailable when the storage
        cannot be read.
        """
        raise NotImplementedError

    def walk(self) -> Iterator[tuple[str, dt.datetime]]:
        """Every stored name with the time it was last written (aware)."""
        raise NotImplementedError


class PrivateStorage(PrivateFiles, FileSystemStorage):
    """MEDIA_ROOT/private, with no base URL: files are served only through checked views.

    The location follows ``settings.MEDIA_ROOT`` (also when tests override it).
    """

    def __init__(self, **_options: Any):
        super().__init__(
            base_url=None, file_permissions_mode=0o640, directory_permissions_mode=0o750
        )

    @cached_property
    def base_location(self):
        return str(Path(settings.MEDIA_ROOT) / "private")

    def open_stream(self, name: str) -> tuple[IO[bytes], int]:
        try:
            handle = open(self.path(name), "rb")  # noqa: SIM115 (the caller closes it)
        except FileNotFoundError:
            raise
        except OSError as exc:
            raise StorageUnavailable(str(exc)) from exc
        return handle, os.fstat(handle.fileno()).st_size

    def walk(self) -> Iterator[tuple[str, dt.datetime]]:
        root = self.location
        for directory, _dirs, files in os.walk(root):
            for filename in files:
                path = os.path.join(directory, filename)
                name = os.path.relpath(path, root).replace(os.sep, "/")
                yield name, dt.datetime.fromtimestamp(os.path.getmtime(path), tz=dt.UTC)


class PrivateS3Storage(PrivateFiles, S3Storage):
    """A private bucket: no ACL is sent, so objects keep the bucket's default (private).

    Names are never overwritten (a clash of random names would get a new one, as on disk);
    a bucket that does not answer fails within seconds instead of hanging the request.
    """

    def get_default_settings(self):
        defaults = super().get_default_settings()
        defaults.update(
            default_acl=None,
            file_overwrite=False,
            querystring_auth=True,
            querystring_expire=60,
            client_config=Config(
                connect_timeout=5,
                read_timeout=30,
                retries={"max_attempts": 3, "mode": "standard"},
                signature_version="s3v4",
                s3={"addressing_style": "path"},
            ),
        )
        return defaults

    def _key(self, name: str) -> str:
        return self._normalize_name(clean_name(name))

    def open_stream(self, name: str) -> tuple[IO[bytes], int]:
        try:
            response = self.connection.meta.client.get_object(
                Bucket=self.bucket_name, Key=self._key(name)
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in {"NoSuchKey", "404"}:
                raise FileNotFoundError(name) from exc
            raise StorageUnavailable(str(exc)) from exc
        except BotoCoreError as exc:
            raise StorageUnavailable(str(exc)) from exc
        return response["Body"], response["ContentLength"]

    def walk(self) -> Iterator[tuple[str, dt.datetime]]:
        prefix = self._key("")
        if prefix and not prefix.endswith("/"):
            prefix += "/"
        paginator = self.connection.meta.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket_name, Prefix=prefix):
            for entry in page.get("Contents", ()):
                yield entry["Key"][len(prefix) :], entry["LastModified"]


class _Private(LazyObject):
    """The configured private storage, looked up again when the settings change (tests)."""

    _wrapped: Any

    def _setup(self):
        self._wrapped = storages["private"]

    def forget(self) -> None:
        self._wrapped = empty


_storage = _Private()


@receiver(setting_changed)
def _forget_storage(*, setting, **_kwargs):
    if setting == "STORAGES":
        _storage.forget()


def private_storage() -> PrivateFiles:
    return cast(PrivateFiles, _storage)


def private_upload_to(_instance, filename: str) -> str:
    """A random name with the canonical extension; the original name is stored separately."""
    suffix = PurePosixPath(filename).suffix.lower()[:8]
    return f"{timezone.now():%Y/%m}/{secrets.token_hex(16)}{suffix}"
