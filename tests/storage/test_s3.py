"""Uploads in an S3-compatible bucket (a real SeaweedFS server, tests/seaweed.py)."""

import datetime as dt
import io
import re
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from applications import demo, services, uploads
from applications.documents.pdf import application_form_pdf
from applications.models import (
    AnswerFile,
    Application,
    AuditEntry,
    PendingUpload,
    Question,
    QuestionKind,
)
from applications.services.files import STORAGE_UNAVAILABLE, NewFile, delete_after_commit
from applications.storage import private_storage
from chiefquality.storage_url import storage_from_url
from tests.factories import (
    UserFactory,
    confirm_by_mail,
    create_application,
    form_data,
    other_call,
    pdf_file,
    pdf_upload,
    seal_file,
    seal_upload,
)
from tests.seaweed import free_ports

pytestmark = pytest.mark.django_db

STORED_NAME = re.compile(r"^\d{4}/\d{2}/[0-9a-f]{32}\.(png|pdf)$")


def read_download(response) -> bytes:
    return b"".join(response.streaming_content)


def local_private_folder(settings) -> Path:
    return Path(settings.MEDIA_ROOT) / "private"


def make_unreachable(settings, s3_server, bucket: str) -> None:
    """Point the private storage at a loopback port where nothing answers."""
    (port,) = free_ports(1)
    url = s3_server.storage_url(bucket).replace(
        s3_server.endpoint.removeprefix("http://"), f"127.0.0.1:{port}"
    )
    settings.STORAGES = {**settings.STORAGES, "private": storage_from_url(url)}


def test_the_form_stores_uploads_in_the_bucket_under_random_private_names(
    client, call, s3_bucket, s3_server, settings
):
    pdf = pdf_upload()
    pdf_bytes = pdf.read()
    pdf.seek(0)
    response = client.post(
        reverse("applications:apply", args=[call.code]),
        {**form_data(call, action="submit"), "seal_scan": seal_upload(), "unit_profile_file": pdf},
    )
    assert response.status_code == 303
    application = Application.objects.get()
    names = [application.seal_scan.name, application.unit_profile_file.name]
    assert s3_bucket.keys() == sorted(names)
    assert all(STORED_NAME.match(name) for name in names), names
    assert application.seal_scan_name == "盖章扫描件.png"
    assert s3_bucket.read(application.seal_scan.name) == demo.seal_scan_png()
    assert s3_bucket.read(application.unit_profile_file.name) == pdf_bytes
    assert not local_private_folder(settings).exists()
    # Private: the object's plain address answers no one without the keys.
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{s3_server.endpoint}/{s3_bucket.name}/{names[0]}", timeout=5)
    refused.value.close()
    assert refused.value.code == 403


def test_the_private_link_streams_the_file_from_the_bucket(client, call, s3_bucket):
    application, token = create_application(
        call, 1, files={"seal_scan": seal_file(), "unit_profile_file": pdf_file()}
    )
    url = reverse(
        "applications:private_file", args=[application.reference, token, "unit_profile_file"]
    )
    stored = s3_bucket.read(application.unit_profile_file.name)
    assert stored.startswith(b"%PDF-")
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Length"] == str(len(stored))
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''%E5%8D%95%E4%BD%8D%E7%AE%80%E4%BB%8B.pdf"
    )
    assert response["Cache-Control"] == "private, no-store"
    assert read_download(response) == stored
    wrong = reverse(
        "applications:private_file", args=[application.reference, "x" * 43, "seal_scan"]
    )
    assert client.get(wrong).status_code == 404


def test_organisers_download_from_the_bucket_through_the_admin(client, call, s3_bucket):
    application, _ = create_application(call, 1)
    organiser = UserFactory(is_staff=True)
    organiser.user_permissions.add(Permission.objects.get(codename="view_application"))
    client.force_login(organiser)
    page = client.get(reverse("admin:applications_application_change", args=[application.pk]))
    url = reverse("applications:organiser_file", args=[application.pk, "seal_scan"])
    assert page.status_code == 200 and f'href="{url}"' in page.content.decode()
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert read_download(response) == demo.seal_scan_png()


