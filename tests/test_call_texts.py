"""Every text a second call shows comes from that call: nothing of the 2021 notice (its name,
document number, bodies, standards or reference prefix) appears on its pages, forms, printed
form, PDFs, e-mails or exports."""

import datetime as dt
import io
import re

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from applications import services
from tests.factories import confirm_by_mail, form_data, other_call, pdf_upload, seal_upload
from tests.factories.documents import organiser, page_texts, select
from tests.jobs import run_jobs

pytestmark = pytest.mark.django_db

OF_2021 = (
    "首席质量官",
    "Chief Quality Officer",
    "商贸促字〔2021〕163号",
    "CQO-2021",
    "cqo-2021",
    "CCPIT-CSC-JH2021",
    "深圳大学",
    "中国质量报刊社",
    "中国国际贸易促进委员会商业行业委员会",
    "Shenzhen University",
)
# The demo applicant's own words mention the 2021 call's subject; this applicant's do not.
NEUTRAL = {
    "main_business": "零售连锁经营",
    "unit_profile": "本单位经营连锁门店两百家，长期开展服务质量管理。",
    "drafter_position": "服务质量部经理",
}


def of_2021(text: str) -> list[str]:
    return [s for s in OF_2021 if s in text]


def body(response) -> str:
    if hasattr(response, "streaming_content"):
        return b"".join(response.streaming_content).decode("utf-8-sig")
    return response.content.decode()


@pytest.fixture
def second(call, django_capture_on_commit_callbacks):
    """Call B beside the seeded call, its series named in English too."""
    return other_call(series_en="Retail service quality group standards")


def test_nothing_of_the_2021_call_shows_on_a_second_calls_pages(
    call, second, django_capture_on_commit_callbacks
):
    seen: dict[str, str] = {}
    client = Client()
    seen["call page"] = body(client.get("/calls/rsq-2026/"))
    seen["form"] = body(client.get("/calls/rsq-2026/apply/"))
    seen["form with errors"] = body(
        client.post("/calls/rsq-2026/apply/", {"action": "submit", "postcode": "12"})
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/calls/rsq-2026/apply/",
            {
                **form_data(second, 1, **NEUTRAL),
                "seal_scan": seal_upload(),
                "unit_profile_file": pdf_upload(),
            },
        )
    assert response.status_code == 303
    seen["check-mail page"] = body(client.get(response["Location"]))
    with django_capture_on_commit_callbacks(execute=True):
        response = confirm_by_mail(client)
    private = response["Location"]
    for name, path in (
        ("private page", ""),
        ("edit form", "edit/"),
        ("withdraw confirmation", "withdraw/"),
        ("print view", "print/"),
    ):
        seen[name] = body(client.get(f"{private}{path}"))
    seen["form PDF"] = "".join(page_texts(client.get(f"{private}form.pdf").content))
    application = second.applications.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/link/", {"email": application.contact_email})
    chief = organiser("chief", "decide_application")
    with django_capture_on_commit_callbacks(execute=True):
        select(application, chief)
    staff = Client()
    staff.force_login(chief)
    seen["selected list PDF"] = "".join(
        page_texts(staff.get("/organiser/calls/rsq-2026/selected.pdf").content)
    )
    query = f"?call__id__exact={second.pk}&status__exact=all"
    seen["CSV"] = body(staff.get(f"/organiser/applications.csv{query}"))
    workbook = load_workbook(
        io.BytesIO(body_bytes(staff.get(f"/organiser/applications.xlsx{query}")))
    )
    seen["XLSX"] = " ".join(
        str(cell) for sheet in workbook for row in sheet.iter_rows(values_only=True) for cell in row
    )
    # a draft reminded before the deadline, and one withdrawn
    with django_capture_on_commit_callbacks(execute=True):
        draft = client.post(
            "/calls/rsq-2026/apply/", {**form_data(second, 2, **NEUTRAL), "action": "draft"}
        )
        assert draft.status_code == 303
        confirm_by_mail(client)  # an unconfirmed draft is not reminded
        reminded = services.drafts_remind(
            call=second, within_days=30, now=timezone.now() + dt.timedelta(hours=1)
        )
        assert len(reminded) == 1
        services.application_withdraw(application=reminded[0])
    second.deadline = timezone.now() - dt.timedelta(minutes=1)
    second.save()
    seen["closed page"] = body(client.get("/calls/rsq-2026/apply/"))
    seen["closed call page"] = body(Client().get("/calls/rsq-2026/"))
    run_jobs()  # the worker sends what the outbox holds
    templates = {m.subject.split("] ", 1)[-1] for m in mail.outbox}
    assert len(mail.outbox) >= 7, templates  # receipt, submitted, link, selected, 2nd receipt…
    for number, message in enumerate(mail.outbox):
        html = message.alternatives[0][0] if message.alternatives else ""
        seen[f"e-mail {number} {message.subject}"] = f"{message.subject}\n{message.body}\n{html}"

    found = {name: of_2021(text) for name, text in seen.items() if of_2021(text)}
    assert found == {}
    # …and each names call B, so the check above is not looking at empty pages
    for name, text in seen.items():
        if name in ("CSV", "XLSX"):
            assert "RSQ-2026-0001" in text, name
        else:
            assert re.search("商业服务质量|Retail service quality|RSQ-2026|零售服务质量", text), (
                name
            )


def body_bytes(response) -> bytes:
    if hasattr(response, "streaming_content"):
        return b"".join(response.streaming_content)
    return response.content


def test_the_second_calls_texts_come_from_it(call, second, django_capture_on_commit_callbacks):
    """Its name heads the form, the printed form, the PDFs and the e-mails; its bodies sign
    the e-mails and the privacy notice; its quota and drafters per unit are its own."""
    second.drafters_per_unit = 2
    second.save()
    client = Client()
    page = re.sub(r"\s+", " ", body(client.get("/calls/rsq-2026/")))
    assert "选取 <strong>10</strong> 家以内起草单位，每单位列名起草人 2 人" in page
    assert "征集起草单位的 2 项团体标准" in page
    assert '主办：<span lang="zh-CN">商业服务质量促进中心</span>' in page
    form = body(client.get("/calls/rsq-2026/apply/"))
    assert '<h1 class="h3">商业服务质量系列团体标准起草单位申报表</h1>' in form
    assert "<title>商业服务质量系列团体标准起草单位申报表</title>" in form
    assert '<span lang="zh-CN">商业服务质量促进中心</span>（共同处理者）' in form
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/calls/rsq-2026/apply/",
            {**form_data(second, 1, **NEUTRAL), "seal_scan": seal_upload()},
        )
        response = confirm_by_mail(client)
    private = response["Location"]
    assert "<h1>商业服务质量系列团体标准起草单位申报表</h1>" in body(client.get(f"{private}print/"))
    first_page = page_texts(client.get(f"{private}form.pdf").content)[0]
    assert "商贸促字" not in first_page and "商促字〔2026〕8号附件·商业服务质量系列团体标准" in (
        first_page
    )
    run_jobs()
    confirmation, receipt = mail.outbox[:2]
    assert "商业服务质量系列团体标准起草单位申报" in confirmation.subject
    assert "—— 商业服务质量系列团体标准起草工作组\n（商业服务质量促进中心）" in confirmation.body
    assert "您的商业服务质量系列团体标准起草单位申报已保存" in receipt.body
    assert "—— 商业服务质量系列团体标准起草工作组\n（商业服务质量促进中心）" in receipt.body
    # in English, the call's English name
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    form = body(client.get("/calls/rsq-2026/apply/"))
    assert "Application form for drafting units of the Retail service quality group standards" in (
        form
    )
