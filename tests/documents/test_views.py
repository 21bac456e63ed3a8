"""Where the documents are handed out: the private page, the organisers' URLs, the admin
actions and buttons, and the export_selected command. Every organiser export is audited."""

import csv
import io

import pytest
from django.contrib import admin
from django.contrib.messages import get_messages
from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.sessions.backends.db import SessionStore
from django.core.management import CommandError, call_command
from django.core.signals import request_finished
from django.db import close_old_connections, connection
from django.http import StreamingHttpResponse
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from applications import services
from applications.documents import admin_actions
from applications.models import Application, AuditEntry
from tests.factories import UserFactory, create_application, other_call, values
from tests.factories.documents import organiser, page_texts, select

pytestmark = pytest.mark.django_db

NO_FONTS = {"serif": "No Such Serif CJK", "sans": "No Such Sans CJK"}


def exports_recorded():
    return list(
        AuditEntry.objects.filter(action="application.export")
        .order_by("pk")
        .values_list("application_id", "actor_id", "data")
    )


def read(response) -> bytes:
    """A streamed body, read to the end and closed. The test client closes its responses
    itself; one an admin action returned directly is closed here as the client would,
    without letting request_finished close the test's database connection."""
    body = b"".join(response.streaming_content)
    if not hasattr(response, "wsgi_request"):
        request_finished.disconnect(close_old_connections)
        try:
            response.close()
        finally:
            request_finished.connect(close_old_connections)
    return body


def csv_rows(response) -> list[list[str]]:
    assert isinstance(response, StreamingHttpResponse)
    return list(csv.reader(io.StringIO(read(response).decode("utf-8-sig"))))


def pdf_text(response) -> str:
    return "".join(page_texts(response.content))


@pytest.fixture
def chief(db):
    return organiser("chief", "decide_application")


@pytest.fixture
def two(call, chief):
    """A selected and a submitted application."""
    selected, _ = create_application(call, 1, unit_name="深圳入选质量技术有限公司")
    select(selected, chief)
    submitted, token = create_application(call, 2, unit_name="北京待定检测有限公司")
    return selected, submitted, token


# --- applicant ------------------------------------------------------------------------------
def test_the_applicant_prints_the_form_pdf_from_the_private_page(client, call):
    application, token = create_application(call, 1, action="draft")
    url = f"/a/{application.reference}/{token}/form.pdf"

    page = client.get(f"/a/{application.reference}/{token}/").content.decode()
    assert f'href="{url}"' in page and "打印申报表（PDF）" in page

    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline;")
    assert (
        "filename*=utf-8''CQO-2021-0001-%E7%94%B3%E6%8A%A5%E8%A1%A8.pdf"
        in (response["Content-Disposition"])
    )
    assert response["Cache-Control"] == "private, no-store"
    assert f"申报编号{application.reference}" in pdf_text(response)
    assert exports_recorded() == []  # the applicant's own data: not an export
    assert client.get(f"/a/{application.reference}/{'x' * 43}/form.pdf").status_code == 404
    assert client.post(url).status_code == 405


def test_without_the_fonts_the_applicant_gets_a_clear_page_not_an_error(client, call, settings):
    application, token = create_application(call, 1)
    settings.DOCUMENT_FONTS = NO_FONTS
    response = client.get(f"/a/{application.reference}/{token}/form.pdf")
    html = response.content.decode()
    assert response.status_code == 503
    assert "暂时无法生成文件" in html and "fonts-noto-cjk" in html