def test_a_replaced_file_leaves_the_bucket_after_the_edit_commits(
    client, call, s3_bucket, django_capture_on_commit_callbacks
):
    application, token = create_application(call, 1)
    old = application.seal_scan.name
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("applications:edit", args=[application.reference, token]),
            {**form_data(call, 1, action="submit"), "seal_scan": seal_upload("新盖章件.png")},
        )
    assert response.status_code == 303
    application.refresh_from_db()
    assert application.seal_scan.name != old
    assert s3_bucket.keys() == [application.seal_scan.name]


def test_a_refused_save_leaves_no_object_in_the_bucket(call, s3_bucket):
    with pytest.raises(ValidationError):
        create_application(
            call,
            1,
            files={"seal_scan": seal_file(), "unit_profile_file": pdf_file()},
            drafter_title="",  # required to submit: refused after both files were written
        )
    assert Application.objects.count() == 0
    assert s3_bucket.keys() == []


def test_the_orphan_sweep_covers_the_bucket(call, s3_bucket):
    application, _ = create_application(call, 1)
    storage = private_storage()
    orphan = storage.save("2020/01/" + "a" * 32 + ".png", ContentFile(b"left by a crash"))
    old_pending = services.pending_upload_create(field_name="seal_scan", change=seal_file())
    PendingUpload.objects.filter(pk=old_pending.pk).update(
        created_at=timezone.now() - dt.timedelta(days=2)
    )
    young_pending = services.pending_upload_create(field_name="seal_scan", change=seal_file())
    expected_before = sorted(
        [application.seal_scan.name, orphan, old_pending.file.name, young_pending.file.name]
    )
    assert s3_bucket.keys() == expected_before

    out = io.StringIO()
    call_command("cleanup_orphan_files", stdout=out)  # the orphan is younger than the grace
    assert s3_bucket.keys() == sorted([application.seal_scan.name, orphan, young_pending.file.name])
    call_command("cleanup_orphan_files", grace_minutes=0, stdout=out)
    assert s3_bucket.keys() == sorted([application.seal_scan.name, young_pending.file.name])
    assert list(PendingUpload.objects.values_list("pk", flat=True)) == [young_pending.pk]
    assert out.getvalue().splitlines() == [
        "Deleted 1 expired kept upload(s), 0 orphan file(s) and 0 partial upload(s).",
        "Deleted 0 expired kept upload(s), 1 orphan file(s) and 0 partial upload(s).",
    ]


