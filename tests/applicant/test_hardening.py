"""Small things a hostile or a plain monitoring client found (issue 20: items 9, 10, 13, 14, 15)."""

import re

import pytest
from django.core import mail
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext

from applications.applicant import views
from applications.models import Application, AuditEntry
from tests.factories import UserFactory, create_application, form_data
from tests.jobs import run_jobs

pytestmark = pytest.mark.django_db


# --- NUL characters: a 404 or a 400, never a 500 (PostgreSQL refuses NUL in any text) ---


@pytest.mark.parametrize(
    "path",
    ["/a/CQO%00/x/", "/a/CQO-2021-0001/%00/", "/a/CQO%00/x/edit/", "/a/CQO%00/x/form.pdf"],
)
def test_a_nul_in_the_path_is_not_found(call, path):
    response = Client(raise_request_exception=False).get(path)
    assert response.status_code == 404
    assert "404.html" in [template.name for template in response.templates]


def test_a_nul_in_an_admin_filter_or_search_is_a_bad_request(call):
    client = Client(raise_request_exception=False)
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    for query in ("status=%00", "q=%00", "%00=1"):
        response = client.get(f"/admin/applications/application/?{query}")
        assert response.status_code == 400, query
    assert client.get("/admin/applications/application/?status=draft").status_code == 200


def test_a_nul_in_a_public_query_string_is_a_bad_request(call):
    response = Client(raise_request_exception=False).get("/?lang=%00")
    assert response.status_code == 400


# --- HEAD for monitors ---------------------------------------------------------------------


def test_head_on_the_call_page_and_the_health_check_answers_200(call):
    client = Client()
    assert client.head("/").status_code == 200
    assert client.head("/healthz").status_code == 200
    assert client.post("/healthz").status_code == 405


# --- private pages are not kept by browsers or proxies -----------------------------------


def test_the_private_page_edit_form_print_view_and_withdraw_page_are_no_store(call):
    application, token = create_application(call, 1)
    client = Client()
    base = f"/a/{application.reference}/{token}/"
    for path in (base, f"{base}edit/", f"{base}print/", f"{base}withdraw/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "no-store" in response["Cache-Control"], path
        assert "private" in response["Cache-Control"], path
    # The public call page stays cacheable.
    assert "no-store" not in client.get("/").get("Cache-Control", "")


# --- e-mail addresses: no control or format characters (item 13) -----------------------

CONTROL_ADDRESSES = ['"a\x0bb"@example.com', '"a\x0cb"@example.com', '"a\x00b"@example.com']


@pytest.mark.parametrize("address", CONTROL_ADDRESSES)
def test_the_form_refuses_an_address_with_control_characters_and_keeps_the_rest(call, address):
    data = form_data(call, 1, contact_email=address, action="draft")
    response = Client().post(f"/calls/{call.code}/apply/", data)
    assert response.status_code == 200
    form = response.context["form"]
    assert "contact_email" in form.errors
    assert Application.objects.count() == 0
    assert data["unit_name"] in response.content.decode()


def test_the_drafters_address_is_checked_too(call):
    response = Client().post(
        f"/calls/{call.code}/apply/",
        form_data(call, 1, drafter_email='"x\x0by"@example.com', action="draft"),
    )
    assert "drafter_email" in response.context["form"].errors
    assert "控制字符" in response.context["form"].errors["drafter_email"][0]


@pytest.mark.parametrize("address", CONTROL_ADDRESSES)
def test_the_link_page_refuses_an_address_with_control_characters(call, address):
    response = Client().post("/link/", {"email": address})
    assert response.status_code == 200
    assert "email" in response.context["form"].errors


# --- the link page: one spelling per address, the same work whatever it is (item 9) ------


def test_the_per_address_limit_counts_every_spelling_of_an_address(call, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "resend_link_email": "2/d"}
    client = Client()
    spellings = ["C101@Example.Com", "c101@example.com", " C101@EXAMPLE.COM "]
    answers = [
        client.post("/link/", {"email": email}, REMOTE_ADDR=f"198.51.100.{i}").status_code
        for i, email in enumerate(spellings)
    ]
    assert answers == [200, 200, 429]


def test_a_known_address_costs_the_request_no_more_than_an_unknown_one(call):
    """Whatever a known address costs (a new link, an audit entry, a mail) is a job of the
    worker: the request itself runs the same queries for both, but for the values."""
    application, _ = create_application(call, 1)
    run_jobs()
    mail.outbox.clear()
    queries = {}
    for label, email in (("known", application.contact_email), ("unknown", "x@example.com")):
        request = RequestFactory().post("/link/", {"email": email})
        with CaptureQueriesContext(connection) as captured:
            response = views.resend_link(request)
        # The same statements; only the values differ (the job's id, time and address).
        queries[label] = [re.sub(r"'[^']*'", "?", q["sql"]) for q in captured.captured_queries]
        assert response.status_code == 200
        assert mail.outbox == []
    assert queries["known"] == queries["unknown"]
    run_jobs()
    assert [m.to for m in mail.outbox] == [[application.contact_email]]
    assert AuditEntry.objects.filter(action="application.link_resent").count() == 1


# --- the session keeps a private link only as long as a replayed POST needs it (item 11) --


def test_the_session_keeps_a_private_link_for_an_hour_then_forgets_it(call):
    client = Client()
    key = client.get(f"/calls/{call.code}/apply/").context["form"].initial["idempotency_key"]
    data = {**form_data(call, 1, action="draft"), "idempotency_key": str(key)}
    first = client.post(f"/calls/{call.code}/apply/", data)
    assert first.status_code == 303
    [(stored_key, (url, stamp))] = client.session[views.SESSION_LINKS].items()
    assert (stored_key, url) == (str(key), first["Location"])
    assert (
        client.post(f"/calls/{call.code}/apply/", data)["Location"] == url
    )  # a replay within the hour

    session = client.session
    session[views.SESSION_LINKS] = {stored_key: [url, stamp - views.SESSION_LINK_SECONDS]}
    session.save()
    later = client.post(f"/calls/{call.code}/apply/", data)
    assert later.status_code == 409  # "already received", without the link
    assert client.session[views.SESSION_LINKS] == {}


def test_a_session_holds_at_most_a_few_private_links(call):
    client = Client()
    for number in range(views.SESSION_LINKS_KEPT + 2):
        key = client.get(f"/calls/{call.code}/apply/").context["form"].initial["idempotency_key"]
        data = {**form_data(call, number + 1, action="draft"), "idempotency_key": str(key)}
        assert client.post(f"/calls/{call.code}/apply/", data).status_code == 303
    assert len(client.session[views.SESSION_LINKS]) == views.SESSION_LINKS_KEPT


# --- cosmetic (item 16) ----------------------------------------------------------------


def test_a_nul_in_a_field_is_named_for_what_it_is(call):
    response = Client().post(
        f"/calls/{call.code}/apply/", form_data(call, 1, unit_name="甲\x00乙", action="draft")
    )
    assert response.context["form"].errors["unit_name"] == [
        "内容含有空字符（NUL），请删除后重新输入（可先粘贴到记事本再复制）。"
    ]


def test_the_form_says_that_emoji_will_not_print(call):
    html = Client().get(f"/calls/{call.code}/apply/").content.decode()
    assert "表情符号（emoji）无法打印在申报表 PDF 上" in html
