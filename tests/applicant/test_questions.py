"""A call's own questions: asked after their section, validated on the server, required only
on submission, kept after an error, shown on the private page, the printed form, the PDF and
in admin, exported as q_<pk> columns; reworded or hidden, never deleted, once in use."""

import csv
import io
import re

import pytest
from django.test import Client
from openpyxl import load_workbook

from applications import services
from applications.models import Application, QuestionKind
from tests.factories import confirm_by_mail, form_data, other_call, seal_upload
from tests.factories.documents import page_texts
from tests.factories.questions import ask_every_kind

pytestmark = pytest.mark.django_db

APPLY = "/calls/rsq-2026/apply/"


@pytest.fixture
def asking(call):
    """Call B with one question of every kind, and a hidden one."""
    b = other_call()
    return b, ask_every_kind(b)


def answers(made, **overrides) -> dict:
    data = {
        made[QuestionKind.SHORT_TEXT].key: "5000–10000",
        made[QuestionKind.LONG_TEXT].key: "参与起草《零售服务规范》。",
        made[QuestionKind.SINGLE_CHOICE].key: "100 家以上",
        made[QuestionKind.MULTIPLE_CHOICE].key: ["超市", "餐饮"],
        made[QuestionKind.YES_NO].key: "True",
        made[QuestionKind.DATE].key: "2020-06-01",
        made[QuestionKind.NUMBER].key: "320",
    }
    data.update(overrides)
    return data


def test_the_form_asks_each_question_after_its_section(client, asking):
    _b, made = asking
    html = client.get(APPLY).content.decode()
    unit = html.index('id="section-unit"')
    drafter = html.index('id="section-drafter"')
    for kind, question in made.items():
        if kind == "hidden":
            assert question.key not in html and question.label not in html
            continue
        at = html.index(f'name="{question.key}"')
        assert (unit < at < drafter) if question.after_section == "unit" else (drafter < at), kind
        assert question.label in html
    assert (
        'type="date"'
        in html.split(f'name="{made[QuestionKind.DATE].key}"')[0][-300:]
        + (html.split(f'name="{made[QuestionKind.DATE].key}"')[1][:300])
    )


def test_a_draft_needs_no_answer_and_a_submission_needs_the_required_ones(client, asking):
    b, made = asking
    draft = client.post(APPLY, {**form_data(b, 1), "action": "draft"})
    assert draft.status_code == 303
    assert Application.objects.get().extra_answers == {}
    typed = {
        made[QuestionKind.LONG_TEXT].key: "已经写好的内容",
        made[QuestionKind.NUMBER].key: "12",
    }
    response = Client().post(APPLY, {**form_data(b, 2), **typed, "seal_scan": seal_upload()})
    assert response.status_code == 200
    errors = response.context["form"].errors
    required = [
        made[k].key
        for k in (QuestionKind.SHORT_TEXT, QuestionKind.SINGLE_CHOICE, QuestionKind.YES_NO)
    ]
    assert sorted(errors) == sorted(required)
    assert all(errors[key] == ["提交前请回答此问题。"] for key in required)
    html = response.content.decode()
    assert "已经写好的内容" in html and 'value="12"' in html  # typed answers kept
    assert Application.objects.count() == 1


def test_bad_answers_are_refused_with_a_message_next_to_them(client, asking):
    b, made = asking
    bad = answers(
        made,
        **{
            made[QuestionKind.SINGLE_CHOICE].key: "不存在的选项",
            made[QuestionKind.NUMBER].key: "三百",
            made[QuestionKind.DATE].key: "2020-13-40",
            made[QuestionKind.SHORT_TEXT].key: "长" * 201,
        },
    )
    response = client.post(APPLY, {**form_data(b, 3), **bad, "seal_scan": seal_upload()})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors[made[QuestionKind.SINGLE_CHOICE].key] == [
        "所选的项目不在列表中，请从列表中重新选择。"
    ]
    assert errors[made[QuestionKind.DATE].key] == [
        "请按“年-月-日”填写日期，如 1980-05-20，或用日期选择器选择。"
    ]
    assert made[QuestionKind.NUMBER].key in errors and made[QuestionKind.SHORT_TEXT].key in errors
    assert not Application.objects.exists()


