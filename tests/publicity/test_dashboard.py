"""A call's dashboard: its numbers against the database, in a constant number of queries."""

import re

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from applications import provinces
from applications.enums import Status, UnitType
from applications.models import Application, Review
from applications.queries.dashboard import SENT, call_dashboard
from tests.factories import UserFactory
from tests.factories.bulk import bulk_applications

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_user(db):
    return UserFactory(username="root", is_staff=True, is_superuser=True)


def test_provinces_from_the_address_first_then_the_credit_code():
    assert provinces.province_of("广东", "11") == "广东省"
    assert provinces.province_of("", "44") == "广东省"
    assert provinces.province_of("内蒙", "") == "内蒙古自治区"
    assert provinces.province_of("某某", "99") == provinces.UNKNOWN


def test_the_numbers_are_the_databases(call, admin_user):
    created = bulk_applications(call, 70, reviewer=admin_user)
    board = call_dashboard(call)
    rows = Application.objects.filter(call=call)
    sent = rows.filter(status__in=SENT)
    assert dict(board.by_status) == {
        str(label): rows.filter(status=value).count() for value, label in Status.choices
    }
    assert board.sent == sent.count() == sum(n for _l, n in board.by_unit_type)
    assert (
        dict(board.by_unit_type)[str(UnitType.ENTERPRISE.label)]
        == sent.filter(unit_type=UnitType.ENTERPRISE).count()
    )
    assert board.drafts == rows.filter(status=Status.DRAFT).count() == 10
    assert board.selected == rows.filter(status=Status.SELECTED).count() == 10
    assert board.waitlisted == rows.filter(status=Status.WAITLISTED).count()
    expected_provinces = {}
    for application in sent:
        name = provinces.province_of(application.address[:2], application.credit_code[2:4])
        expected_provinces[name] = expected_provinces.get(name, 0) + 1
    assert dict(board.by_province) == expected_provinces
    assert sum(n for _day, n in board.per_day) == sent.count()
    assert (
        sum(n for _s, n in board.by_standard)
        == Application.standards.through.objects.filter(application__in=sent).count()
    )
    reviewed = Review.objects.filter(
        application__call=call, application__status__in=[Status.SUBMITTED, *SENT]
    ).filter(~Q(application__status=Status.DRAFT))
    assert (
        board.bodies[0].reviewed
        == reviewed.filter(body=board.call.organising_bodies.first()).count()
    )
    assert board.bodies[0].reviewed + board.bodies[0].to_review == sent.count()
    assert len(created) == 70


def _page_queries(client, call):
    url = reverse("admin:applications_call_dashboard", args=[call.pk])
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response.content.decode()


def test_the_dashboard_takes_as_many_queries_for_1000_applications_as_for_10(
    client, call, admin_user
):
    client.force_login(admin_user)
    bulk_applications(call, 10, reviewer=admin_user)
    with CaptureQueriesContext(connection) as few:
        call_dashboard(call)
    small, html = _page_queries(client, call)
    assert 'role="img"' in html and "<table>" in html
    bulk_applications(call, 990, seed=8, reviewer=admin_user)
    with CaptureQueriesContext(connection) as many:
        board = call_dashboard(call)
    large, html = _page_queries(client, call)
    assert len(few) == len(many) == 6
    assert small == large
    assert board.sent == Application.objects.filter(call=call, status__in=SENT).count()
    assert re.search(rf'id="fig-sent">{board.sent}<', html)


def test_the_page_shows_plots_with_their_tables(client, call, admin_user):
    client.force_login(admin_user)
    bulk_applications(call, 30)
    _n, html = _page_queries(client, call)
    for key in ("status", "unit-type", "industry", "province", "standard", "per-day", "places"):
        assert f'id="chart-{key}"' in html
    assert html.count('<svg class="chart') == 7
    assert html.count("<table>") >= 7
    assert "<script" not in html.split('id="content-main"')[1]
