"""manage.py backup / restore: a whole call round-trips, rows and file bytes alike."""

import io
import json
import tarfile

import pytest
from django.apps import apps
from django.core import serializers
from django.core.management import call_command
from django.core.management.base import CommandError

from applications import backup, enums, services
from applications.models import (
    AnswerFile,
    Application,
    AuditEntry,
    OrganisingBody,
    Question,
    QuestionKind,
    Review,
)
from applications.storage import private_storage
from tests.factories import (
    application_in_status,
    create_application,
    other_call,
    pdf_file,
    recommend,
    seal_file,
    selector,
    values,
)
from tests.factories.documents import select

pytestmark = pytest.mark.django_db(transaction=True)


def rows() -> dict[str, list[dict]]:
    """Every row of every model but those `migrate` makes, as the serialisers see them."""
    snapshot = {}
    for model in apps.get_models():
        label = model._meta.label_lower
        if model._meta.app_label in ("contenttypes", "sessions") or label == "auth.permission":
            continue
        queryset = model._base_manager.order_by("pk")  # noqa: SLF001
        data = serializers.serialize("python", queryset, use_natural_foreign_keys=True)
        if data:
            snapshot[label] = data
    return snapshot


def stored() -> dict[str, bytes]:
    storage = private_storage()
    files = {}
    for name, _modified in storage.walk():
        handle, _size = storage.open_stream(name)
        with handle:
            files[name] = handle.read()
    return files


def empty_everything() -> None:
    """A new database (migrated: content types and permissions made anew) and storage."""
    storage = private_storage()
    for name in [name for name, _modified in storage.walk()]:
        storage.delete(name)
    call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def busy_call(call):
    """A call in mid-selection: drafts, submissions with files, reviews, decisions."""
    chooser = selector()
    bodies = list(OrganisingBody.objects.order_by("pk"))
    application_in_status(call, enums.Status.DRAFT, chooser, number=1)
    reviewed, _ = create_application(
        call, 2, files={"seal_scan": seal_file(), "unit_profile_file": pdf_file()}
    )
    recommend(reviewed, bodies)
    select(reviewed, chooser)
    application_in_status(call, enums.Status.REJECTED, chooser, number=3)
    application_in_status(call, enums.Status.WITHDRAWN, chooser, number=4)
    create_application(call, 5, files={"seal_scan": seal_file(), "drafter_resume_file": pdf_file()})
    return call


def backup_to(tmp_path) -> tuple[str, str]:
    path = tmp_path / "portal.tar.gz"
    out = io.StringIO()
    call_command("backup", str(path), stdout=out)
    return str(path), out.getvalue()


def test_a_call_round_trips_rows_and_file_bytes(busy_call, tmp_path):
    before_rows, before_files = rows(), stored()
    assert Review.objects.count() == 3 and AuditEntry.objects.count() > 10
    assert len(before_files) == 6  # 4 seal scans, a profile and a resume
    assert {
        "applications.application",
        "applications.review",
        "applications.auditentry",
        "auth.user",
        "auth.group",
    } <= set(before_rows)
    path, report = backup_to(tmp_path)
    with tarfile.open(path) as archive:
        manifest = json.load(archive.extractfile("manifest.json"))
    assert manifest["database"]["objects"] == {
        label: len(data) for label, data in sorted(before_rows.items())
    }
    assert sorted(f["name"] for f in manifest["files"]) == sorted(before_files)
    assert manifest["missing_files"] == []
    assert f"{len(before_files)} files" in report

    empty_everything()
    assert Application.objects.count() == 0 and stored() == {}
    out = io.StringIO()
    call_command("restore", path, stdout=out)
    assert rows() == before_rows
    assert stored() == before_files
    total = sum(manifest["database"]["objects"].values())
    assert out.getvalue().startswith(f"Restored {total} database rows")
    # The restored portal works on: a new application continues the reference numbers.
    application, _ = create_application(busy_call, 6)
    assert application.reference == "CQO-2021-0006"


