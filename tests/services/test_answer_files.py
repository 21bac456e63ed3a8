"""The file kind of a call's own questions, through the services: the file is an ``AnswerFile``
row (its name is the answer), required only on submission, replaced with the old file deleted
after commit, never left behind by a save that fails, and gone with a personal-data purge."""

import datetime as dt
import hashlib
import os

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from applications import services, uploads
from applications.documents import pdf
from applications.enums import ScanCheck
from applications.management.commands.cleanup_orphan_files import referenced_names
from applications.models import AnswerFile, Application, Question, QuestionKind
from applications.services import KeptFile, NewFile
from applications.storage import private_storage
from tests.factories import other_call, pdf_file, seal_file, values

pytestmark = pytest.mark.django_db


def stored_bytes(name: str) -> bytes:
    with private_storage().open(name) as handle:
        return handle.read()


def stored_files() -> list[str]:
    root = private_storage().location
    return sorted(
        os.path.relpath(os.path.join(d, f), root) for d, _dirs, fs in os.walk(root) for f in fs
    )


@pytest.fixture
def asking(call):
    """Call B with a required file question and an optional one."""
    b = other_call()
    licence = Question.objects.create(
        call=b, kind=QuestionKind.FILE, label="营业执照副本", required=True, position=1
    )
    photo = Question.objects.create(
        call=b, kind=QuestionKind.FILE, label="门店照片", required=False, position=2
    )
    return b, licence, photo


def create(call, number=1, *, action="submit", answer_files=None, **overrides):
    return services.application_create(
        call=call,
        values=values(number, **overrides),
        standards=list(call.standards.all()[:1]),
        files={"seal_scan": seal_file()} if action == "submit" else {},
        answer_files=answer_files or {},
        action=action,
        confirmed=True,  # an address already confirmed: these tests are about the files
    )


def update(application, token, *, answer_files=None, files=None, action="submit", **changes):
    application = Application.objects.get(pk=application.pk)
    data = {name: getattr(application, name) for name in values(1)}
    data["extra_answers"] = application.extra_answers
    data.update(changes)
    return services.application_update(
        application=application,
        values=data,
        standards=list(application.standards.all()),
        files=files or {},
        answer_files=answer_files or {},
        action=action,
        token=token,
    )


def test_a_draft_needs_no_file_and_a_submission_the_required_one(asking):
    b, licence, _photo = asking
    draft, _token = create(b, 1, action="draft")
    assert (draft.extra_answers, AnswerFile.objects.count()) == ({}, 0)

    with pytest.raises(ValidationError) as refused:
        create(b, 2)
    assert refused.value.message_dict == {licence.key: ["提交前请回答此问题。"]}
    assert Application.objects.count() == 1
    assert stored_files() == []  # the seal scan of the refused one is gone too


def test_the_file_is_a_row_and_its_name_the_answer(asking):
    b, licence, _photo = asking
    upload = pdf_file("营业执照副本.pdf")
    content = upload.upload.read()
    application, _token = create(b, 1, answer_files={licence.pk: upload})
    row = AnswerFile.objects.get()
    assert (row.application, row.question, row.original_name, row.size, row.sha256) == (
        application,
        licence,
        "营业执照副本.pdf",
        len(content),
        hashlib.sha256(content).hexdigest(),
    )
    assert row.file.name.endswith(".pdf") and "营业执照" not in row.file.name
    assert stored_bytes(row.file.name) == content
    assert application.extra_answers == {str(licence.pk): "营业执照副本.pdf"}
    assert application.audit_entries.get(action="application.create").data["to"] == "submitted"


