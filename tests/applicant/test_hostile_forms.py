"""Every hostile file of the upload tests, sent through the real form: a clear message on
the field, the rest of the form kept, no application, no file left on disk, no 500."""

import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from applications.models import AnswerFile, Application, PendingUpload, Question, QuestionKind
from applications.uploads import ATTACHMENT_KINDS, SEAL_KINDS
from tests.factories import form_data, pdf_upload
from tests.uploads.test_inspect import REFUSED

pytestmark = pytest.mark.django_db


def files_on_disk(settings):
    root = settings.MEDIA_ROOT
    return [os.path.join(d, f) for d, _s, fs in os.walk(root) for f in fs]


@pytest.mark.parametrize(
    ("name", "build", "allowed", "code"),
    REFUSED,
    ids=[f"{case[0]}-{case[3]}" for case in REFUSED],
)
def test_hostile_file_through_the_form(client, call, settings, name, build, allowed, code):
    fields = {SEAL_KINDS: "seal_scan", ATTACHMENT_KINDS: "unit_profile_file"}
    if allowed not in fields:
        pytest.skip("no field of the form accepts exactly these kinds")
    field = fields[allowed]
    data = form_data(call, 1)
    files = {field: SimpleUploadedFile(name, build())}
    if field != "seal_scan":
        files["seal_scan"] = pdf_upload("盖章扫描件.pdf")
    response = client.post(
        reverse("applications:apply", args=["cqo-2021"]), {**data, "action": "submit", **files}
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.errors) == [field], form.errors
    message = form.errors[field][0]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message), message  # said in Chinese
    html = response.content.decode()
    assert data["unit_name"] in html and data["drafter_name"] in html  # the rest is kept
    assert Application.objects.count() == 0
    # Only the good seal scan (sent with an attachment case) is kept for the next try.
    kept = list(PendingUpload.objects.values_list("field_name", flat=True))
    assert kept == ([] if field == "seal_scan" else ["seal_scan"])
    assert len(files_on_disk(settings)) == len(kept)


ATTACHMENT_CASES = [case for case in REFUSED if case[2] == ATTACHMENT_KINDS]


@pytest.mark.parametrize(
    ("name", "build", "allowed", "code"),
    ATTACHMENT_CASES,
    ids=[f"{case[0]}-{case[3]}" for case in ATTACHMENT_CASES],
)
def test_hostile_file_answering_a_call_question(client, call, settings, name, build, allowed, code):
    """A call's file question takes what the attachments take, with the same checks."""
    question = Question.objects.create(call=call, kind=QuestionKind.FILE, label="营业执照副本")
    data = form_data(call, 1)
    response = client.post(
        reverse("applications:apply", args=["cqo-2021"]),
        {
            **data,
            "action": "submit",
            question.key: SimpleUploadedFile(name, build()),
            "seal_scan": pdf_upload("盖章扫描件.pdf"),
        },
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.errors) == [question.key], form.errors
    assert [error.code for error in form.errors.as_data()[question.key]] == [code]
    html = response.content.decode()
    assert data["unit_name"] in html and data["drafter_name"] in html
    assert not Application.objects.exists() and not AnswerFile.objects.exists()
    assert list(PendingUpload.objects.values_list("field_name", flat=True)) == ["seal_scan"]
    assert len(files_on_disk(settings)) == 1
