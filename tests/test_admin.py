import pytest

from applications.models import Application

from .factories import create_application

pytestmark = pytest.mark.django_db


def test_organiser_can_look_but_not_change_applicant_data(admin_client, call):
    application, _ = create_application(call, 1)
    listing = admin_client.get("/admin/applications/application/")
    assert listing.status_code == 200
    assert application.reference in listing.content.decode()
    url = f"/admin/applications/application/{application.pk}/change/"
    page = admin_client.get(url)
    html = page.content.decode()
    assert page.status_code == 200
    assert application.unit_name in html and application.credit_code in html
    assert f"/organiser/files/{application.pk}/seal_scan/" in html
    assert 'name="unit_name"' not in html  # read-only: no input to change it
    assert application.access_token_hash not in html
    admin_client.post(url, {"unit_name": "改名", "status": "selected"})
    application.refresh_from_db()
    assert application.unit_name != "改名" and application.status == "submitted"
    assert admin_client.get("/admin/applications/application/add/").status_code == 403


def test_call_and_bodies_are_registered(admin_client, call):
    for path in ("call", "standard", "organisingbody", "auditentry"):
        assert admin_client.get(f"/admin/applications/{path}/").status_code == 200
    assert Application.objects.count() == 0
