"""A draft with a birth date partly chosen (年 only) keeps what was chosen (issue 19, items 4
and 18): the edit page shows the year again and says what is missing."""

import re

import pytest

from applications.models import Application
from tests.factories import confirm_by_mail, form_data

pytestmark = pytest.mark.django_db


def test_a_partly_chosen_birth_date_is_kept_by_a_draft(client, call):
    data = form_data(call, 1, action="draft", drafter_birth_date=None)
    data.update(
        drafter_birth_date_year="1975", drafter_birth_date_month="", drafter_birth_date_day=""
    )
    response = client.post("/calls/cqo-2021/apply/", data)
    assert response.status_code == 303
    application = Application.objects.get()
    assert application.drafter_birth_date is None
    assert application.unfinished["drafter_birth_date"] == {
        "value": "1975-0-0",
        "message": "请选择完整的出生年、月、日。",
    }
    response = confirm_by_mail(client)
    page = client.get(response["Location"] + "edit/").content.decode()
    assert re.search(r'<option value="1975" selected>', page)
    assert "请选择完整的出生年、月、日。" in page
