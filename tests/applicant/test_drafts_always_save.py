"""Issue 19 item 4: a draft saves everything typed, malformed values included, and lists
what must be fixed before submitting; only submitting insists."""

import re

from django.urls import reverse

from applications import enums
from applications.models import Application
from tests.factories import confirm_by_mail, form_data, seal_upload

APPLY = "/calls/cqo-2021/apply/"


def half_filled(call, **more):
    return {
        **form_data(call, 1),
        "credit_code": "91110108MA01",  # 12 characters
        "postcode": "10008",
        "drafter_email": "wang@example,com",
        "drafter_birth_date": "1975-13-01",
        "action": "draft",
        **more,
    }


def test_a_draft_saves_malformed_values_and_lists_them(client, call):
    response = client.post(APPLY, half_filled(call))
    assert response.status_code == 303, response.content.decode()[:3000]
    application = Application.objects.get()
    assert application.status == enums.Status.DRAFT
    assert (application.credit_code, application.postcode, application.drafter_email) == (
        "",
        "",
        "",
    )
    assert application.drafter_birth_date is None
    assert {name: kept["value"] for name, kept in application.unfinished.items()} == {
        "credit_code": "91110108MA01",
        "postcode": "10008",
        "drafter_email": "wang@example,com",
        "drafter_birth_date": "1975-13-01",
    }
    assert "当前 12 位" in application.unfinished["credit_code"]["message"]

    response = confirm_by_mail(client)  # the address confirmed: the private page
    application.refresh_from_db()
    private = client.get(response["Location"])
    page = private.content.decode()
    assert "提交前还需修改的地方见下方" in page
    assert "草稿已保存，提交前还需修改 4 处" in page
    assert "请填写 6 位数字的邮政编码" in page
    # the credit code's message names its field: said once, not twice
    assert "统一社会信用代码：统一社会信用代码" not in page
    assert "统一社会信用代码应为 18 位（当前 12 位）" in page

    # The edit page offers the values as typed, and says what to fix.
    token = response["Location"].rstrip("/").rsplit("/", 1)[-1]
    edit = client.get(reverse("applications:edit", args=[application.reference, token]))
    edit = edit.content.decode()
    assert 'value="91110108MA01"' in edit and 'value="wang@example,com"' in edit
    assert "草稿中有 4 处提交前需要修改" in edit


def test_submitting_still_insists_and_a_fixed_draft_forgets_the_list(client, call):
    client.post(APPLY, half_filled(call))
    response = confirm_by_mail(client)
    application = Application.objects.get()
    token = response["Location"].rstrip("/").rsplit("/", 1)[-1]
    edit_url = reverse("applications:edit", args=[application.reference, token])
    refused = client.post(
        edit_url, {**half_filled(call), "action": "submit", "seal_scan": seal_upload()}
    )
    assert refused.status_code == 200
    assert re.search(r"有 4 处需要修改", refused.content.decode())
    application.refresh_from_db()
    assert application.status == enums.Status.DRAFT

    fixed = client.post(edit_url, {**form_data(call, 1), "action": "draft"})
    assert fixed.status_code == 303
    application.refresh_from_db()
    assert application.unfinished == {}
    assert application.credit_code == form_data(call, 1)["credit_code"]


def test_what_a_draft_itself_needs_must_still_be_right(client, call):
    response = client.post(APPLY, half_filled(call, contact_email="li@example,com"))
    assert response.status_code == 200
    assert "请填写完整的电子邮箱地址" in response.content.decode()
    assert not Application.objects.exists()
