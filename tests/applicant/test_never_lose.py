"""Issue 19: never lose what was typed (items 2 and 3), through the test client."""

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from applications.models import Application
from tests.factories import create_application, form_data, seal_upload

APPLY = "/calls/cqo-2021/apply/"


def draft(call, number):
    return {**form_data(call, number), "action": "draft"}


@pytest.fixture
def two_per_day(settings):
    # Per day: django-ratelimit's windows are aligned to the clock.
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "form_post": "2/d"}


def test_a_refused_post_comes_back_as_the_form_with_what_was_typed(client, call, two_per_day):
    for number in (1, 2):
        client.post(APPLY, {**form_data(call, number), "seal_scan": seal_upload()})
    typed = form_data(call, 3, unit_profile="第一行\r\n\u3000\u3000缩进的第二行")
    response = client.post(APPLY, {**typed, "seal_scan": seal_upload()})
    page = response.content.decode()
    assert response.status_code == 429
    assert 'id="post-problem"' in page and "操作过于频繁，暂未保存" in page
    assert f'value="{typed["unit_name"]}"' in page
    assert f'value="{typed["drafter_mobile"]}"' in page
    assert "\u3000\u3000缩进的第二行" in page
    for standard in typed["standards"]:
        assert re.search(rf'name="standards" value="{standard}"[^>]*checked', page)
    assert Application.objects.count() == 2


def test_an_edit_refused_for_too_many_posts_keeps_the_typed_changes(client, call, two_per_day):
    application, token = create_application(call, 1)
    url = reverse("applications:edit", args=[application.reference, token])
    data = {**form_data(call, 1), "action": "submit"}
    for _ in range(2):
        assert client.post(url, data).status_code == 303
    response = client.post(url, {**data, "unit_name": "改过名的单位有限公司"})
    assert response.status_code == 429
    assert 'value="改过名的单位有限公司"' in response.content.decode()
    application.refresh_from_db()
    assert application.unit_name != "改过名的单位有限公司"


def test_a_form_posted_after_the_deadline_shows_what_was_typed_and_whom_to_contact(client, call):
    call.deadline = timezone.now() - dt.timedelta(minutes=1)
    call.opens_at = call.deadline - dt.timedelta(days=30)
    call.save()
    typed = form_data(call, 5, unit_profile="本单位成立于 2005 年。")
    response = client.post(APPLY, {**typed, "seal_scan": seal_upload()})
    page = response.content.decode()
    assert response.status_code == 403
    assert "本次征集已截止" in page and "未保存，可复制留存" in page
    assert typed["unit_name"] in page and "本单位成立于 2005 年。" in page
    body = call.organising_bodies.first()
    assert body.contact_person in page and body.email in page
    assert not Application.objects.exists()


def test_form_posts_are_counted_per_browser_not_only_per_address(call, two_per_day):
    """Item 3: two browsers behind one office address each have their own allowance; one
    browser is still limited, and so is the address once its higher limit is reached."""
    office = {"REMOTE_ADDR": "203.0.113.7"}
    first, second = Client(), Client()
    first.cookies["csrftoken"] = "a" * 32
    second.cookies["csrftoken"] = "b" * 32
    for number in (1, 2):
        assert first.post(APPLY, draft(call, number), **office).status_code == 303
    assert first.post(APPLY, draft(call, 3), **office).status_code == 429
    for number in (4, 5):
        assert second.post(APPLY, draft(call, number), **office).status_code == 303
    assert Application.objects.count() == 4


def test_the_address_limit_still_stops_a_script_that_sheds_its_cookies(call, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "form_post_address": "3/d"}
    for number in (1, 2, 3):
        fresh = Client()
        fresh.cookies["csrftoken"] = f"{number}" * 32
        assert fresh.post(APPLY, draft(call, number)).status_code == 303
    last = Client()
    last.cookies["csrftoken"] = "z" * 32
    assert last.post(APPLY, draft(call, 4)).status_code == 429
    assert Application.objects.count() == 3
