"""Conflicts of interest (回避) as organisers meet them: the application page's panel, the
change list's column and filter, the body's related units, and what a body that stands
aside is not shown."""

import re

import pytest
from django.urls import reverse
from django.utils.html import escape

from applications import demo, queries, services
from applications.models import AuditEntry, Conflict, RelatedUnit, Review
from applications.queries.dashboard import call_dashboard as queries_dashboard
from tests.factories import create_application, recommend, reviewer_for, rubric_scores, selector

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/applications/application/"


def change_url(application):
    return f"{CHANGELIST}{application.pk}/change/"


def text(response):
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def bodies(call):
    return list(call.organising_bodies.all())


@pytest.fixture
def aside(call, bodies):
    """An application two bodies reviewed with comments; the first body stands aside."""
    application = create_application(call, 1)[0]
    services.review_save(
        application=application,
        reviewer=reviewer_for(bodies[1]),
        recommendation="recommend",
        scores=rubric_scores(call, 91),
        comment="第二家的保密评语",
    )
    services.review_save(
        application=application,
        reviewer=reviewer_for(bodies[2]),
        recommendation="not_recommend",
        scores=rubric_scores(call, 42),
        comment="第三家的保密评语",
    )
    services.conflict_declare(
        application=application, actor=reviewer_for(bodies[0]), reason="本单位参股"
    )
    return application


def test_a_reviewer_of_a_body_that_stands_aside_sees_no_other_verdict(client, aside, bodies):
    client.force_login(reviewer_for(bodies[0]))
    page = text(client.get(change_url(aside)))
    assert "对本申报须回避：不能填写评审意见，也不显示其他牵头单位的评审意见。" in page
    for hidden in ("第二家的保密评语", "第三家的保密评语", "91 分", "42 分", "平均分"):
        assert hidden not in page
    assert 'id="review-form"' not in page  # no verdict to record
    assert "本单位参股" in page  # the 回避 panel
    # Nor in the change list's columns, nor through the verdict filter.
    listing = text(client.get(CHANGELIST, {"call__id__exact": aside.call_id}))
    assert listing.count("verdict-conflict") >= len(bodies) + 1  # each column and the mean
    assert "verdict-recommend" not in listing and "66.5" not in listing
    verdict_param = queries.verdict_field(bodies[1].pk)
    filtered = text(
        client.get(CHANGELIST, {"call__id__exact": aside.call_id, verdict_param: "recommend"})
    )
    assert aside.reference not in filtered
    # Nor in the reviews' list or the audit trail's.
    reviews = text(client.get("/admin/applications/review/"))
    assert aside.reference not in reviews
    entries = AuditEntry.objects.filter(application=aside, action="application.review")
    for entry in entries:
        assert client.get(f"/admin/applications/auditentry/{entry.pk}/change/").status_code == 302


def sorted_references(client, column: str) -> list[list[str]]:
    """The change list's references sorted by ``column``: its header's link, then the
    link that turns the order round."""
    header = rf'class="sortable column-{column}[^"]*">.*?<div class="text"><a href="\?(o=[^"]+)"'
    query = re.search(header, text(client.get(CHANGELIST)), re.S).group(1)
    orders = []
    for _direction in range(2):
        page = text(client.get(f"{CHANGELIST}?{query}"))
        orders.append(re.findall(r'<th class="field-reference"><a href="[^"]*">([^<]+)</a>', page))
        query = re.search(header, page, re.S).group(1)
    return orders


def test_a_reviewer_that_stands_aside_cannot_learn_hidden_verdicts_by_sorting(
    client, call, aside, bodies
):
    """Sorting by the weighted mean or the sign-off puts the application the viewer's body
    stands aside on in the same place whatever the other bodies said of it: the sort keys
    are hidden there as the values are. (The bodies' verdict columns do not sort.)"""
    for number, verdict, total in ((2, "recommend", 80), (3, "not_recommend", 30), (4, None, 0)):
        other = create_application(call, number)[0]
        if verdict:
            recommend(other, bodies[1:2], score=total, recommendation=verdict)
    client.force_login(reviewer_for(bodies[0]))
    columns = ("mean_score_display", "quorum_display")
    before = {column: sorted_references(client, column) for column in columns}
    assert all(len(order) == 4 for orders in before.values() for order in orders)
    # What the second body said of it turns round; nothing the viewer is shown changes.
    recommend(aside, bodies[1:2], score=5, recommendation="not_recommend")
    for column in columns:
        assert sorted_references(client, column) == before[column], column


def test_the_other_bodies_and_selectors_see_every_verdict_and_the_conflict(client, aside, bodies):
    client.force_login(reviewer_for(bodies[1]))
    page = text(client.get(change_url(aside)))
    assert "第二家的保密评语" in page and "第三家的保密评语" in page
    assert "评审单位申报" in page and "本单位参股" in page
    client.force_login(selector())
    listing = text(client.get(CHANGELIST, {"call__id__exact": aside.call_id, "conflict": "yes"}))
    assert aside.reference in listing
    assert bodies[0].short_name in listing  # the 回避 column names the body
    assert aside.reference not in text(
        client.get(CHANGELIST, {"call__id__exact": aside.call_id, "conflict": "no"})
    )