def test_answers_are_kept_shown_printed_and_exported(client, asking, admin_client):
    b, made = asking
    response = client.post(APPLY, {**form_data(b, 4), **answers(made), "seal_scan": seal_upload()})
    assert response.status_code == 303
    response = confirm_by_mail(client)
    assert response.status_code == 303
    application = Application.objects.get()
    assert application.extra_answers == {
        str(made[QuestionKind.SHORT_TEXT].pk): "5000–10000",
        str(made[QuestionKind.LONG_TEXT].pk): "参与起草《零售服务规范》。",
        str(made[QuestionKind.SINGLE_CHOICE].pk): "100 家以上",
        str(made[QuestionKind.MULTIPLE_CHOICE].pk): ["超市", "餐饮"],
        str(made[QuestionKind.YES_NO].pk): True,
        str(made[QuestionKind.DATE].pk): "2020-06-01",
        str(made[QuestionKind.NUMBER].pk): 320,
    }
    private = response["Location"]
    page = re.sub(r"\s+", " ", client.get(private).content.decode())
    assert (
        "附加信息" in page
        and "超市、餐饮" in page
        and '员工人数</dt><dd class="col-sm-9 prewrap">320' in page
    )
    printed = client.get(f"{private}print/").content.decode()
    assert (
        '<p class="extra-heading">附加信息</p>' in printed and "是否通过质量管理体系认证" in printed
    )
    pdf = "".join(page_texts(client.get(f"{private}form.pdf").content))
    assert "附加信息" in pdf and "5000–10000" in pdf and "2020-06-01" in pdf
    change = admin_client.get(f"/admin/applications/application/{application.pk}/change/")
    assert "附加信息" in change.content.decode() and "100 家以上" in change.content.decode()
    # an answer to a question since hidden stays, and is exported
    application.extra_answers[str(made["hidden"].pk)] = "旧的回答"
    application.save(update_fields=["extra_answers"])
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
    header, row = rows[0], rows[1]
    keys = [q.key for q in b.questions.all()]
    assert [k for k in header if k.startswith("q_")] == keys
    assert row[header.index(made[QuestionKind.MULTIPLE_CHOICE].key)] == "超市、餐饮"
    assert row[header.index(made[QuestionKind.YES_NO].key)] == "是"
    assert row[header.index(made["hidden"].key)] == "旧的回答"
    response = admin_client.get(f"/organiser/applications.xlsx?call__id__exact={b.pk}")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    keys_row = [c.value for c in sheet[1]]
    labels_row = [c.value for c in sheet[2]]
    assert labels_row[keys_row.index(made[QuestionKind.NUMBER].key)] == "员工人数"


def test_an_edit_keeps_the_answers_of_hidden_questions(client, asking):
    b, made = asking
    response = client.post(APPLY, {**form_data(b, 5), **answers(made), "seal_scan": seal_upload()})
    assert response.status_code == 303
    response = confirm_by_mail(client)
    application = Application.objects.get()
    application.extra_answers[str(made["hidden"].pk)] = "旧的回答"
    application.save(update_fields=["extra_answers"])
    edit = f"{response['Location']}edit/"
    form = client.get(edit).content.decode()
    assert 'value="5000–10000"' in form
    changed = answers(made, **{made[QuestionKind.NUMBER].key: "400"})
    assert client.post(edit, {**form_data(b, 5), **changed}).status_code == 303
    application.refresh_from_db()
    assert application.extra_answers[str(made[QuestionKind.NUMBER].pk)] == 400
    assert application.extra_answers[str(made["hidden"].pk)] == "旧的回答"
    assert application.audit_entries.filter(action="application.edit").last().data["changed"] == [
        "extra_answers"
    ]


def test_copying_a_call_copies_its_questions(asking):
    b, _made = asking
    copy = services.call_copy(call=b, actor=None)
    assert [(q.kind, q.label, q.options, q.required, q.hidden) for q in copy.questions.all()] == [
        (q.kind, q.label, q.options, q.required, q.hidden) for q in b.questions.all()
    ]


def test_once_applied_to_a_question_cannot_be_deleted_or_change_kind(asking, admin_client):
    b, _made = asking
    page = admin_client.get(f"/admin/applications/call/{b.pk}/change/").content.decode()
    assert 'name="questions-0-kind"' in page and 'name="questions-0-DELETE"' in page
    Client().post(APPLY, {**form_data(b, 6), "action": "draft"})
    page = admin_client.get(f"/admin/applications/call/{b.pk}/change/").content.decode()
    assert 'name="questions-0-kind"' not in page and 'name="questions-0-DELETE"' not in page
    assert 'name="questions-0-label"' in page and 'name="questions-0-hidden"' in page
