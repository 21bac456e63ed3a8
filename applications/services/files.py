"""Files a service writes: new uploads, kept uploads, removals; none left behind on failure."""

import functools
import hashlib
import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from applications.models import AnswerFile, Application, PendingUpload
from applications.storage import STORAGE_ERRORS, StorageUnavailable, private_storage

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
# The files answering a call's own questions of kind "file", by the question's primary key.
AnswerFileChanges = dict[int, FileChange]

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

    def apply_answers(self, application: Application, changes: AnswerFileChanges) -> list[str]:
        """Store the files answering the call's file questions (``AnswerFile`` rows) of a
        saved ``application``; returns the answers' keys (``q_<pk>``) that changed. Call
        ``set_answer_names`` before the application is checked and saved, so that its
        ``extra_answers`` name the files; a replaced or removed file is deleted after
        commit (``delete_replaced_after_commit``), a new one if the service fails."""
        changed = []
        existing = {
            row.question_id: row
            for row in AnswerFile.objects.filter(application=application, question__in=changes)
        }
        for question_pk, change in changes.items():
            key = f"q_{question_pk}"
            row = existing.get(question_pk)
            old_name = (row.file.name or "") if row is not None else ""
            if isinstance(change, ClearFile):
                if row is None:
                    continue
                row.delete()
                self.replaced.append(old_name)
                changed.append(key)
                continue
            if row is None:
                row = AnswerFile(application=application, question_id=question_pk)
            if isinstance(change, NewFile):
                try:
                    _store(row.file, f"upload{change.extension}", change.upload)
                except ValidationError as exc:
                    raise ValidationError({key: exc}) from exc
                self.written.append(row.file.name or "")
                row.original_name = change.original_name[:255]
                row.size = change.upload.size or 0
                row.sha256 = _sha256_of_upload(change.upload)
            elif isinstance(change, KeptFile):
                row.file.name = change.pending.file.name
                row.original_name = change.pending.original_name
                row.size = change.pending.size
                try:
                    row.sha256 = _sha256_of_stored(change.pending.file.name or "")
                except (FileNotFoundError, StorageUnavailable) as exc:
                    logger.warning("could not read a kept upload: %s", exc)
                    raise ValidationError(
                        {key: ValidationError(STORAGE_UNAVAILABLE, code="storage_unavailable")}
                    ) from exc
                self.claimed.append(change.pending)
            else:
                continue
            row.uploaded_at = timezone.now()
            row.save()
            if old_name and old_name != row.file.name:
                self.replaced.append(old_name)
            changed.append(key)
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


def set_answer_names(application: Application, changes: AnswerFileChanges) -> None:
    """The answers of the file questions in ``extra_answers``: each file's original name (a
    new or kept upload), none for a removed one; an unchanged answer stays as it is."""
    answers = dict(application.extra_answers or {})
    for question_pk, change in changes.items():
        if isinstance(change, NewFile):
            answers[str(question_pk)] = change.original_name[:255]
        elif isinstance(change, KeptFile):
            answers[str(question_pk)] = change.pending.original_name
        elif isinstance(change, ClearFile):
            answers.pop(str(question_pk), None)
    application.extra_answers = answers


CHUNK = 1024 * 1024


def _sha256_of_upload(upload: UploadedFile) -> str:
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks(CHUNK):
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def _sha256_of_stored(name: str) -> str:
    handle, _size = private_storage().open_stream(name)
    digest = hashlib.sha256()
    with handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


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