# --- organisers -----------------------------------------------------------------------------
def test_organiser_documents_need_staff_and_the_view_permission(client, call, two):
    selected, _, _ = two
    urls = [
        f"/organiser/applications/{selected.pk}/form.pdf",
        "/organiser/calls/cqo-2021/selected.pdf",
        "/organiser/applications.csv",
        "/organiser/applications.xlsx",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    client.force_login(UserFactory(username="staff", is_staff=True, password=None))
    for url in urls:
        assert client.get(url).status_code == 403, url
    assert exports_recorded() == []


def test_organiser_downloads_each_document_and_each_is_recorded(client, call, two, chief):
    selected, submitted, _ = two
    client.force_login(chief)

    form = client.get(f"/organiser/applications/{submitted.pk}/form.pdf")
    assert form.status_code == 200 and "北京待定检测有限公司" in pdf_text(form)
    listing = client.get("/organiser/calls/cqo-2021/selected.pdf")
    assert listing.status_code == 200
    assert listing["Content-Disposition"].startswith("attachment;")
    text = pdf_text(listing)
    assert "本文件起草单位：深圳入选质量技术有限公司。" in text
    assert "北京待定检测有限公司" not in text
    every = client.get("/organiser/applications.csv?status__exact=all")
    assert [row[0] for row in csv_rows(every)[1:]] == [selected.reference, submitted.reference]
    chosen = client.get("/organiser/applications.xlsx?status__exact=selected&q=%E6%B7%B1%E5%9C%B3")
    assert chosen["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="applications-cqo-2021-' in chosen["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(read(chosen))).active
    assert [r[0].value for r in sheet.iter_rows(min_row=3)] == [selected.reference]

    cqo = {"call": "cqo-2021"}
    assert exports_recorded() == [
        (
            submitted.pk,
            chief.pk,
            {"format": "pdf", "document": "application_form", "count": 1, **cqo},
        ),
        (None, chief.pk, {"format": "pdf", "document": "selected_list", "count": 1, **cqo}),
        (
            None,
            chief.pk,
            {
                "format": "csv",
                "document": "applications",
                "count": 2,
                **cqo,
                "query": "status__exact=all",
            },
        ),
        (
            None,
            chief.pk,
            {
                "format": "xlsx",
                "document": "applications",
                "count": 1,
                **cqo,
                "query": "status__exact=selected&q=%E6%B7%B1%E5%9C%B3",
            },
        ),
    ]


def test_organiser_urls_refuse_what_does_not_exist(client, call, chief, settings):
    client.force_login(chief)
    assert client.get("/organiser/applications/999999/form.pdf").status_code == 404
    assert client.get("/organiser/calls/no-such-call/selected.pdf").status_code == 404
    assert client.get("/organiser/applications.pdf").status_code == 404
    wrong = client.get("/organiser/applications.csv?no_such_field=1")
    assert wrong.status_code == 400 and "筛选条件无效" in wrong.content.decode()
    settings.DOCUMENT_FONTS = NO_FONTS
    missing = client.get("/organiser/calls/cqo-2021/selected.pdf")
    assert missing.status_code == 503 and "fonts-noto-cjk" in missing.content.decode()
    assert exports_recorded() == []


# --- admin ----------------------------------------------------------------------------------
def admin_request(rf, user, query=""):
    request = rf.post(f"/admin/applications/application/{query}")
    request.user = user
    request.session = SessionStore()
    MessageMiddleware(lambda _request: None).process_request(request)
    return request


def messages_of(request) -> list[str]:
    return [str(m) for m in get_messages(request)]


def test_the_document_actions_are_declared_for_the_admin():
    assert [a.__name__ for a in admin_actions.ACTIONS] == [
        "export_selected_pdf",
        "export_csv",
        "export_xlsx",
    ]
    for action in admin_actions.ACTIONS:
        assert action.allowed_permissions == ["export"]
        assert action.short_description


def test_admin_actions_export_the_selection_and_record_the_filter(rf, call, two, chief):
    _, submitted, _ = two
    model_admin = admin.site.get_model_admin(Application)
    query = "?status__exact=submitted"
    picked = Application.objects.filter(pk=submitted.pk)

    rows = csv_rows(admin_actions.export_csv(model_admin, admin_request(rf, chief, query), picked))
    assert [row[0] for row in rows[1:]] == [submitted.reference]
    response = admin_actions.export_xlsx(model_admin, admin_request(rf, chief, query), picked)
    sheet = load_workbook(io.BytesIO(read(response))).active
    assert [r[0].value for r in sheet.iter_rows(min_row=3)] == [submitted.reference]
    # The list of the call the ticked applications belong to, whichever they are.
    listing = admin_actions.export_selected_pdf(model_admin, admin_request(rf, chief), picked)
    assert "本文件起草单位：深圳入选质量技术有限公司。" in pdf_text(listing)

    assert [data for _, _, data in exports_recorded()] == [
        {
            "format": "csv",
            "document": "applications",
            "count": 1,
            "call": "cqo-2021",
            "query": "status__exact=submitted",
        },
        {
            "format": "xlsx",
            "document": "applications",
            "count": 1,
            "call": "cqo-2021",
            "query": "status__exact=submitted",
        },
        {"format": "pdf", "document": "selected_list", "count": 1, "call": "cqo-2021"},
    ]


def test_admin_actions_refuse_with_a_message(rf, call, two, chief, settings):
    selected, _, _ = two
    model_admin = admin.site.get_model_admin(Application)
    staff = UserFactory(username="staff", is_staff=True, password=None)
    everything = Application.objects.all()
    for action in admin_actions.ACTIONS:
        request = admin_request(rf, staff)
        assert action(model_admin, request, everything) is None
        assert messages_of(request) == ["您没有导出申报的权限。"]

    other = other_call("other-2022")
    create_application(other, 50, action="draft", standards=[])
    request = admin_request(rf, chief)
    assert admin_actions.export_selected_pdf(model_admin, request, everything) is None
    assert messages_of(request) == [
        "所选申报属于多个征集，请先按征集筛选，再导出该征集的入选名单。"
    ]

    settings.DOCUMENT_FONTS = NO_FONTS
    request = admin_request(rf, chief)
    picked = Application.objects.filter(pk=selected.pk)
    assert admin_actions.export_selected_pdf(model_admin, request, picked) is None
    assert "fonts-noto-cjk" in messages_of(request)[0]
    assert exports_recorded() == []


def test_the_admin_offers_the_actions_once_wired(admin_client, call, two):
    """Runs once ApplicationAdmin appends documents.admin_actions.ACTIONS (the admin branch)."""
    _, submitted, _ = two
    actions = admin.site.get_model_admin(Application).actions or []
    if "export_csv" not in [getattr(a, "__name__", a) for a in actions]:
        pytest.skip("ApplicationAdmin does not list the document actions yet")
    listing = admin_client.get("/admin/applications/application/").content.decode()
    assert 'value="export_csv"' in listing and "导出入选名单 PDF" in listing
    response = admin_client.post(
        "/admin/applications/application/",
        {"action": "export_csv", "_selected_action": [submitted.pk]},
    )
    assert [row[0] for row in csv_rows(response)[1:]] == [submitted.reference]


def test_the_change_list_buttons_export_what_the_list_shows(rf, client, call, two, chief):
    selected, _, _ = two
    request = rf.get("/admin/applications/application/?status__exact=selected")
    request.user = chief
    changelist = admin.site.get_model_admin(Application).get_changelist_instance(request)
    html = render_to_string(
        "admin/applications/application/_document_buttons.html",
        {"cl": changelist, "current_call": call},
    )
    assert 'href="/organiser/calls/cqo-2021/selected.pdf"' in html and "导出入选名单 PDF" in html
    assert 'href="/organiser/applications.xlsx?status__exact=selected"' in html
    assert 'href="/organiser/applications.csv?status__exact=selected"' in html

    client.force_login(chief)
    rows = csv_rows(client.get("/organiser/applications.csv?status__exact=selected"))
    assert [row[0] for row in rows[1:]] == [selected.reference]

    links = render_to_string(
        "admin/applications/application/_document_links.html", {"original": selected}
    )
    assert f'href="/organiser/applications/{selected.pk}/form.pdf"' in links
    assert "申报表 PDF" in links


# --- command --------------------------------------------------------------------------------
def test_export_selected_writes_each_format_and_records_it(call, two, tmp_path):
    selected, submitted, _ = two
    out = io.StringIO()
    call_command(
        "export_selected",
        "--call",
        "cqo-2021",
        "--format",
        "pdf",
        "-o",
        str(tmp_path / "list.pdf"),
        stdout=out,
    )
    assert "Wrote 1 selected units of cqo-2021" in out.getvalue()
    text = "".join(page_texts((tmp_path / "list.pdf").read_bytes()))
    assert "本文件起草单位：深圳入选质量技术有限公司。" in text

    call_command(
        "export_selected",
        "--call",
        "cqo-2021",
        "--format",
        "csv",
        "-o",
        str(tmp_path / "all.csv"),
        stdout=io.StringIO(),
    )
    raw = (tmp_path / "all.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfreference,")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert [row[0] for row in rows[1:]] == [selected.reference, submitted.reference]

    call_command(
        "export_selected",
        "--call",
        "cqo-2021",
        "--format",
        "xlsx",
        "-o",
        str(tmp_path / "all.xlsx"),
        stdout=io.StringIO(),
    )
    sheet = load_workbook(tmp_path / "all.xlsx").active
    assert [r[0].value for r in sheet.iter_rows(min_row=3)] == [
        selected.reference,
        submitted.reference,
    ]
    assert exports_recorded() == [
        (
            None,
            None,
            {"format": "pdf", "document": "selected_list", "count": 1, "call": "cqo-2021"},
        ),
        (None, None, {"format": "csv", "document": "applications", "count": 2, "call": "cqo-2021"}),
        (
            None,
            None,
            {"format": "xlsx", "document": "applications", "count": 2, "call": "cqo-2021"},
        ),
    ]


def test_export_selected_says_what_is_wrong(call, tmp_path, settings):
    def run(*args):
        call_command("export_selected", *args, stdout=io.StringIO())

    target = str(tmp_path / "x")
    with pytest.raises(CommandError, match="No call 'nope'"):
        run("--call", "nope", "--format", "pdf", "-o", target)
    with pytest.raises(CommandError, match="Unknown format 'docx'"):
        run("--call", "cqo-2021", "--format", "docx", "-o", target)
    with pytest.raises(CommandError, match="Cannot write"):
        run("--call", "cqo-2021", "--format", "csv", "-o", str(tmp_path / "no" / "dir.csv"))
    settings.DOCUMENT_FONTS = NO_FONTS
    with pytest.raises(CommandError, match="fonts-noto-cjk"):
        run("--call", "cqo-2021", "--format", "pdf", "-o", target)
    assert exports_recorded() == []


# --- the applicant's form.pdf: rate-limited, and kept until the application changes ------


def test_the_applicants_form_pdf_is_limited_with_the_other_downloads(client, call, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "download": "3/d"}  # per day: aligned
    application, token = create_application(call, 1)
    base = f"/a/{application.reference}/{token}/"
    assert client.get(f"{base}form.pdf").status_code == 200
    assert client.get(f"{base}form.pdf").status_code == 200
    download = client.get(f"{base}files/seal_scan/")
    assert download.status_code == 200
    read(download)
    assert client.get(f"{base}form.pdf").status_code == 429


def test_the_form_pdf_is_rendered_once_until_the_application_changes(client, call):
    application, token = create_application(call, 1)
    url = f"/a/{application.reference}/{token}/form.pdf"
    with CaptureQueriesContext(connection) as rendered:
        first = client.get(url).content
    with CaptureQueriesContext(connection) as kept:
        second = client.get(url).content
    assert first.startswith(b"%PDF") and second == first
    # The kept PDF needs only the private link's lookup, not the rows the form shows.
    assert len(kept.captured_queries) < len(rendered.captured_queries)
    assert len(kept.captured_queries) == 1

    application.refresh_from_db()
    services.application_update(
        application=application,
        values={**{k: getattr(application, k) for k in values(1)}, "unit_name": "新的单位名称"},
        standards=list(application.standards.all()),
        files={},
        action="submit",
        token=token,
    )
    changed = client.get(url).content
    assert changed.startswith(b"%PDF") and changed != first
    assert "新的单位名称" in "\n".join(page_texts(changed))
