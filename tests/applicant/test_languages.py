"""Simplified Chinese first, English for whoever chooses it; e-mails in the applicant's language."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.test.html import parse_html
from django.urls import reverse
from django.utils import translation

from applications import services
from applications.models import Application
from tests.factories import confirm_by_mail, create_application, form_data, seal_upload
from tests.jobs import run_jobs

pytestmark = pytest.mark.django_db

ROOT = Path(settings.BASE_DIR)
PO = ROOT / "applications" / "locale" / "en" / "LC_MESSAGES" / "django.po"
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


def choose(client, language: str, next_url: str = "/"):
    response = client.post("/i18n/setlang/", {"language": language, "next": next_url})
    assert response.status_code == 302
    assert response["Location"] == next_url
    return response


def visible_text(html: str, *, skip: set[str] = frozenset()) -> str:
    """The page's text outside elements marked lang="zh-CN" (the official Chinese content)."""

    def walk(node):
        if isinstance(node, str):
            return node
        attrs = dict(node.attributes)
        if attrs.get("lang") == "zh-CN" or node.name in ("script", "style", "title"):
            return ""
        return " ".join(walk(child) for child in node.children)

    text = walk(parse_html(html))
    for value in skip:
        text = text.replace(value, "")
    return text


def test_chinese_first_even_for_an_english_browser(client, call):
    html = client.get("/calls/cqo-2021/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="zh-CN">' in html
    assert "通知全文" in html and "在线申报" in html
    # The switch offers English, in English.
    assert 'name="language" value="en" lang="en"' in html


def test_english_call_page_shows_english_and_keeps_the_notice_chinese(client, call):
    choose(client, "en")
    html = client.get("/calls/cqo-2021/", HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    assert '<html lang="en">' in html
    for text in (
        "Full text of the notice",
        "The 3 group standards looking for drafting units",
        "Organising bodies and contacts",
        "Apply online",
        "Skip to the content",
        "Deadline: ",
        "(Beijing time)",
        "The notice is published in Chinese; this is its original text.",
    ):
        assert text in html, text
    # The notice, the standards and the bodies are the call's own (Chinese) content, marked so.
    assert '<div class="notice-body" lang="zh-CN">' in html
    assert "一、起草单位、起草人资格条件" in html
    assert not CJK.search(visible_text(html, skip={"简体中文"})), CJK.findall(visible_text(html))
    assert 'name="language" value="zh-hans" lang="zh-CN"' in html


def test_english_form_has_no_chinese_left_but_the_standards(client, call):
    choose(client, "en", "/calls/cqo-2021/apply/")
    standards = {s.title for s in call.standards.all()} | {call.document_number, "简体中文"}
    # and the organising bodies' names, proper names ticked in the relation question (回避)
    standards |= {b.name for b in call.organising_bodies.all()}
    html = client.get("/calls/cqo-2021/apply/").content.decode()
    assert (
        "Application form for drafting units of the Chief Quality Officer group standards" in html
    )
    assert not CJK.search(visible_text(html, skip=standards)), CJK.findall(
        visible_text(html, skip=standards)
    )
    response = client.post("/calls/cqo-2021/apply/", {"action": "submit", "postcode": "12"})
    html = response.content.decode()
    assert "things to correct" in html
    assert "Enter the 6-digit postcode of the postal address, such as 518060." in html
    assert not CJK.search(visible_text(html, skip=standards)), CJK.findall(
        visible_text(html, skip=standards)
    )


def test_the_switch_returns_to_the_same_private_page(client, call):
    application, token = create_application(call)
    url = reverse(
        "applications:private", kwargs={"reference": application.reference, "token": token}
    )
    page = client.get(url).content.decode()
    assert f'name="next" value="{url}"' in page
    choose(client, "en", url)
    html = client.get(url).content.decode()
    assert "Progress" in html and "Print the form" in html and "Submitted" in html
    # The official document stays Chinese; only its toolbar follows the language.
    printed = client.get(url + "print/").content.decode()
    assert "首席质量官系列团体标准起草单位申报表" in printed and "（公章）" in printed
    assert '<header class="toolbar no-print" lang="en">' in printed and ">Print<" in printed


def test_the_printed_form_stays_chinese_in_every_box_for_an_english_reader(client, call):
    application, token = create_application(call)
    url = reverse("applications:print", kwargs={"reference": application.reference, "token": token})
    choose(client, "en", url)
    html = client.get(url).content.decode()
    start = html.index('<table class="form">')
    table = html[start : html.index("</table>", start)]
    with translation.override("zh-hans"):
        unit_type = application.get_unit_type_display()
    assert unit_type == "企业" and f"<td>{unit_type}</td>" in table
    assert ">单位性质<" in table and ">性　别<" in table
    assert "Enterprise" not in table and "Unit type" not in table


def test_emails_are_written_in_the_language_the_applicant_chose(
    client, call, mailoutbox, django_capture_on_commit_callbacks
):
    choose(client, "en", "/calls/cqo-2021/apply/")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/calls/cqo-2021/apply/", {**form_data(call), "seal_scan": seal_upload()}
        )
    assert response.status_code == 303
    with django_capture_on_commit_callbacks(execute=True):
        confirm_by_mail(client)
    run_jobs()
    application = Application.objects.get()
    assert application.language == "en"
    ref = application.reference
    assert mailoutbox.pop(0).subject == (
        "Please confirm your e-mail address: Chief Quality Officer group standards"
        " drafting-unit application"
    )
    assert [m.subject for m in mailoutbox] == [
        f"[{ref}] Application saved: your private link",
        f"[{ref}] Application submitted",
    ]
    receipt = mailoutbox[0]
    assert receipt.body.startswith(f"Dear {application.unit_name},")
    assert "Your private link" in receipt.body and "(Beijing time)" in receipt.body
    assert receipt.extra_headers["Content-Language"] == "en"
    html, _mime = receipt.alternatives[0]
    assert '<html lang="en">' in html and "Deadline: " in html

    # A later mail (a new link, asked for on a Chinese page) keeps the applicant's language.
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.application_resend_links(call=call, email=application.contact_email)
    run_jobs()
    assert mailoutbox[0].subject == f"[{ref}] Your new private link"


def test_saving_in_chinese_switches_the_emails_back(client, call, mailoutbox):
    application, token = create_application(call, action="draft", language="en")
    assert application.language == "en"
    edit = reverse("applications:edit", kwargs={"reference": application.reference, "token": token})
    response = client.post(edit, {**form_data(call), "seal_scan": seal_upload()})
    assert response.status_code == 303
    application.refresh_from_db()
    assert application.language == "zh-hans"


def test_default_language_is_chinese(call, mailoutbox):
    application, _token = create_application(call)
    assert application.language == "zh-hans"


def test_dates_follow_the_language(client, call):
    choose(client, "en", "/calls/cqo-2021/apply/")
    html = client.get("/calls/cqo-2021/apply/").content.decode()
    deadline = call.deadline.astimezone(__import__("zoneinfo").ZoneInfo("Asia/Shanghai"))
    assert f"{deadline.day} {deadline:%B} {deadline.year}, 23:59" in html


# --- the catalogue ----------------------------------------------------------------------------


def test_english_catalogue_is_complete():
    po = polib.pofile(str(PO))
    assert po.metadata["Language"] == "en"
    assert not po.metadata_is_fuzzy
    assert [e.msgid for e in po.untranslated_entries()] == []
    assert [e.msgid for e in po.fuzzy_entries()] == []
    assert [e.msgid for e in po.obsolete_entries()] == []
    assert po.percent_translated() == 100
    # Placeholders survive translation.
    for entry in po.translated_entries():
        for source, target in (
            [(entry.msgid, entry.msgstr)]
            if not entry.msgid_plural
            else [(entry.msgid_plural, s) for s in entry.msgstr_plural.values()]
        ):
            names = sorted(re.findall(r"%\((\w+)\)[sd]|\{(\w+)\}", source))
            assert sorted(re.findall(r"%\((\w+)\)[sd]|\{(\w+)\}", target)) == names, entry.msgid


@pytest.mark.skipif(not shutil.which("msgfmt"), reason="gettext is not installed")
def test_catalogue_compiles_cleanly():
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(PO)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "untranslated" not in result.stderr and "fuzzy" not in result.stderr
    assert "translated messages" in result.stderr


@pytest.mark.skipif(not shutil.which("xgettext"), reason="gettext is not installed")
def test_catalogue_has_every_string_of_the_code(tmp_path):
    """makemessages on a copy of the sources finds no string the catalogue lacks."""
    copy = tmp_path / "src"
    copy.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.mo")
    for name in ("applications", "chiefquality", "outbox", "templates"):
        shutil.copytree(ROOT / name, copy / name, ignore=ignore)
    shutil.copy(ROOT / "manage.py", copy / "manage.py")
    result = subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "en", "--no-wrap", "-v", "0"],
        cwd=copy,
        env={"PATH": "/usr/bin:/bin", "DJANGO_SECRET_KEY": "x" * 50},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    fresh = polib.pofile(str(copy / "applications" / "locale" / "en" / "LC_MESSAGES" / "django.po"))
    ours = {e.msgid for e in polib.pofile(str(PO))}
    assert sorted(e.msgid for e in fresh if e.msgid not in ours) == []
    assert [e.msgid for e in fresh.untranslated_entries()] == []
    assert [e.msgid for e in fresh if e.obsolete] == []
