"""A call manager changes a final list from a phone: the form's labels sit on their fields
(a flex-basis once became each label's height in the admin's column layout), a refusal
keeps what was typed and says next to the choice what is missing."""

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from playwright.sync_api import expect

from applications import services
from applications.enums import Status
from applications.roles import CALL_MANAGER_GROUP
from tests.factories import UserFactory, application_in_status, selector

from .conftest import PHONE, screenshot
from .helpers import assert_no_sideways_scroll
from .test_publicity_flow import log_in

pytestmark = pytest.mark.browser


def test_the_final_change_form_on_a_phone(transactional_db, call, open_page):
    boss = selector()
    call.required_recommendations = 0
    call.save(update_fields=["required_recommendations"])
    for number in (1, 2):
        application_in_status(call, Status.SELECTED, boss, number=number)
    services.publicity_publish(call=call, actor=boss, now=timezone.now())
    call.refresh_from_db()
    services.publicity_close(call=call, now=call.publicity_ends)
    manager = UserFactory(username="manager", is_staff=True)
    manager.groups.add(Group.objects.get(name=CALL_MANAGER_GROUP))
    url = f"/admin/applications/objection/publicity/{call.pk}/"

    page = open_page(None, **PHONE)
    log_in(page, manager.username, url)
    page.goto(url)
    page.select_option("#id_decision", "reopen")
    page.fill("#id_reason", "该单位书面申请退出起草工作。")
    page.locator("#final-change input[type=submit]").tap()

    expect(page.locator("#final-change")).to_contain_text("请选择是否发送更正邮件。")
    expect(page.locator("#id_reason")).to_have_value("该单位书面申请退出起草工作。")
    assert_no_sideways_scroll(page)
    for name in ("reason", "correction"):
        label = page.locator(f"label[for=id_{name}]").bounding_box()
        field = page.locator(f"#id_{name}").bounding_box()
        # The label holds its text (at most two lines), and the field follows it.
        assert label["height"] < 60, (name, label)
        assert 0 <= field["y"] - (label["y"] + label["height"]) < 40, (name, label, field)
    screenshot(page, "final-change-phone")
