"""A call's file question through the form and the pages: the attachments' checks with the
message next to the question, the file kept after an error elsewhere, replaced and removed on
edit, shown on the private page and in admin, printed and exported as its name."""

import csv
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import load_workbook

from applications import services
from applications.models import AnswerFile, Application, Question, QuestionKind
from tests.factories import confirm_by_mail, form_data, other_call, pdf_upload, seal_upload
from tests.factories.documents import page_texts

pytestmark = pytest.mark.django_db

APPLY = "/calls/rsq-2026/apply/"


@pytest.fixture
def asking(call):
    """Call B asking for a file (required to submit) after the drafter, and a short text."""
    b = other_call()
    licence = Question.objects.create(
        call=b,
        kind=QuestionKind.FILE,
        label="营业执照副本",
        help_text="加盖公章的复印件。",
        required=True,
        after_section="drafter",
        position=1,
    )
    text = Question.objects.create(
        call=b, kind=QuestionKind.SHORT_TEXT, label="门店数量", after_section="unit", position=2
    )
    return b, licence, text


def test_the_form_asks_for_the_file_after_its_section_as_the_attachments_are_asked(client, asking):
    _b, licence, _text = asking
    html = client.get(APPLY).content.decode()
    drafter = html.index('id="section-drafter"')
    at = html.index(f'name="{licence.key}"')
    assert drafter < at
    field = html[html.rindex("<input", 0, at) : html.index(">", at)]
    assert 'type="file"' in field and 'accept=".pdf,.doc,.docx,.jpg,.jpeg,.png,' in field
    assert 'data-max-bytes="20971520"' in field and 'class="form-control"' in field
    assert "加盖公章的复印件。 支持 PDF、Word（DOC/DOCX）、JPG、PNG，不超过 20 MB。" in html


def test_a_file_of_a_wrong_kind_is_refused_next_to_the_question_and_the_rest_is_kept(
    client, asking
):
    b, licence, text = asking
    fake = SimpleUploadedFile(
        "执照.pdf", b"just some text, not a PDF", content_type="application/pdf"
    )
    response = client.post(
        APPLY,
        {**form_data(b, 1), text.key: "12 家", licence.key: fake, "seal_scan": seal_upload()},
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.errors) == [licence.key]
    (message,) = form.errors[licence.key]
    assert "执照.pdf" in message and "请上传以下格式的文件" in message
    html = response.content.decode()
    error = html.index(f'id="id_{licence.key}_error"')
    assert html.index(f'id="div_id_{licence.key}"') < error
    assert 'value="12 家"' in html and "盖章扫描件.png" in html  # the rest kept
    assert 'name="seal_scan_pending"' in html and f'name="{licence.key}_pending"' not in html
    assert not Application.objects.exists() and not AnswerFile.objects.exists()


def test_the_file_is_kept_through_an_error_elsewhere_and_saved_with_the_form(client, asking):
    b, licence, text = asking
    response = client.post(
        APPLY,
        {
            **form_data(b, 2, drafter_email="not an address"),
            text.key: "12 家",
            licence.key: pdf_upload("营业执照副本.pdf"),
            "seal_scan": seal_upload(),
        },
    )
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["drafter_email"]
    html = response.content.decode()
    assert "已上传：<strong>营业执照副本.pdf</strong>" in html
    kept = re.search(rf'name="{licence.key}_pending" value="([^"]+)"', html).group(1)
    scan = re.search(r'name="seal_scan_pending" value="([^"]+)"', html).group(1)
    response = client.post(
        APPLY,
        {
            **form_data(b, 2),
            text.key: "12 家",
            f"{licence.key}_pending": kept,
            "seal_scan_pending": scan,
        },
    )
    assert response.status_code == 303
    assert confirm_by_mail(client).status_code == 303  # the submission completes
    application = Application.objects.get()
    row = AnswerFile.objects.get()
    assert (application.status, row.original_name, row.question) == (
        "submitted",
        "营业执照副本.pdf",
        licence,
    )
    assert application.extra_answers == {str(licence.pk): "营业执照副本.pdf", str(text.pk): "12 家"}


def test_a_draft_needs_no_file_and_a_submission_asks_for_it_next_to_the_question(client, asking):
    b, licence, _text = asking
    assert client.post(APPLY, {**form_data(b, 3), "action": "draft"}).status_code == 303
    assert Application.objects.get().status == "draft"
    response = Client().post(APPLY, {**form_data(b, 4), "seal_scan": seal_upload()})
    assert response.status_code == 200
    assert response.context["form"].errors == {licence.key: ["提交前请回答此问题。"]}