def test_a_reviewer_declares_a_conflict_for_a_person_on_the_page(client, call, bodies):
    application = create_application(call, 1)[0]
    reviewer = reviewer_for(bodies[1])
    client.force_login(reviewer)
    url = f"{CHANGELIST}{application.pk}/conflict/"
    # Refused: a person without a name; the page comes back with what was typed.
    response = client.post(
        url, {"whom": "person", "person_name": "", "relation": "曾任该单位顾问", "reason": "顾问"}
    )
    page = text(response)
    assert "请填写需回避人员的姓名。" in page and "曾任该单位顾问" in page
    assert 'id="conflicts"' in page
    assert not Conflict.objects.exists()
    response = client.post(
        url,
        {"whom": "person", "person_name": "李某", "relation": "曾任该单位顾问", "reason": "顾问"},
    )
    assert response.status_code == 302 and response["Location"].endswith("#conflicts")
    conflict = Conflict.objects.get()
    assert (conflict.body, conflict.source, conflict.person_name, conflict.declared_by) == (
        bodies[1],
        "person",
        "李某",
        reviewer,
    )
    timeline = text(client.get(change_url(application)))
    assert "记录回避" in timeline and "曾任该单位顾问" in timeline


def test_removing_a_conflict_asks_the_reason_and_keeps_the_record(client, aside, bodies):
    conflict = Conflict.objects.get()
    url = f"{CHANGELIST}{aside.pk}/conflict/{conflict.pk}/remove/"
    client.force_login(reviewer_for(bodies[1]))  # another body may not
    assert client.get(url).status_code == 403
    reviewer = reviewer_for(bodies[0])
    client.force_login(reviewer)
    assert "确认解除" in text(client.get(url))
    assert "请写明解除回避的理由。" in text(client.post(url, {"removal_reason": ""}))
    response = client.post(url, {"removal_reason": "股份已转让"})
    assert response.status_code == 302
    page = text(client.get(change_url(aside)))
    assert "已解除" in page and "股份已转让" in page and "第二家的保密评语" in page
    assert 'id="review-form"' in page


def test_the_page_says_when_fewer_bodies_remain_than_the_sign_off_needs(client, call, bodies):
    application = create_application(call, 1)[0]
    recommend(application, bodies[2:])
    for body in bodies[:2]:
        services.conflict_declare(application=application, actor=reviewer_for(body), reason="关联")
    client.force_login(selector())
    page = text(client.get(change_url(application)))
    assert "回避后只剩 1 家牵头单位可评审，少于会签所需的 2 家：入选须填写书面理由。" in page
    decide = text(client.get(f"{CHANGELIST}{application.pk}/decide/select/"))
    assert "会签未达要求：1 家牵头单位推荐" in decide


def test_a_related_unit_added_in_the_bodys_admin_matches_the_undecided(admin_client, call, bodies):
    application = create_application(call, 1)[0]
    body = bodies[0]
    url = f"/admin/applications/organisingbody/{body.pk}/change/"
    page = text(admin_client.get(url))
    assert "统一社会信用代码" in page and "关联单位" in page
    data = {
        "name": body.name,
        "short_name": body.short_name,
        "credit_code": "91440300MA5DC0JN1X",  # a wrong check character
        "address": body.address,
        "phone": body.phone,
        "email": body.email,
        "contact_person": body.contact_person,
        "position": body.position,
        "reviewer_group": body.reviewer_group_id or "",
        "related_units-TOTAL_FORMS": "1",
        "related_units-INITIAL_FORMS": "0",
        "related_units-MIN_NUM_FORMS": "0",
        "related_units-MAX_NUM_FORMS": "1000",
        "related_units-0-name": application.unit_name.replace("（", "(").replace("）", ")"),
        "related_units-0-credit_code": "",
        "related_units-0-kind": "member",
        "related_units-0-remark": "",
    }
    refused = text(admin_client.post(url, data))
    assert "统一社会信用代码的 18 位与校验规则不符" in refused
    assert escape(data["related_units-0-name"]) in refused  # kept as typed
    data["credit_code"] = demo.credit_code(9001, region="440305")
    response = admin_client.post(url, data)
    assert response.status_code == 302
    body.refresh_from_db()
    assert body.credit_code == demo.credit_code(9001, region="440305")
    assert RelatedUnit.objects.get().kind == "member"
    assert list(
        queries.standing_conflicts().filter(application=application).values_list("body", "source")
    ) == [(body.pk, "automatic")]
    assert not Review.objects.exists()


def test_the_dashboard_counts_what_each_body_stands_aside_on(admin_client, call, bodies):
    first = create_application(call, 1)[0]
    second = create_application(call, 2)[0]
    reviewer = reviewer_for(bodies[0])
    services.conflict_declare(application=first, actor=reviewer, reason="参股")
    services.conflict_declare(
        application=first, actor=reviewer, reason="顾问", person_name="李某"
    )  # the same application: counted once
    services.conflict_declare(application=second, actor=reviewer_for(bodies[1]), reason="会员")
    board = queries_dashboard(call)
    assert [(b.aside, b.to_review) for b in board.bodies] == [(1, 1), (1, 1), (0, 2)]
    page = text(admin_client.get(reverse("admin:applications_call_dashboard", args=[call.pk])))
    assert page.count('class="num body-aside">1<') == 2
