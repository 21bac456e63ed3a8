"""Small things a hostile or a plain monitoring client found (issue 20: items 10, 14, 15)."""

import pytest
from django.test import Client

from tests.factories import UserFactory, create_application

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
