"""The cached public pages: the same for every first-time visitor, fresh tokens for each,
never cached with a session, forgotten when the call changes."""

import datetime
import re
import time

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from applications.models import Application, Standard
from tests.factories import create_application, decide_final, form_data, seal_upload, selector

pytestmark = pytest.mark.django_db

KEY = re.compile(r'name="idempotency_key" value="([^"]+)"')
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def test_the_blank_form_is_served_from_the_cache_with_fresh_tokens(
    client, call, django_assert_max_num_queries
):
    first = client.get("/calls/cqo-2021/apply/")
    html = first.content.decode()
    with django_assert_max_num_queries(0):  # the call and the page come from the cache
        second = client.__class__().get("/calls/cqo-2021/apply/")
    other = second.content.decode()
    assert KEY.search(html).group(1) != KEY.search(other).group(1)
    assert CSRF.search(html).group(1) != CSRF.search(other).group(1)
    assert "marker" not in other and "cafe0001" not in other
    assert KEY.sub("", CSRF.sub("", html)) == KEY.sub("", CSRF.sub("", other))


def test_a_form_from_the_cache_submits(client, call):

    browser = Client(enforce_csrf_checks=True)
    browser.get("/calls/cqo-2021/apply/")  # warms the cache
    browser = Client(enforce_csrf_checks=True)
    page = browser.get("/calls/cqo-2021/apply/").content.decode()
    data = {
        **form_data(call, 1),
        "csrfmiddlewaretoken": CSRF.search(page).group(1),
        "idempotency_key": KEY.search(page).group(1),
        "action": "submit",
        "seal_scan": seal_upload(),
    }
    response = browser.post(reverse("applications:apply", args=["cqo-2021"]), data)
    assert response.status_code == 303
    assert str(Application.objects.get().idempotency_key) == data["idempotency_key"]


def test_the_call_page_follows_an_edit_of_the_call_at_once(client, call):
    assert "首席质量官 术语与原则" in client.get("/calls/cqo-2021/").content.decode()
    Standard.objects.filter(call=call, position=1).update(title="《改过的标准》")  # no signal
    assert (
        "改过的标准" not in client.get("/calls/cqo-2021/").content.decode()
    )  # still the cached page
    standard = Standard.objects.get(call=call, position=1)
    standard.save()  # an edit through the admin saves the row: the cache is forgotten
    assert "改过的标准" in client.get("/calls/cqo-2021/").content.decode()
    call.title = "新的通知标题"
    call.save()
    assert "新的通知标题" in client.get("/calls/cqo-2021/").content.decode()


def test_nothing_is_cached_for_a_visitor_with_a_session_or_a_query(client, call):
    client.get("/calls/cqo-2021/")
    Standard.objects.filter(call=call, position=1).update(title="《只有新鲜页面才有》")
    assert "只有新鲜页面才有" in client.get("/?utm=wechat").content.decode()
    client.cookies["sessionid"] = "x"
    assert "只有新鲜页面才有" in client.get("/calls/cqo-2021/").content.decode()


def test_each_language_has_its_own_page(client, call):
    chinese = client.get("/calls/cqo-2021/").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = client.get("/calls/cqo-2021/").content.decode()
    assert '<html lang="zh-CN">' in chinese and '<html lang="en">' in english


def test_the_call_page_sets_no_cookie(client, call):
    client.get("/calls/cqo-2021/")
    response = client.get("/calls/cqo-2021/")
    assert "csrftoken" not in response.cookies
    assert "Cookie" not in response.get("Vary", "")
    form = client.get("/calls/cqo-2021/apply/")
    assert "csrftoken" in form.cookies  # the form page does need one


def test_the_private_page_is_kept_until_the_application_changes(
    call, django_assert_max_num_queries
):

    application, token = create_application(call, 1)
    url = f"/a/{application.reference}/{token}/"
    applicant = Client()
    assert "已提交" in applicant.get(url).content.decode()
    with django_assert_max_num_queries(1):  # the token check; the page is kept
        assert applicant.get(url).status_code == 200
    call.required_recommendations = 0
    call.save()
    decide_final(application, "select", selector())
    assert "已入选" in applicant.get(url).content.decode()
    stranger = Client().get(f"/a/{application.reference}/{'x' * 43}/")
    assert stranger.status_code == 404


def test_the_kept_private_page_follows_the_deadline(call, django_assert_max_num_queries):
    """The edit button goes as soon as the deadline passes, though neither the application
    nor the call changed (so no cache was emptied): the deadline decides the kept page."""

    application, token = create_application(call, 1)
    call.deadline = timezone.now() + datetime.timedelta(seconds=1.5)
    call.save()
    url = f"/a/{application.reference}/{token}/"
    applicant = Client()
    assert "修改申报" in applicant.get(url).content.decode()
    with django_assert_max_num_queries(1):  # kept: only the link's check
        assert "修改申报" in applicant.get(url).content.decode()

    time.sleep(max(0.0, (call.deadline - timezone.now()).total_seconds()) + 0.1)

    # the call's dates are still kept; the page's list of live links is one query of its own,
    # the seal scan's added pages another
    with django_assert_max_num_queries(6):
        page = applicant.get(url).content.decode()
    assert "修改申报" not in page
    assert "征集已截止，申报不能再修改。" in page


def test_messages_are_never_swallowed_by_the_private_page_cache(client, call):

    application, token = create_application(call, 1)
    url = f"/a/{application.reference}/{token}/"
    client.get(url)  # cached
    response = client.post(f"{url}withdraw/", {"confirm": "1"}, follow=True)
    page = response.content.decode()
    assert "已撤回" in page
    assert response.context is not None  # rendered, not served from memory
    assert list(response.context["messages"])