def test_a_replaced_file_is_deleted_after_commit_and_a_removed_one_too(
    asking, django_capture_on_commit_callbacks
):
    b, licence, photo = asking
    application, token = create(
        b, 1, answer_files={licence.pk: pdf_file("旧执照.pdf"), photo.pk: pdf_file("门店.pdf")}
    )
    old = AnswerFile.objects.get(question=licence).file.name
    photo_name = AnswerFile.objects.get(question=photo).file.name
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        update(application, token, answer_files={licence.pk: pdf_file("新执照.pdf")})
    assert old in stored_files()  # not before the commit
    for callback in callbacks:
        callback()
    new = AnswerFile.objects.get(question=licence)
    assert new.original_name == "新执照.pdf" and new.file.name != old
    assert old not in stored_files() and new.file.name in stored_files()
    application.refresh_from_db()
    assert application.extra_answers[str(licence.pk)] == "新执照.pdf"
    assert application.audit_entries.filter(action="application.edit").last().data["changed"] == [
        "extra_answers"
    ]

    with django_capture_on_commit_callbacks(execute=True):
        update(application, token, answer_files={photo.pk: services.ClearFile()})
    assert not AnswerFile.objects.filter(question=photo).exists()
    assert photo_name not in stored_files()
    application.refresh_from_db()
    assert str(photo.pk) not in application.extra_answers


def test_a_save_refused_after_the_file_was_stored_leaves_no_file_behind(asking):
    """A submitted application whose seal scan matches: a new file changes a printed answer,
    and the save is refused as stale after the new file was written."""
    b, licence, _photo = asking
    application, token = create(b, 1, answer_files={licence.pk: pdf_file("旧执照.pdf")})
    data = pdf.application_form_pdf(application)
    upload = SimpleUploadedFile("盖章表.pdf", data, content_type="application/pdf")
    inspected = uploads.inspect_upload(upload, allowed=uploads.SEAL_KINDS)
    scan = NewFile(upload, "盖章表.pdf", ".pdf", stamps=tuple(uploads.read_stamps(upload, "pdf")))
    assert inspected.kind == "pdf"
    application = update(application, token, files={"seal_scan": scan})
    assert Application.objects.get(pk=application.pk).scan_check == ScanCheck.MATCHES
    before = stored_files()

    with pytest.raises(ValidationError) as refused:
        update(application, token, answer_files={licence.pk: pdf_file("新执照.pdf")})
    assert refused.value.error_dict["seal_scan"][0].code == "stale_scan"
    assert stored_files() == before
    assert AnswerFile.objects.get().original_name == "旧执照.pdf"


def test_a_kept_upload_is_claimed_as_the_answer(asking):
    b, licence, _photo = asking
    pending = services.pending_upload_create(field_name=licence.key, change=pdf_file("执照.pdf"))
    application, _token = create(b, 1, answer_files={licence.pk: KeptFile(pending)})
    row = AnswerFile.objects.get()
    assert (row.file.name, row.original_name) == (pending.file.name, "执照.pdf")
    assert row.sha256 == hashlib.sha256(stored_bytes(pending.file.name)).hexdigest()
    assert application.extra_answers == {str(licence.pk): "执照.pdf"}
    assert not type(pending).objects.exists()
    assert row.file.name in referenced_names()


def test_a_file_for_a_question_not_asked_is_refused(asking, call):
    b, _licence, _photo = asking
    hidden = Question.objects.create(call=b, kind=QuestionKind.FILE, label="旧问题", hidden=True)
    elsewhere = Question.objects.create(call=call, kind=QuestionKind.FILE, label="别的征集")
    for question in (hidden, elsewhere):
        with pytest.raises(ValidationError) as refused:
            create(b, 1, action="draft", answer_files={question.pk: pdf_file()})
        assert refused.value.messages == ["该问题不再接受文件，请刷新页面后重试。"]
    assert stored_files() == [] and not Application.objects.exists()


def test_a_purge_erases_the_files_and_their_names(asking, django_capture_on_commit_callbacks):
    b, licence, _photo = asking
    application, _token = create(b, 1, answer_files={licence.pk: pdf_file("执照.pdf")})
    name = AnswerFile.objects.get().file.name
    Application.objects.filter(pk=application.pk).update(
        updated_at=timezone.now() - dt.timedelta(days=400)
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.personal_data_purge(call=b, older_than_days=365)
    application.refresh_from_db()
    assert application.personal_data_purged_at is not None
    assert not AnswerFile.objects.exists() and name not in stored_files()
    assert application.extra_answers == {}
    assert name in application.audit_entries.get(action="application.purge").data["files"]
