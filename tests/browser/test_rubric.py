"""A reviewer scores with the rubric on the application page, on a desktop and on a phone:
each criterion from a list, the weighted total live, a missing score named next to its
field with the rest kept; then the bodies' scores side by side, the table scrolling inside
its own box on a phone."""

import pytest
from playwright.sync_api import expect

from applications import queries
from applications.models import Review
from tests.factories import create_application, recommend, reviewer_for, rubric_scores

from .conftest import DESKTOP, PHONE, artifact_path, screenshot
from .helpers import assert_no_sideways_scroll
from .test_organiser_flow import log_in

pytestmark = pytest.mark.browser


def score_rubric(page, call, total: int, *, skip=()) -> None:
    """Choose on the page the scores that make ``total`` (leaving ``skip``'s pks unscored)."""
    for pk, value in rubric_scores(call, total).items():
        if pk not in skip:
            page.select_option(f"#id_review_criterion_{pk}", str(value))


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_reviewer_scores_with_the_rubric_and_sees_the_bodies_side_by_side(
    transactional_db, call, open_page, size
):
    bodies = list(call.organising_bodies.all())
    application, _ = create_application(call, 1, unit_name="深圳市南山区质量技术研究院有限公司")
    recommend(application, bodies[1:2], score=84)
    recommend(application, bodies[2:3], score=58, recommendation="neutral")
    reviewer = reviewer_for(bodies[0], "reviewer")
    criteria = queries.rubric_criteria(call)
    width = size["viewport"]["width"]

    page = open_page(None, **size)
    log_in(page, reviewer.username)
    page.goto(f"/admin/applications/application/{application.pk}/change/#review")
    form = page.locator("#review")
    total = page.locator("#review-total")
    expect(total).to_have_text("—")
    # Each criterion is a list of 0–10, with its description; the total follows each choice.
    first = page.get_by_label(criteria[0].label)
    expect(first.locator("option")).to_have_count(12)  # "—" and 0…10
    expect(form).to_contain_text(criteria[0].description)
    first.select_option("10")
    expect(total).to_have_text("—")  # the others still unscored
    score_rubric(page, call, 91, skip={criteria[-1].pk})
    form.get_by_label("推荐", exact=True).check()
    page.fill("#id_review_comment", "培育和评价实践扎实。")
    form.get_by_role("button", name="保存评审意见", exact=True).click()
    # Refused: the missing score is named next to its field, everything chosen is kept.
    missing = page.locator(".form-row.errors", has=page.get_by_label(criteria[-1].label))
    expect(missing).to_contain_text(f"请为“{criteria[-1].label}”打分（0–10 分）。")
    expect(page.get_by_label(criteria[0].label)).to_have_value(
        str(rubric_scores(call, 91)[criteria[0].pk])
    )
    expect(page.locator("#id_review_comment")).to_have_value("培育和评价实践扎实。")
    assert not Review.objects.filter(body=bodies[0]).exists()
    form.screenshot(path=str(artifact_path(f"rubric-review-refused-{width}")))

    page.get_by_label(criteria[-1].label).select_option(
        str(rubric_scores(call, 91)[criteria[-1].pk])
    )
    expect(total).to_have_text("91")
    form.get_by_role("button", name="保存评审意见", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("已保存深圳大学对")
    assert Review.objects.get(body=bodies[0]).score == 91

    table = page.locator(".rubric-table")
    expect(table.locator("tfoot")).to_contain_text("91")
    expect(table.locator("tbody tr")).to_have_count(len(criteria))
    expect(table.locator("thead th")).to_have_count(2 + len(bodies))
    expect(page.locator("#reviews")).to_contain_text("加权平均分：77.7")  # (91 + 84 + 58) / 3
    box = page.locator(".rubric-table-wrap")
    box.scroll_into_view_if_needed()
    assert_no_sideways_scroll(page)
    if size is PHONE:
        # narrower than the table: the table scrolls inside its box, the page does not
        inner, outer = box.evaluate("e => [e.scrollWidth, e.clientWidth]")
        assert inner > outer
        box.evaluate("e => { e.scrollLeft = e.scrollWidth; }")
        expect(table.locator("tfoot td").last).to_be_in_viewport()
    box.screenshot(path=str(artifact_path(f"rubric-table-{width}")))
    page.locator("#reviews").screenshot(path=str(artifact_path(f"rubric-reviews-{width}")))
    screenshot(page, f"rubric-application-page-{width}")
