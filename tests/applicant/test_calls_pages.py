"""The public side of several calls: the list, each call's pages, old addresses, and the
page cache, open checks and rate limits kept per call."""

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone

from applications import enums
from applications.models import Application
from tests.factories import confirm_by_mail, create_application, form_data, other_call, seal_upload

pytestmark = pytest.mark.django_db

A_APPLY = "/calls/cqo-2021/apply/"
B_APPLY = "/calls/rsq-2026/apply/"


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.fixture
def two_open(call):
    """The seeded call (open 30 more days) and a second call open 20 more days."""
    return call, other_call()


def test_the_list_shows_open_calls_first_then_upcoming_then_the_archive(client, two_open):
    a, b = two_open
    now = timezone.now()
    other_call(
        "soon-2027",
        title="即将开始的征集通知",
        opens_at=now + dt.timedelta(days=3),
        deadline=now + dt.timedelta(days=40),
    )
    other_call(
        "old-2020",
        title="已经结束的征集通知",
        opens_at=now - dt.timedelta(days=90),
        deadline=now - dt.timedelta(days=60),
    )
    other_call("hidden-2026", title="尚未发布的草稿征集", status=enums.CallStatus.DRAFT)
    html = text(client.get("/"))
    # open ones, the nearest deadline first, with their standards, days left and quota
    order = [html.index(t) for t in (b.title, a.title, "即将开始的征集通知", "已经结束的征集通知")]
    assert order == sorted(order)
    assert html.index("正在征集") < order[0] < html.index("即将开始") < order[2]
    assert html.index("往期征集") < order[3]
    assert "《零售服务质量评价第1部分》" in html and "《首席质量官评价指南》" in html
    assert "还剩 20 天" in html and "还剩 30 天" in html
    assert "选取 10 家以内" in html and "选取 30 家以内" in html
    assert f'href="{A_APPLY}"' in html and f'href="{B_APPLY}"' in html
    assert "尚未发布的草稿征集" not in html


def test_each_call_has_its_own_page_and_form_and_a_draft_has_none(client, two_open):
    a, b = two_open
    page = text(client.get("/calls/rsq-2026/"))
    assert b.title in page and "《零售服务质量评价第2部分》" in page
    assert a.title not in page and "首席质量官" not in page
    form = text(client.get(B_APPLY))
    assert "《零售服务质量评价第1部分》" in form and "《首席质量官评价指南》" not in form
    draft = other_call("draft-2026", status=enums.CallStatus.DRAFT)
    for url in (f"/calls/{draft.code}/", f"/calls/{draft.code}/apply/", "/calls/nothing/"):
        assert client.get(url).status_code == 404, url


def test_two_calls_take_applications_each_numbered_in_its_own_series(client, two_open):
    a, b = two_open
    for url, call, number in ((A_APPLY, a, 1), (B_APPLY, b, 2), (B_APPLY, b, 3)):
        response = client.post(url, {**form_data(call, number), "seal_scan": seal_upload()})
        assert response.status_code == 303, url
        # the reference is given when the contact address is confirmed
        assert confirm_by_mail(client).status_code == 303
    assert sorted(Application.objects.values_list("reference", flat=True)) == [
        "CQO-2021-0001",
        "RSQ-2026-0001",
        "RSQ-2026-0002",
    ]
    # a standard of another call is refused, not quietly accepted
    response = client.post(
        B_APPLY,
        {
            **form_data(b, 4, standards=[str(a.standards.first().pk)]),
            "seal_scan": seal_upload(),
        },
    )
    assert response.status_code == 200 and "standards" in response.context["form"].errors
    assert b.applications.count() == 2


def test_a_closed_call_refuses_while_the_other_stays_open(client, two_open):
    a, b = two_open
    a.deadline = timezone.now() - dt.timedelta(minutes=1)
    a.save(update_fields=["deadline"])
    closed = client.post(A_APPLY, {**form_data(a, 1), "seal_scan": seal_upload()})
    assert closed.status_code == 403 and "本次征集已截止" in closed.content.decode()
    assert client.post(B_APPLY, {**form_data(b, 2), "seal_scan": seal_upload()}).status_code == 303
    assert list(Application.objects.values_list("call__code", flat=True)) == ["rsq-2026"]


def test_old_addresses_go_to_the_one_open_call_else_to_the_list(client, call):
    response = client.get("/apply/")
    assert (response.status_code, response["Location"]) == (302, A_APPLY)
    kept = client.post("/apply/", {"unit_name": "x"})
    assert (kept.status_code, kept["Location"]) == (307, A_APPLY)  # the body goes along
    other_call()
    response = client.get("/apply/")
    assert (response.status_code, response["Location"]) == (302, "/")
    call.deadline = timezone.now() - dt.timedelta(minutes=1)
    call.save(update_fields=["deadline"])
    assert client.get("/apply/")["Location"] == B_APPLY


def test_private_links_keep_working_with_two_calls(client, two_open):
    _a, b = two_open
    application, token = create_application(b, 1)
    page = client.get(f"/a/{application.reference}/{token}/")
    assert page.status_code == 200 and application.reference.startswith("RSQ-2026-")
    assert b.standards.first().title in page.content.decode()


def test_the_page_cache_keeps_each_calls_pages_apart(two_open):
    _a, b = two_open
    visitor = Client()
    first_a = visitor.get(A_APPLY).content.decode()
    first_b = Client().get(B_APPLY).content.decode()
    again_a = Client().get(A_APPLY).content.decode()
    assert "《首席质量官评价指南》" in first_a and "《零售服务质量评价第1部分》" not in first_a
    assert "《零售服务质量评价第1部分》" in first_b and "《首席质量官评价指南》" not in first_b
    assert "《首席质量官评价指南》" in again_a
    # an edit of call B reaches its cached page at once
    b.standards.filter(position=1).update(title="《改过的标准》")
    b.save()
    assert "《改过的标准》" in Client().get(B_APPLY).content.decode()


def test_form_posts_are_counted_per_call(client, two_open, settings):
    a, b = two_open
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "form_post": "2/d"}
    for number in (1, 2):
        assert (
            client.post(A_APPLY, {**form_data(a, number), "seal_scan": seal_upload()}).status_code
            == 303
        )
    assert client.post(A_APPLY, {**form_data(a, 3), "seal_scan": seal_upload()}).status_code == 429
    assert client.post(B_APPLY, {**form_data(b, 4), "seal_scan": seal_upload()}).status_code == 303
    assert sorted(Application.objects.values_list("call__code", flat=True)) == [
        "cqo-2021",
        "cqo-2021",
        "rsq-2026",
    ]
