"""The 评审记录 XLSX holds each body's score on each criterion, old "总体" scores included."""

import io

import pytest
from openpyxl import load_workbook

from applications import queries
from applications.models import Criterion, Review, ReviewScore
from tests.factories import create_application, recommend, reviewer_for
from tests.factories.documents import organiser

pytestmark = pytest.mark.django_db


def test_the_review_record_has_one_column_per_criterion_per_body(client, call):
    bodies = list(call.organising_bodies.all())
    scored, _ = create_application(call, 1)
    recommend(scored, bodies[:2], score=87)
    old, _ = create_application(call, 2)  # a verdict from before the rubric
    legacy = Criterion.objects.create(
        call=call, label="总体", weight=100, scale_max=100, legacy=True
    )
    review = Review.objects.create(
        application=old,
        body=bodies[2],
        reviewer=reviewer_for(bodies[2]),
        recommendation="neutral",
        score=66,
    )
    ReviewScore.objects.create(review=review, criterion=legacy, value=66)
    client.force_login(organiser("chief", "decide_application"))

    response = client.get(f"/organiser/calls/{call.code}/reviews.xlsx")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    header = rows[0]
    criteria = queries.rubric_criteria(call)
    for body in bodies:
        name = body.short_name or body.name
        at = header.index(f"{name}·评分")
        assert header[at + 1 : at + 10] == [
            *[f"{name}·{c.label}" for c in criteria],
            f"{name}·总体",
            f"{name}·评语",
        ]
    first = dict(zip(header, rows[1], strict=True))
    second = dict(zip(header, rows[2], strict=True))
    by_body = {
        r.body_id: {s.criterion_id: s.value for s in r.scores.all()} for r in scored.reviews.all()
    }
    szu = bodies[0].short_name or bodies[0].name
    assert [first[f"{szu}·{c.label}"] for c in criteria] == [
        by_body[bodies[0].pk][c.pk] for c in criteria
    ]
    assert first[f"{szu}·评分"] == 87 and first[f"{szu}·总体"] is None
    last = bodies[2].short_name or bodies[2].name
    assert [first[f"{last}·{c.label}"] for c in criteria] == [None] * 7  # not reviewed
    assert (second[f"{last}·评分"], second[f"{last}·总体"]) == (66, 66)
    assert second[f"{last}·{criteria[0].label}"] is None
