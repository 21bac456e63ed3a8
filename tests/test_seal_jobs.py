"""The red-seal hint is a job: the save does not wait for it, the worker writes it, and a
scan replaced before the job ran keeps its own hint."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tasks_db.models import DBTaskResult
from PIL import Image

from applications import services
from applications.models import Application
from applications.seal_jobs import seal_hint
from tests.factories import create_application, seal_upload, selector
from tests.jobs import run_jobs

pytestmark = pytest.mark.django_db


def grey_png(name="grey.png") -> services.NewFile:
    buffer = io.BytesIO()
    Image.new("RGB", (400, 300), "lightgrey").save(buffer, format="PNG")
    buffer.seek(0)
    upload = SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")
    return services.NewFile(upload=upload, original_name=name, extension=".png")


def test_the_hint_comes_from_the_worker_for_the_current_scan(call):
    application, token = create_application(call, 1, files={"seal_scan": grey_png()})
    assert Application.objects.get().seal_detected is None
    assert DBTaskResult.objects.filter(task_path="applications.seal_jobs.seal_hint").count() == 1
    run_jobs()
    assert Application.objects.get().seal_detected is False  # grey: no red seal

    # A new scan: its own job; the first job, run late on the old name, changes nothing.
    old_name = Application.objects.get().seal_scan.name
    services.application_update(
        application=application,
        values={},
        standards=list(application.standards.all()),
        files={
            "seal_scan": services.NewFile(
                upload=seal_upload("red.png"), original_name="red.png", extension=".png"
            )
        },
        action="submit",
        token=token,
    )
    updated = Application.objects.get()
    assert updated.seal_scan.name != old_name
    assert updated.seal_detected is None
    assert seal_hint.call(updated.pk, old_name) is None
    assert Application.objects.get().seal_detected is None
    run_jobs()
    assert Application.objects.get().seal_detected is True


def test_the_organiser_is_told_the_hint_is_still_to_come_until_the_worker_runs(call, client):
    """Not "cannot tell" while the job waits (a worker that is down): the page says the
    hint is coming; once the worker has run, what it found."""
    application, _token = create_application(call, 1, files={"seal_scan": grey_png()})
    client.force_login(selector())
    page = f"/admin/applications/application/{application.pk}/change/"
    waiting = client.get(page).content.decode()
    assert "正在检测红色印章" in waiting and "未能自动判断" not in waiting
    run_jobs()
    done = client.get(page).content.decode()
    assert "正在检测红色印章" not in done
    assert "未检测到红色印章，请重点核对。" in done  # grey: no seal
