"""Files a service writes: new uploads, kept uploads, removals; none left behind on failure."""

import functools
import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models.fields.files import FieldFile
from django.utils.translation import gettext_lazy as _

from applications.models import Application, PendingUpload
from applications.storage import STORAGE_ERRORS, private_storage

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class NewFile:
    """A file uploaded with this request that passed inspection."""

    upload: UploadedFile
    original_name: str
    extension: str
    seal_detected: bool | None = None
    stamps: tuple[str, ...] = ()  # the version stamps read off a seal scan (uploads.qr)


@dataclass(frozen=True)
class KeptFile:
    """A file uploaded with an earlier, failed submission of the same form page."""

    pending: PendingUpload


@dataclass(frozen=True)
class ClearFile:
    """The applicant removes an optional attachment."""


FileChange = NewFile | KeptFile | ClearFile

STORAGE_UNAVAILABLE = _(
    "文件暂时无法保存（文件存储服务没有响应），请稍后重新选择该文件并提交。已填写的内容已保留。"
)


def _store(fieldfile: FieldFile, name: str, upload: UploadedFile) -> None:
    """Write the upload; a storage that fails becomes a message asking to try again.

    Nothing is left behind: a failed write stores no object (a multipart upload to a
    bucket is aborted), and the caller's transaction rolls back.
    """
    try:
        # A copy (File()): the local storage would otherwise *move* a temporary upload, and
        # a service refused after this point (a racing duplicate) deletes what it wrote, so
        # the view could no longer keep the file for the applicant's next try.
        fieldfile.save(name, File(upload), save=False)
    except STORAGE_ERRORS as exc:
        logger.warning("could not store an upload: %s", exc)
        raise ValidationError(STORAGE_UNAVAILABLE, code="storage_unavailable") from exc


def store_upload(fieldfile: FieldFile, name: str, upload: UploadedFile) -> None:
    """Write an inspected upload into ``fieldfile`` (see ``_store``)."""
    _store(fieldfile, name, upload)


@contextmanager
def file_work() -> Iterator["FileWork"]:
    """Files written inside the block are deleted again if the block fails."""
    work = FileWork()
    try:
        yield work
    except BaseException:
        work.discard_written()
        raise


class FileWork:
    """Tracks files written during a service so a failure leaves none behind."""

    def __init__(self) -> None:
        self.written: list[str] = []
        self.replaced: list[str] = []
        self.claimed: list[PendingUpload] = []

    def apply(self, application: Application, files: dict[str, FileChange]) -> list[str]:
        changed = []
        for field, change in files.items():
            fieldfile = getattr(application, field)
            old_name = fieldfile.name or ""
            if isinstance(change, NewFile):
                try:
                    _store(fieldfile, f"upload{change.extension}", change.upload)
                except ValidationError as exc:
                    raise ValidationError({field: exc}) from exc
                self.written.append(fieldfile.name)
                setattr(application, f"{field}_name", change.original_name[:255])
                if field == "seal_scan":
                    application.seal_detected = change.seal_detected
                    application.seal_place = ""  # the worker's hint says where
                    application.scan_stamps = list(change.stamps)
            elif isinstance(change, KeptFile):
                fieldfile.name = change.pending.file.name
                setattr(application, f"{field}_name", change.pending.original_name)
                if field == "seal_scan":
                    application.seal_detected = change.pending.seal_detected
                    application.seal_place = ""
                    application.scan_stamps = list(change.pending.stamps)
                self.claimed.append(change.pending)
            elif isinstance(change, ClearFile):
                if field == "seal_scan":
                    continue  # the seal scan is replaced, never removed
                fieldfile.name = ""
                setattr(application, f"{field}_name", "")
            else:
                continue
            if old_name and old_name != fieldfile.name:
                self.replaced.append(old_name)
            changed.append(field)
        return changed

    def claim_pending(self) -> None:
        for pending in self.claimed:
            # The file now belongs to the application; drop only the row.
            PendingUpload.objects.filter(pk=pending.pk).delete()

    def discard_written(self) -> None:
        for name in self.written:
            try:
                private_storage().delete(name)
            except STORAGE_ERRORS:  # logged; cleanup_orphan_files removes it later
                logger.exception("could not remove %s after a failed save", name)

    def delete_replaced_after_commit(self) -> None:
        if self.replaced:
            delete_after_commit(self.replaced)


def store_new_file(work: FileWork, fieldfile: FieldFile, change: NewFile) -> str:
    """Write ``change`` into ``fieldfile`` (a field other than the application's, such as an
    objection's attachment), tracked by ``work`` so that a failure leaves nothing behind;
    returns the stored name."""
    _store(fieldfile, f"upload{change.extension}", change.upload)
    name = fieldfile.name or ""
    work.written.append(name)
    return name


def _delete_files(names: list[str]) -> None:
    for name in names:
        try:
            private_storage().delete(name)
        except STORAGE_ERRORS:  # the change is committed; cleanup_orphan_files removes it later
            logger.exception("could not delete %s after commit", name)


def delete_after_commit(names: Iterable[str]) -> None:
    """Delete these stored files once the current transaction commits (never if it rolls back).

    A storage that does not answer then leaves them for ``cleanup_orphan_files``; the
    request that made the change still succeeds.
    """
    transaction.on_commit(functools.partial(_delete_files, list(names)))


def pending_upload_create(*, field_name: str, change: NewFile) -> PendingUpload:
    """Keep a valid file from a form that failed elsewhere, for the applicant's next try.

    Raises ValidationError (code ``storage_unavailable``) when the storage cannot take it.
    """
    if change.upload.size is None:  # Django's upload handlers always set it
        raise ValueError("an upload of unknown size cannot be kept")
    pending = PendingUpload(
        field_name=field_name,
        original_name=change.original_name[:255],
        size=change.upload.size,
        seal_detected=change.seal_detected,
        stamps=list(change.stamps),
    )
    _store(pending.file, f"upload{change.extension}", change.upload)
    try:
        pending.save()
    except BaseException:
        if pending.file.name:
            private_storage().delete(pending.file.name)
        raise
    return pending