def test_an_unreachable_bucket_asks_the_applicant_to_retry_and_saves_nothing(
    client, call, settings, s3_server
):
    make_unreachable(settings, s3_server, "portal")
    data = form_data(call, action="submit", unit_name="无法保存测试有限公司")
    response = client.post(
        reverse("applications:apply", args=[call.code]),
        {**data, "seal_scan": seal_upload(), "unit_profile_file": pdf_upload()},
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors == {
        "seal_scan": [str(STORAGE_UNAVAILABLE)],
        "unit_profile_file": [str(STORAGE_UNAVAILABLE)],
    }
    html = response.content.decode()
    assert "文件暂时无法保存（文件存储服务没有响应），请稍后重新选择该文件并提交" in html
    assert 'value="无法保存测试有限公司"' in html  # what was typed is kept
    assert "已填写的内容已保留，文件需要重新选择。" in html
    assert "已上传的文件都已保留" not in html
    assert Application.objects.count() == 0
    assert PendingUpload.objects.count() == 0
    assert AuditEntry.objects.count() == 0


def test_an_unreachable_bucket_leaves_an_edited_application_as_it_was(
    client, call, s3_bucket, settings, s3_server
):
    application, token = create_application(call, 1)
    reachable = settings.STORAGES
    entries = AuditEntry.objects.count()
    make_unreachable(settings, s3_server, s3_bucket.name)
    edit = reverse("applications:edit", args=[application.reference, token])
    response = client.post(
        edit,
        {
            **form_data(call, 1, action="submit", drafter_title="研究员"),
            "seal_scan": seal_upload("新盖章件.png"),
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {"seal_scan": [str(STORAGE_UNAVAILABLE)]}
    download = reverse(
        "applications:private_file", args=[application.reference, token, "seal_scan"]
    )
    unavailable = client.get(download)
    assert unavailable.status_code == 503
    assert "文件暂时无法读取，请稍后再试" in unavailable.content.decode()

    settings.STORAGES = reachable  # the bucket is back
    stored = Application.objects.get(pk=application.pk)
    assert stored.drafter_title == application.drafter_title != "研究员"
    assert stored.seal_scan.name == application.seal_scan.name
    assert AuditEntry.objects.count() == entries
    assert s3_bucket.keys() == [application.seal_scan.name]
    assert read_download(client.get(download)) == demo.seal_scan_png()


@pytest.mark.django_db(transaction=True)
def test_a_delete_that_fails_after_the_commit_is_logged_and_left_to_the_sweep(
    call, s3_bucket, settings, s3_server, caplog
):
    application, _ = create_application(call, 1)
    reachable = settings.STORAGES
    make_unreachable(settings, s3_server, s3_bucket.name)
    with transaction.atomic():
        delete_after_commit([application.seal_scan.name])
    assert "could not delete" in caplog.text
    settings.STORAGES = reachable
    assert s3_bucket.keys() == [application.seal_scan.name]  # still there, still referenced


def test_a_file_question_is_answered_in_the_bucket_and_replaced_there(
    client, call, s3_bucket, django_capture_on_commit_callbacks
):
    """A call's file question: stored under a private name like every upload, streamed
    through the private link, and a replaced answer leaves the bucket once the edit commits;
    a refused save leaves no object behind."""
    b = other_call()
    licence = Question.objects.create(
        call=b, kind=QuestionKind.FILE, label="营业执照副本", required=True
    )
    pdf = pdf_upload("营业执照副本.pdf")
    pdf_bytes = pdf.read()
    pdf.seek(0)
    response = client.post(
        reverse("applications:apply", args=[b.code]),
        {**form_data(b, action="submit"), "seal_scan": seal_upload(), licence.key: pdf},
    )
    assert response.status_code == 303
    application = Application.objects.get()
    row = AnswerFile.objects.get()
    assert STORED_NAME.match(row.file.name)
    assert s3_bucket.keys() == sorted([application.seal_scan.name, row.file.name])
    assert s3_bucket.read(row.file.name) == pdf_bytes
    private = confirm_by_mail(client)["Location"]
    application.refresh_from_db()
    download = client.get(f"{private}files/{licence.key}/")
    assert read_download(download) == pdf_bytes

    # The scan matches; a new file changes a printed answer, so the save is refused as
    # stale after the new file was written to the bucket: the object goes again.
    scan = SimpleUploadedFile("盖章表.pdf", application_form_pdf(application))
    uploads.inspect_upload(scan, allowed=uploads.SEAL_KINDS)
    stamps = tuple(uploads.read_stamps(scan, "pdf"))
    with django_capture_on_commit_callbacks(execute=True):  # the old scan goes
        application = services.application_update(
            application=application,
            values={},
            standards=list(application.standards.all()),
            files={"seal_scan": NewFile(scan, "盖章表.pdf", ".pdf", stamps=stamps)},
            action="submit",
        )
    assert application.scan_check == "matches"
    row = AnswerFile.objects.get()
    kept = sorted([application.seal_scan.name, row.file.name])
    assert s3_bucket.keys() == kept
    with pytest.raises(ValidationError) as refused:
        services.application_update(
            application=application,
            values={},
            standards=list(application.standards.all()),
            files={},
            answer_files={licence.pk: pdf_file("另一份.pdf")},
            action="submit",
        )
    assert refused.value.error_dict["seal_scan"][0].code == "stale_scan"
    assert s3_bucket.keys() == kept

    token = private.rstrip("/").rsplit("/", 1)[-1]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("applications:edit", args=[application.reference, token]),
            {
                **form_data(b, action="submit"),
                licence.key: pdf_upload("新执照.pdf"),
                "confirm_stale": "1",  # the stamped form named the old file
            },
        )
    assert response.status_code == 303
    new = AnswerFile.objects.get()
    assert new.original_name == "新执照.pdf" and new.file.name != row.file.name
    assert s3_bucket.keys() == sorted([application.seal_scan.name, new.file.name])
