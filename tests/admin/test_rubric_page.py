"""The rubric on the application page: the form scores each criterion, the table shows each
body's scores side by side; the change list sorts by the weighted mean."""

import re

import pytest

from applications import queries
from applications.models import Review
from tests.factories import create_application, recommend, review_post, reviewer_for, selector

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/applications/application/"


def change_url(application):
    return f"{CHANGELIST}{application.pk}/change/"


def cells(html: str, section: str) -> list[list[str]]:
    """The rows of the rubric table's ``section`` (thead, tbody, tfoot) as texts."""
    part = re.search(rf"<{section}>(.*?)</{section}>", html, re.S).group(1)
    return [
        [
            re.sub(r"<[^>]+>|\s+", "", cell)
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        ]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", part, re.S)
    ]


def test_the_page_shows_each_bodys_scores_per_criterion_side_by_side(client, call):
    bodies = list(call.organising_bodies.all())
    application = create_application(call, 1)[0]
    recommend(application, bodies[:1], score=90)
    recommend(application, bodies[1:2], score=65, recommendation="neutral")
    client.force_login(selector())
    html = client.get(change_url(application)).content.decode()
    table = html[html.index('class="rubric-table"') :]
    assert cells(table, "thead") == [
        ["评分项", "权重", "深圳大学", "中国质量报刊社", "中国贸促会商业行业委员会"]
    ]
    body_rows = cells(table, "tbody")
    criteria = queries.rubric_criteria(call)
    assert [row[0] for row in body_rows] == [c.label for c in criteria]
    assert [row[1] for row in body_rows] == [f"{c.weight}·0–10" for c in criteria]
    reviews = {
        r.body_id: {s.criterion_id: s.value for s in r.scores.all()} for r in Review.objects.all()
    }
    assert [row[2:] for row in body_rows] == [
        [str(reviews[bodies[0].pk][c.pk]), str(reviews[bodies[1].pk][c.pk]), "—"] for c in criteria
    ]
    assert cells(table, "tfoot") == [["加权总分", "100", "90", "65", "—"]]
    assert "加权平均分：<strong>77.5</strong>" in html
    assert 'class="rubric-table-wrap" role="region"' in html  # scrolls inside its box


def test_the_review_form_asks_each_criterion_with_its_description_and_shows_the_total(client, call):
    body = call.organising_bodies.first()
    application = create_application(call, 1)[0]
    client.force_login(reviewer_for(body))
    html = client.get(change_url(application)).content.decode()
    for criterion in queries.rubric_criteria(call):
        select = re.search(
            rf'<select name="{criterion.field_name}"[^>]*>(.*?)</select>', html, re.S
        )
        assert re.findall(r'<option value="(\d*)"', select.group(1)) == [""] + [
            str(n) for n in range(11)
        ]
        assert f"{criterion.description}（权重 {criterion.weight}，0–10 分）" in html
    assert '<output id="review-total"' in html and "rubric-total.js" in html
    # after a refusal the total of the scores typed is shown (the comment was too long)
    refused = client.post(
        f"{CHANGELIST}{application.pk}/review/", review_post(call, 83, comment="长" * 2001)
    )
    assert refused.status_code == 200 and not Review.objects.exists()
    assert re.search(r'<output id="review-total"[^>]*>83</output>', refused.content.decode())


def test_the_change_list_sorts_by_the_weighted_mean(client, call):
    bodies = list(call.organising_bodies.all())
    low, top, middle, unscored = (create_application(call, n)[0] for n in range(1, 5))
    recommend(low, bodies[:2], score=61)
    recommend(top, bodies[:1], score=95)
    recommend(top, bodies[1:2], score=84)  # mean 89.5
    recommend(middle, bodies[:3], score=77)
    client.force_login(selector())
    page = client.get(CHANGELIST).content.decode()
    headers = re.findall(r'<th scope="col" class="([^"]*)"', page)  # the first: the ticks
    index = next(i for i, h in enumerate(headers) if "column-mean_score_display" in h)
    ordered = client.get(CHANGELIST, {"o": f"-{index}"}).content.decode()
    refs = re.findall(r"CQO-2021-\d{4}(?=</a></th>)", ordered)
    assert refs == [a.reference for a in (top, middle, low, unscored)]
    assert "加权平均分" in page
    assert ">89.5<" in ordered