def test_an_edit_replaces_the_file_and_an_optional_one_can_be_removed(client, asking):
    b, licence, _text = asking
    response = client.post(
        APPLY,
        {**form_data(b, 5), licence.key: pdf_upload("旧执照.pdf"), "seal_scan": seal_upload()},
    )
    edit = f"{confirm_by_mail(client)['Location']}edit/"
    page = client.get(edit).content.decode()
    assert "当前文件：<strong>旧执照.pdf</strong>" in page
    assert f'name="{licence.key}_clear"' not in page  # required: replaced, never removed
    # without a new file the saved one stays
    assert client.post(edit, form_data(b, 5)).status_code == 303
    assert AnswerFile.objects.get().original_name == "旧执照.pdf"
    response = client.post(edit, {**form_data(b, 5), licence.key: pdf_upload("新执照.pdf")})
    assert response.status_code == 303
    assert AnswerFile.objects.get().original_name == "新执照.pdf"

    licence.required = False
    licence.save()
    page = client.get(edit).content.decode()
    assert f'name="{licence.key}_clear"' in page
    response = client.post(edit, {**form_data(b, 5), f"{licence.key}_clear": "1"})
    assert response.status_code == 303
    assert not AnswerFile.objects.exists()
    assert str(licence.pk) not in Application.objects.get().extra_answers


def test_the_file_is_shown_printed_exported_and_viewed_in_admin(client, asking, admin_client):
    b, licence, _text = asking
    upload = pdf_upload("营业执照副本.pdf")
    content = upload.read()
    upload.seek(0)
    response = client.post(
        APPLY, {**form_data(b, 6), licence.key: upload, "seal_scan": seal_upload()}
    )
    assert response.status_code == 303
    private = confirm_by_mail(client)["Location"]
    application = Application.objects.get()
    page = re.sub(r"\s+", " ", client.get(private).content.decode())
    link = f"{private}files/{licence.key}/"
    assert f'<a href="{link}" download>营业执照副本：营业执照副本.pdf</a>' in page
    assert "KB）" in page  # its size
    assert '营业执照副本</dt><dd class="col-sm-9 prewrap">营业执照副本.pdf' in page
    download = client.get(link)
    assert b"".join(download.streaming_content) == content
    assert download["Content-Disposition"] == (
        "attachment; filename*=utf-8''%E8%90%A5%E4%B8%9A%E6%89%A7%E7%85%A7%E5%89%AF%E6%9C%AC.pdf"
    )
    assert Client().get(link.replace(private.split("/")[-2], "x" * 43)).status_code == 404

    printed = client.get(f"{private}print/").content.decode()
    assert '<th>营业执照副本</th><td class="prewrap">营业执照副本.pdf</td>' in printed
    pdf_text = "".join(page_texts(client.get(f"{private}form.pdf").content))
    assert "附加信息" in pdf_text and "营业执照副本.pdf" in pdf_text

    change = admin_client.get(f"/admin/applications/application/{application.pk}/change/")
    html = change.content.decode()
    organiser = f"/organiser/files/{application.pk}/{licence.key}/"
    assert f'<a class="file-download" href="{organiser}" download>营业执照副本.pdf</a>' in html
    assert f'<iframe src="{organiser}?inline=1"' in html
    inline = admin_client.get(f"{organiser}?inline=1")
    assert inline["Content-Type"] == "application/pdf"
    assert b"".join(inline.streaming_content) == content

    rows = list(
        csv.reader(
            io.StringIO(
                b"".join(
                    admin_client.get(
                        f"/organiser/applications.csv?call__id__exact={b.pk}"
                    ).streaming_content
                ).decode("utf-8-sig")
            )
        )
    )
    assert rows[1][rows[0].index(licence.key)] == "营业执照副本.pdf"
    response = admin_client.get(f"/organiser/applications.xlsx?call__id__exact={b.pk}")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    keys = [c.value for c in sheet[1]]
    column = keys.index(licence.key)
    assert (sheet[2][column].value, sheet[3][column].value) == ("营业执照副本", "营业执照副本.pdf")


def test_copying_a_call_copies_the_file_question_and_no_file(client, asking):
    b, licence, _text = asking
    client.post(APPLY, {**form_data(b, 7), licence.key: pdf_upload(), "seal_scan": seal_upload()})
    copy = services.call_copy(call=b, actor=None)
    copied = copy.questions.get(kind=QuestionKind.FILE)
    assert (copied.label, copied.required, copied.after_section) == (
        "营业执照副本",
        True,
        "drafter",
    )
    assert not AnswerFile.objects.filter(question=copied).exists()
    assert AnswerFile.objects.count() == 1
