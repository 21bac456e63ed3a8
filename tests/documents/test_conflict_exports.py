"""Conflicts of interest (回避) in the exports: a column naming the bodies that stand aside,
and a reviewer whose body stands aside reads no other body's verdict in what they export."""

import csv
import io

import pytest
from openpyxl import load_workbook

from applications import services
from tests.factories import create_application, recommend, reviewer_for
from tests.factories.documents import organiser

pytestmark = pytest.mark.django_db


def read_csv(response):
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def read_xlsx(response):
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


@pytest.fixture
def two(call):
    """Two applications every body reviewed; the first body stands aside on the first."""
    bodies = list(call.organising_bodies.all())
    aside = create_application(call, 1)[0]
    plain = create_application(call, 2)[0]
    recommend(aside, bodies[1:], score=90)
    recommend(plain, bodies, score=70)
    services.conflict_declare(
        application=aside, actor=reviewer_for(bodies[0]), reason="本单位为其主管单位"
    )
    return bodies, aside, plain


def test_the_csv_names_the_bodies_that_stand_aside(client, call, two):
    bodies, aside, plain = two
    client.force_login(organiser("chief", "decide_application"))
    rows = {r["reference"]: r for r in read_csv(client.get("/organiser/applications.csv"))}
    assert rows[aside.reference]["conflicts"] == bodies[0].short_name
    assert rows[plain.reference]["conflicts"] == ""
    # The joint sign-off counts the two bodies left.
    assert (rows[aside.reference]["recommend_count"], rows[aside.reference]["verdict_2"]) == (
        "2",
        "推荐",
    )


def test_a_reviewer_whose_body_stands_aside_exports_no_other_verdict(client, call, two):
    bodies, aside, plain = two
    client.force_login(reviewer_for(bodies[0]))
    rows = {r["reference"]: r for r in read_csv(client.get("/organiser/applications.csv"))}
    hidden = rows[aside.reference]
    assert [hidden[k] for k in ("verdict_1", "verdict_2", "verdict_3")] == ["回避"] * 3
    assert (hidden["mean_score"], hidden["recommend_count"]) == ("回避", "回避")
    assert rows[plain.reference]["verdict_2"] == "推荐"  # elsewhere, as before
    record = {
        r["申报编号"]: r
        for r in read_xlsx(client.get(f"/organiser/calls/{call.code}/reviews.xlsx"))
    }
    second = bodies[1].short_name or bodies[1].name
    assert record[aside.reference][f"{second}·评审意见"] == "回避"
    assert record[aside.reference][f"{second}·评语"] in ("", None)
    assert record[aside.reference]["加权平均分"] == "回避"
    assert "本单位为其主管单位" in record[aside.reference]["回避"]
    assert record[plain.reference][f"{second}·评审意见"] == "推荐"
    # Another body's reviewer reads it all.
    client.force_login(reviewer_for(bodies[1]))
    record = {
        r["申报编号"]: r
        for r in read_xlsx(client.get(f"/organiser/calls/{call.code}/reviews.xlsx"))
    }
    assert record[aside.reference][f"{second}·评审意见"] == "推荐"
    assert record[aside.reference]["加权平均分"] == 90
