"""Erasure of personal data that is no longer needed (PIPL), and of unconfirmed drafts."""

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from applications import enums, form_schema
from applications.models import AnswerFile, Application, Call, SealPage
from applications.services.audit import audit_write as _audit
from applications.services.files import delete_after_commit
from applications.services.locking import lock_application
from outbox.services import mails_forget


def personal_data_purge(
    *, call: Call, older_than_days: int, dry_run: bool = False, now: datetime.datetime | None = None
) -> list[Application]:
    """Erase the personal fields and the files of the call's applications that were not
    selected and have not changed for ``older_than_days`` (PIPL: kept no longer than needed).

    Keeps the unit (name, code, type, industry), its standards, the reviews and the decision;
    the files answering the call's questions go with the other files (their names too).
    Each erasure is one transaction with its audit entry (the fields, never their values);
    the files are deleted after commit. ``dry_run`` only returns what would be erased.
    """
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=older_than_days)
    candidates = list(
        Application.objects.filter(
            call=call, personal_data_purged_at__isnull=True, updated_at__lt=cutoff
        ).exclude(status=enums.Status.SELECTED)
    )
    if dry_run:
        return candidates
    purged = []
    for candidate in candidates:
        with transaction.atomic():
            application = lock_application(candidate)
            if application.status == enums.Status.SELECTED or application.personal_data_purged_at:
                continue
            files = [getattr(application, f).name for f in form_schema.FILE_FIELDS]
            pages = SealPage.objects.filter(application=application)
            files += [page.file.name for page in pages]
            pages.delete()
            # the files answering the call's questions, and their names among the answers
            answered = list(AnswerFile.objects.filter(application=application))
            files += [row.file.name for row in answered]
            gone = {str(row.question_id) for row in answered}
            application.extra_answers = {
                pk: value for pk, value in application.extra_answers.items() if pk not in gone
            }
            AnswerFile.objects.filter(pk__in=[row.pk for row in answered]).delete()
            for name in form_schema.PERSONAL_FIELDS:
                field = Application._meta.get_field(name)
                setattr(application, name, None if field.null else "")
            for name in form_schema.FILE_FIELDS:
                setattr(application, name, "")
                setattr(application, f"{name}_name", "")
            application.seal_detected = None
            application.seal_place = ""
            application.unfinished = {}  # values as typed: personal data too
            application.scan_stamps = []
            application.scan_check = ""
            application.personal_data_purged_at = now
            # No full_clean(): an erased application is incomplete on purpose.
            application.save()
            _audit(
                application,
                "application.purge",
                fields=list(form_schema.PERSONAL_FIELDS),
                files=[name for name in files if name],
                status=application.status,
            )
            delete_after_commit(name for name in files if name)
        purged.append(application)
    return purged


def unconfirmed_drafts_expire(*, now: datetime.datetime | None = None) -> tuple[int, int]:
    """Delete the drafts whose contact address was not confirmed within
    ``UNCONFIRMED_DRAFT_HOURS``, with their files, added seal pages and mails (nobody showed
    the address was theirs: nothing of them is kept). Each draft in its own transaction,
    re-read under its lock (a confirmation at the same moment wins); the files are deleted
    after commit (a storage that does not answer leaves them to ``cleanup_orphan_files``).
    One audit entry for the run, of counts only (no application, no personal data).
    Returns (drafts deleted, files deleted).
    """
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(hours=settings.UNCONFIRMED_DRAFT_HOURS)
    candidates = list(
        Application.objects.filter(email_confirmed_at__isnull=True, created_at__lt=cutoff)
    )
    drafts = files = 0
    for candidate in candidates:
        with transaction.atomic():
            application = Application.objects.filter(pk=candidate.pk).first()
            if application is None:
                continue
            application = lock_application(application)
            if application.email_confirmed_at is not None:
                continue
            names = [getattr(application, f).name for f in form_schema.FILE_FIELDS]
            pages = SealPage.objects.filter(application=application)
            names += [page.file.name for page in pages]
            names = [name for name in names if name]
            pages.delete()
            mails_forget(application_id=application.pk)
            application.delete()
            delete_after_commit(names)
        drafts += 1
        files += len(names)
    if drafts:
        with transaction.atomic():
            _audit(None, "application.expire_unconfirmed", drafts=drafts, files=files)
    return drafts, files