def test_a_backup_of_local_files_restores_into_the_bucket(busy_call, tmp_path, s3_bucket, settings):
    local = settings.STORAGES
    settings.STORAGES = {**local, "private": {"BACKEND": "applications.storage.PrivateStorage"}}
    before_rows, before_files = rows(), stored()
    path, _report = backup_to(tmp_path)
    empty_everything()
    settings.STORAGES = local  # the bucket of s3_bucket
    assert s3_bucket.keys() == []
    call_command("restore", path, stdout=io.StringIO())
    assert rows() == before_rows
    assert s3_bucket.keys() == sorted(before_files)
    assert {key: s3_bucket.read(key) for key in sorted(before_files)} == before_files


def test_restore_refuses_a_database_or_storage_that_holds_data(busy_call, tmp_path):
    path, _report = backup_to(tmp_path)
    before_rows, before_files = rows(), stored()
    with pytest.raises(CommandError, match="restore fills an empty database and storage") as info:
        call_command("restore", path, stdout=io.StringIO())
    assert "applications.application: 5" in str(info.value)
    assert rows() == before_rows and stored() == before_files

    files = dict(before_files)
    empty_everything()
    name, data = next(iter(files.items()))
    private_storage().save(name, io.BytesIO(data))
    with pytest.raises(CommandError, match="files in the private storage"):
        call_command("restore", path, stdout=io.StringIO())
    assert Application.objects.count() == 0


def test_a_damaged_archive_is_refused_before_anything_is_written(busy_call, tmp_path):
    path, _report = backup_to(tmp_path)
    damaged = tmp_path / "damaged.tar.gz"
    with tarfile.open(path) as source, tarfile.open(damaged, "w:gz") as target:
        for member in source:
            data = source.extractfile(member).read()
            if member.name.startswith("files/") and member.name.endswith(".png"):
                data = data[:-1] + bytes([data[-1] ^ 1])
            target.addfile(member, io.BytesIO(data))
    empty_everything()
    with pytest.raises(CommandError, match="has a wrong checksum: the archive is damaged"):
        call_command("restore", str(damaged), stdout=io.StringIO())
    assert Application.objects.count() == 0 and stored() == {}


def test_backup_summary_counts_every_model(busy_call, tmp_path):
    summary = backup.backup(tmp_path / "b.tar.gz")
    assert summary.objects["applications.application"] == 5
    assert summary.objects["applications.review"] == 3
    assert summary.files == 6
    assert summary.file_bytes == sum(len(data) for data in stored().values())


def test_a_file_that_rows_name_but_the_storage_lost_is_reported(call, tmp_path):
    application, _ = create_application(call, 1)
    kept, _ = create_application(call, 2)
    private_storage().delete(application.seal_scan.name)
    out, err = io.StringIO(), io.StringIO()
    call_command("backup", str(tmp_path / "b.tar.gz"), stdout=out, stderr=err)
    with tarfile.open(tmp_path / "b.tar.gz") as archive:
        manifest = json.load(archive.extractfile("manifest.json"))
    assert manifest["missing_files"] == [application.seal_scan.name]
    assert [f["name"] for f in manifest["files"]] == [kept.seal_scan.name]
    assert err.getvalue() == (
        f"Warning: {application.seal_scan.name} is named by a row but not in the storage.\n"
    )


def test_a_file_answering_a_question_is_backed_up_and_restored(call, tmp_path):
    b = other_call()
    licence = Question.objects.create(call=b, kind=QuestionKind.FILE, label="营业执照副本")
    services.application_create(
        call=b,
        values=values(1),
        standards=list(b.standards.all()[:1]),
        files={"seal_scan": seal_file()},
        answer_files={licence.pk: pdf_file("营业执照副本.pdf")},
        action="submit",
    )
    name = AnswerFile.objects.get().file.name
    before_rows, before_files = rows(), stored()
    assert name in before_files and before_files[name].startswith(b"%PDF-")
    path, _report = backup_to(tmp_path)
    with tarfile.open(path) as archive:
        manifest = json.load(archive.extractfile("manifest.json"))
    assert manifest["database"]["objects"]["applications.answerfile"] == 1
    assert name in {f["name"] for f in manifest["files"]}
    empty_everything()
    call_command("restore", path, stdout=io.StringIO())
    assert rows() == before_rows and stored() == before_files
    assert AnswerFile.objects.get().original_name == "营业执照副本.pdf"
