"""A call's own questions of every kind, through the browser (issue 14): a draft saves without
them, a submission asks for the required ones next to each, a wrong answer comes back with
every other answer kept (a file chosen is kept too, not picked again), and the answers reach
the private page and the printed PDF."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from applications import demo, enums, services
from applications.models import AnswerFile, Application, Question, QuestionKind
from tests.factories import other_call, pdf_file, seal_file, selector, values
from tests.factories.documents import page_texts, pdf_page_png
from tests.factories.questions import ask_every_kind

from .conftest import DESKTOP, PHONE, artifact_path, screenshot
from .helpers import (
    DRAFT,
    SUBMIT,
    applicant_values,
    assert_no_sideways_scroll,
    fill_form,
    open_confirmation_link,
    write_files,
)
from .test_organiser_flow import log_in

pytestmark = pytest.mark.browser

PRIVATE = re.compile(r"/a/RSQ-2026-0001/[^/]+/$")
LICENCE_NAME = "门店经营许可证.pdf"


def licence_file(tmp_path) -> Path:
    path = tmp_path / LICENCE_NAME
    path.write_bytes(demo.profile_pdf())
    return path


def answer_all(page, made, *, number: str, licence: Path) -> None:
    """Answer each question as a person does: type, tick, pick."""
    page.locator(f"#id_{made[QuestionKind.SHORT_TEXT].key}").fill("5000–10000")
    page.locator(f"#id_{made[QuestionKind.LONG_TEXT].key}").fill("参与起草《零售服务规范》。")
    page.get_by_label("100 家以上").check()
    page.get_by_label("超市").check()
    page.get_by_label("餐饮").check()
    yes_no = made[QuestionKind.YES_NO].key
    page.locator(f"input[type=radio][name={yes_no}][value=True]").check()
    page.locator(f"#id_{made[QuestionKind.DATE].key}").fill("2020-06-01")
    page.locator(f"#id_{made[QuestionKind.NUMBER].key}").fill(number)
    page.locator(f"#id_{made[QuestionKind.FILE].key}").set_input_files(licence)


def assert_answers_kept(page, made, *, number: str) -> None:
    expect(page.locator(f"#id_{made[QuestionKind.SHORT_TEXT].key}")).to_have_value("5000–10000")
    expect(page.locator(f"#id_{made[QuestionKind.LONG_TEXT].key}")).to_have_value(
        "参与起草《零售服务规范》。"
    )
    expect(page.get_by_label("100 家以上")).to_be_checked()
    expect(page.get_by_label("超市")).to_be_checked()
    expect(page.get_by_label("餐饮")).to_be_checked()
    expect(page.get_by_label("便利店")).not_to_be_checked()
    yes_no = made[QuestionKind.YES_NO].key
    expect(page.locator(f"input[type=radio][name={yes_no}][value=True]")).to_be_checked()
    expect(page.locator(f"#id_{made[QuestionKind.DATE].key}")).to_have_value("2020-06-01")
    expect(page.locator(f"#id_{made[QuestionKind.NUMBER].key}")).to_have_value(number)
    kept = page.locator(f"#id_{made[QuestionKind.FILE].key}_current")
    expect(kept).to_contain_text(f"已上传：{LICENCE_NAME}")
    expect(kept).to_contain_text("已为您保留，无需重新选择")


def test_every_kind_of_question_drafted_refused_kept_submitted_and_printed(
    transactional_db, call, open_page, tmp_path
):
    b = other_call(standards=3)
    made = ask_every_kind(b)
    page = open_page("/calls/rsq-2026/apply/", **DESKTOP)
    for question in (q for k, q in made.items() if k != "hidden"):
        expect(page.locator("form.application-form")).to_contain_text(question.label)
    expect(page.locator("form.application-form")).not_to_contain_text("已停用的问题")
    fill_form(page, applicant_values(26), write_files(tmp_path), typing=False)

    # A draft needs none of the answers.
    page.locator(DRAFT).click()
    open_confirmation_link(page)
    expect(page).to_have_url(PRIVATE)
    application = Application.objects.get(reference="RSQ-2026-0001")
    assert (application.status, application.extra_answers) == (enums.Status.DRAFT, {})

    # Submitting asks for the three required ones, each next to its question.
    page.get_by_role("link", name="继续填写 / 提交").click()
    page.locator(SUBMIT).click()
    summary = page.locator("#error-summary")
    expect(summary).to_contain_text("有 3 处需要修改")
    for kind in (QuestionKind.SHORT_TEXT, QuestionKind.SINGLE_CHOICE, QuestionKind.YES_NO):
        expect(summary).to_contain_text(made[kind].label)
        expect(page.locator(f"#div_id_{made[kind].key}")).to_contain_text("提交前请回答此问题")

    # A number beyond what the question takes: refused there, every other answer kept.
    licence = licence_file(tmp_path)
    answer_all(page, made, number="10000000000000", licence=licence)
    page.locator(SUBMIT).click()
    expect(summary).to_contain_text("有 1 处需要修改")
    expect(page.locator(f"#div_id_{made[QuestionKind.NUMBER].key}")).to_contain_text(
        "1000000000000"
    )
    assert_answers_kept(page, made, number="10000000000000")
    screenshot(page, "questions-every-kind-error")

    page.locator(f"#id_{made[QuestionKind.NUMBER].key}").fill("320")
    page.locator(SUBMIT).click()
    expect(page).to_have_url(PRIVATE)
    application.refresh_from_db()
    assert application.status == enums.Status.SUBMITTED
    by_label = {q.label: application.extra_answers.get(str(q.pk)) for q in made.values()}
    assert by_label == {
        "年营业收入区间（万元）": "5000–10000",
        "近三年参与的标准化工作": "参与起草《零售服务规范》。",
        "门店数量": "100 家以上",
        "经营业态": ["超市", "餐饮"],
        "是否通过质量管理体系认证": True,
        "认证日期": "2020-06-01",
        "员工人数": 320,
        "门店经营许可证明": LICENCE_NAME,
        "已停用的问题": None,
    }
    row = AnswerFile.objects.get(application=application)
    assert (row.question, row.original_name, row.size) == (
        made[QuestionKind.FILE],
        LICENCE_NAME,
        licence.stat().st_size,
    )
    body = page.locator("body")
    for text in ("5000–10000", "100 家以上", "超市", "餐饮", "2020", "320", LICENCE_NAME):
        expect(body).to_contain_text(text)
    link = page.get_by_role("link", name=f"门店经营许可证明：{LICENCE_NAME}")
    expect(link).to_have_attribute("href", re.compile(rf"files/{made[QuestionKind.FILE].key}/$"))
    assert page.request.get(link.get_attribute("href")).body() == licence.read_bytes()
    screenshot(page, "questions-every-kind-private")

    # WeasyPrint renders it in the live server: up to 60 s on a loaded machine.
    pdf = page.request.get(f"{page.url}form.pdf", timeout=60_000).body()
    text = "".join(page_texts(pdf)).replace(" ", "")
    for printed in (
        "附加信息",
        "员工人数",
        "320",
        "100家以上",
        "超市",
        "参与起草《零售服务规范》",
        "门店经营许可证明",
        LICENCE_NAME,
    ):
        assert printed in text, printed
    pdf_page_png(pdf, len(page_texts(pdf)), dpi=80, keep_as="questions-every-kind-pdf-last.png")


def test_a_file_question_on_a_phone_keeps_the_chosen_file_through_an_error(
    transactional_db, call, open_page, tmp_path
):
    b = other_call(standards=3)
    made = ask_every_kind(b)
    page = open_page("/calls/rsq-2026/apply/", **PHONE)
    key = made[QuestionKind.FILE].key
    chooser = page.locator(f"#id_{key}")
    expect(chooser).to_have_class(re.compile(r"\bform-control\b"))
    expect(page.locator(f"#div_id_{key}")).to_contain_text("支持 PDF、Word（DOC/DOCX）、JPG、PNG")
    chooser.set_input_files(licence_file(tmp_path))
    # a draft needs the unit's name: refused, the file kept beside the question
    page.locator(DRAFT).click()
    expect(page.locator("#error-summary")).to_be_visible()
    kept = page.locator(f"#id_{key}_current")
    expect(kept).to_contain_text(f"已上传：{LICENCE_NAME}")
    expect(page.locator(f"#id_{key}_clear")).to_be_visible()  # optional: it can be removed
    kept.scroll_into_view_if_needed()
    assert_no_sideways_scroll(page)
    screenshot(page, "questions-file-phone-kept")
    fill_form(page, applicant_values(27), write_files(tmp_path), typing=False)
    page.locator(DRAFT).click()
    open_confirmation_link(page)
    expect(page).to_have_url(PRIVATE)
    assert AnswerFile.objects.get().original_name == LICENCE_NAME
    expect(page.locator("body")).to_contain_text(LICENCE_NAME)
    assert_no_sideways_scroll(page)
    screenshot(page, "questions-file-phone-private")


def test_the_organiser_sees_the_file_answer_in_the_application_page(
    transactional_db, call, open_page
):
    licence = Question.objects.create(
        call=call, kind=QuestionKind.FILE, label="营业执照副本", after_section="drafter"
    )
    application, _token = services.application_create(
        call=call,
        values=values(41),
        standards=list(call.standards.all()[:1]),
        files={"seal_scan": seal_file()},
        answer_files={licence.pk: pdf_file(LICENCE_NAME)},
        action="submit",
        confirmed=True,
    )
    selector("chief")
    for size, name in ((DESKTOP, "desktop"), (PHONE, "phone")):
        page = open_page(None, **size)
        log_in(page, "chief")
        page.goto(f"/admin/applications/application/{application.pk}/change/")
        answers = page.locator("#extra-answers")
        expect(answers).to_contain_text("营业执照副本")
        download = answers.get_by_role("link", name=LICENCE_NAME)
        expect(download).to_have_attribute(
            "href", f"/organiser/files/{application.pk}/{licence.key}/"
        )
        viewer = answers.locator(".file-viewer-pdf iframe")
        expect(viewer).to_have_attribute(
            "src", f"/organiser/files/{application.pk}/{licence.key}/?inline=1"
        )
        assert page.request.get(viewer.get_attribute("src")).headers["content-type"] == (
            "application/pdf"
        )
        answers.scroll_into_view_if_needed()
        screenshot(page, f"questions-file-admin-{name}")
        answers.screenshot(path=str(artifact_path(f"questions-file-admin-{name}-answers")))
        page.close()
