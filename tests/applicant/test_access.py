"""Who may open what: every URL × anonymous, applicant A, applicant B, a reviewer of each
body, a selector and a superuser. Applicants have no account: "applicant A" is whoever holds
A's private link, so A's and B's tokens are tried on A's pages."""

import pytest
from django.test import Client
from django.urls import get_resolver

from applications.models import Review
from tests.factories import UserFactory, create_application, review_post, reviewer_for, selector

pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous",
    "applicant_a",
    "applicant_b",
    "reviewer_0",
    "reviewer_1",
    "reviewer_2",
    "selector",
    "superuser",
]
ORGANISERS = {"reviewer_0", "reviewer_1", "reviewer_2", "selector", "superuser"}
OK, LOGIN, DENIED, MISSING, BACK = 200, 302, 403, 404, "redirect-back"


@pytest.fixture
def world(call):
    a, token_a = create_application(call, 1)
    b, token_b = create_application(call, 2)
    bodies = list(call.organising_bodies.all())
    clients = {role: Client() for role in ROLES}
    for i, body in enumerate(bodies):
        clients[f"reviewer_{i}"].force_login(reviewer_for(body, f"r{i}"))
    clients["selector"].force_login(selector())
    clients["superuser"].force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    tokens = {"applicant_a": token_a, "applicant_b": token_b}
    return {"a": a, "b": b, "call": call, "clients": clients, "tokens": tokens}


def applicant_urls(world, role):
    """A's private pages, opened with the link this role holds (or a made-up one)."""
    a = world["a"]
    token = world["tokens"].get(role, "not-a-token-" + "x" * 30)
    base = f"/a/{a.reference}/{token}/"
    return [
        base,
        f"{base}edit/",
        f"{base}withdraw/",
        f"{base}print/",
        f"{base}files/seal_scan/",
        f"{base}form.pdf",
        f"{base}links/stop-others/",
    ]


def expected_private(role):
    return OK if role == "applicant_a" else MISSING


def organiser_pages(world):
    """(url, who gets 200) for organiser pages; everybody else is sent to log in or refused."""
    a, call = world["a"], world["call"]
    admin = "/admin/applications/application/"
    reviewers_and_up = ORGANISERS
    deciders = {"selector", "superuser"}
    return [
        (f"/organiser/files/{a.pk}/seal_scan/", reviewers_and_up),
        (f"/organiser/files/{a.pk}/seal_scan/?inline=1", reviewers_and_up),
        (f"/organiser/applications/{a.pk}/form.pdf", reviewers_and_up),
        (f"/organiser/calls/{call.code}/selected.pdf", reviewers_and_up),
        (f"/organiser/calls/{call.code}/reviews.xlsx", reviewers_and_up),
        ("/organiser/applications.csv", reviewers_and_up),
        ("/organiser/applications.xlsx", reviewers_and_up),
        ("/admin/", reviewers_and_up),
        (admin, reviewers_and_up),
        (f"{admin}{a.pk}/change/", reviewers_and_up),
        (f"{admin}selected/{call.pk}/", reviewers_and_up),
        ("/admin/applications/review/", reviewers_and_up),
        ("/admin/applications/auditentry/", reviewers_and_up),
        (f"{admin}{a.pk}/decide/select/", deciders),
        (f"{admin}{a.pk}/decide/reject/", deciders),
        ("/admin/auth/user/", {"superuser"}),
        ("/admin/auth/group/", {"superuser"}),
        (f"/admin/applications/call/{call.pk}/change/", reviewers_and_up),  # view-only
        (f"/admin/applications/objection/dashboard/{call.pk}/", reviewers_and_up),
        (f"/admin/applications/objection/publicity/{call.pk}/", deciders),
        ("/admin/applications/objection/", deciders),
    ]


def status_of(response):
    if response.status_code == 302 and "/admin/login/" in response["Location"]:
        return LOGIN
    return response.status_code


@pytest.mark.parametrize("role", ROLES)
def test_public_pages_are_open_to_all(world, role):
    client = world["clients"][role]
    for url in ("/", "/calls/cqo-2021/", "/calls/cqo-2021/apply/", "/link/", "/healthz"):
        assert client.get(url).status_code == 200, url
    assert client.get("/favicon.ico").status_code == 302
    assert client.get("/apply/")["Location"] == "/calls/cqo-2021/apply/"
    switched = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert (switched.status_code, switched["Location"]) == (302, "/")


@pytest.mark.parametrize("role", ROLES)
def test_an_applications_private_pages_open_only_with_its_own_link(world, role):
    client = world["clients"][role]
    for url in applicant_urls(world, role):
        response = client.get(url)
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
        assert response.status_code == expected_private(role), (role, url)
    # A's link never opens B's application either.
    b = world["b"]
    response = client.get(f"/a/{b.reference}/{world['tokens']['applicant_a']}/")
    assert response.status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_organiser_pages(world, role):
    client = world["clients"][role]
    for url, allowed in organiser_pages(world):
        response = client.get(url)
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
        got = status_of(response)
        if role in allowed:
            assert got == OK, (role, url, got)
        elif role in ORGANISERS:
            assert got == DENIED, (role, url, got)
        else:
            assert got == LOGIN, (role, url, got)


@pytest.mark.parametrize("role", ROLES)
def test_nobody_but_a_selector_changes_a_decision_and_nobody_edits_applicant_data(world, role):
    client, a = world["clients"][role], world["a"]
    admin = "/admin/applications/application/"
    client.post(f"{admin}{a.pk}/decide/reject/", {"reason": ""})
    client.post(admin, {"action": "select_applications", "_selected_action": [a.pk]})
    client.post(f"{admin}{a.pk}/change/", {"unit_name": "被改", "status": "selected"})
    a.refresh_from_db()
    decides = role in {"selector", "superuser"}
    assert (a.status, a.pending_decision) == ("submitted", "reject" if decides else "")
    client.post(f"{admin}release/{a.call_id}/")  # "发布决定"
    a.refresh_from_db()
    assert a.unit_name != "被改"
    assert a.status == ("rejected" if decides else "submitted")


@pytest.mark.parametrize("role", ROLES)
def test_only_a_reviewer_writes_a_review_and_only_for_their_body(world, role):
    client, a = world["clients"][role], world["a"]
    client.post(
        f"/admin/applications/application/{a.pk}/review/",
        review_post(world["call"], 90, comment="x"),
    )
    reviews = list(Review.objects.values_list("reviewer__username", "body__position"))
    if role.startswith("reviewer_"):
        index = int(role[-1])
        assert reviews == [(f"r{index}", world["call"].organising_bodies.all()[index].position)]
    else:
        assert reviews == []


@pytest.mark.parametrize("role", ROLES)
def test_applicant_writes_need_the_applications_own_link(world, role):
    client, a = world["clients"][role], world["a"]
    unit_name = a.unit_name
    for url in applicant_urls(world, role)[1:3]:  # edit, withdraw
        client.post(url, {"unit_name": "被改", "action": "submit", "confirm": "1"})
    a.refresh_from_db()
    if role == "applicant_a":
        assert a.status == "withdrawn"  # the withdraw POST went through with A's own link
    else:
        assert (a.status, a.unit_name) == ("submitted", unit_name)


def test_the_matrix_covers_every_url_pattern(world):
    """A new URL must be added to the matrix above: list the patterns we know."""
    known = {
        "",
        "calls/<slug:code>/",
        "calls/<slug:code>/apply/",
        "calls/<slug:code>/result/",
        "calls/<slug:code>/result/object/",
        "apply/",
        "link/",
        # the confirmation of the contact address (tests/applicant/test_confirmation.py)
        "calls/<slug:code>/apply/check-mail/",
        "confirm/<str:token>/",
        "healthz",
        "readyz",
        "favicon.ico",
        "admin/",
        "a/<str:reference>/<str:token>/",
        "a/<str:reference>/<str:token>/edit/",
        "a/<str:reference>/<str:token>/withdraw/",
        "a/<str:reference>/<str:token>/print/",
        "a/<str:reference>/<str:token>/files/<str:field>/",
        "organiser/files/<int:pk>/<str:field>/",
        # The seal scan's added pages: tests/stamp/test_seal_pages.py checks who gets them.
        "a/<str:reference>/<str:token>/pages/",
        "a/<str:reference>/<str:token>/pages/<int:page_id>/",
        "a/<str:reference>/<str:token>/pages/<int:page_id>/remove/",
        "organiser/pages/<int:pk>/<int:page_id>/",
        "a/<str:reference>/<str:token>/form.pdf",
        "a/<str:reference>/<str:token>/links/stop-others/",
        # a link pasted with punctuation after it: redirected to the link itself
        r"^a/(?P<reference>[^/]+)/(?P<token>[A-Za-z0-9_-]+[^A-Za-z0-9_/-]+)/?$",
        r"^a/(?P<reference>[^/]+)/(?P<token>[A-Za-z0-9_-]+)/(?P<tail>[^A-Za-z0-9_/-]+)/?$",
        "organiser/applications/<int:pk>/form.pdf",
        "organiser/calls/<slug:code>/selected.pdf",
        "organiser/calls/<slug:code>/reviews.xlsx",
        "organiser/applications.<str:fmt>",
        "i18n/setlang/",
    }
    patterns = set()
    for pattern in get_resolver().url_patterns:
        if hasattr(pattern, "url_patterns") and str(pattern.pattern) == "":
            patterns |= {str(p.pattern) for p in pattern.url_patterns}
        else:
            patterns.add(str(pattern.pattern))
    assert patterns == known
