import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from applications import services
from applications.applicant.forms import ApplicationForm, display_filename, sign_pending
from applications.services import KeptFile, NewFile
from tests.factories import form_data, seal_file, seal_upload

pytestmark = pytest.mark.django_db


def bound(call, data, files=None, **kwargs):
    return ApplicationForm(data, files or {}, call=call, **kwargs)


def test_complete_form_is_valid_and_gives_service_values(call):
    form = bound(call, form_data(call), {"seal_scan": seal_upload()}, action="submit")
    assert form.is_valid(), form.errors
    values = form.values()
    assert values["can_provide_funding"] in (True, False)
    assert values["can_attend_meetings"] is True
    assert isinstance(form.file_changes()["seal_scan"], NewFile)
    assert form.file_changes()["seal_scan"].seal_detected is None  # the worker looks later


def test_submit_lists_every_missing_item(call):
    form = bound(call, {"action": "submit"}, action="submit")
    assert not form.is_valid()
    assert {
        "standards",
        "unit_name",
        "credit_code",
        "drafter_birth_date",
        "can_attend_meetings",
        "agrees_to_declaration",
        "privacy_consent",
        "seal_scan",
        "contact_email",
    } <= set(form.errors)


def test_yes_no_questions_have_no_default(call):
    form = ApplicationForm(call=call)
    html = str(form["can_provide_funding"])
    assert "checked" not in html
    assert 'value="True"' in html and 'value="False"' in html


def test_unknown_action_is_treated_as_submit(call):
    form = bound(call, {"unit_name": "x", "contact_email": "a@example.com"}, action="hack")
    assert form.action == "submit"
    assert not form.is_valid()


def test_long_texts_are_limited_to_5000_characters(call):
    data = form_data(call, unit_profile="质" * 5001)
    form = bound(call, data, {"seal_scan": seal_upload()}, action="submit")
    assert not form.is_valid()
    assert list(form.errors) == ["unit_profile"]


def test_fax_must_be_a_landline_and_birth_date_in_range(call):
    data = form_data(call, drafter_fax="13812345678", drafter_birth_date="2015-01-01")
    form = bound(call, data, {"seal_scan": seal_upload()}, action="submit")
    assert not form.is_valid()
    assert set(form.errors) == {"drafter_fax", "drafter_birth_date"}


def test_choices_outside_the_code_lists_are_refused(call):
    data = form_data(call, industry="Z", drafter_ethnicity="99", drafter_political_status="14")
    form = bound(call, data, {"seal_scan": seal_upload()}, action="submit")
    assert not form.is_valid()
    assert set(form.errors) == {"industry", "drafter_ethnicity", "drafter_political_status"}


def test_an_unknown_standard_is_refused(call):
    data = form_data(call, standards=["999999"])
    form = bound(call, data, {"seal_scan": seal_upload()}, action="submit")
    assert not form.is_valid() and "standards" in form.errors


def test_kept_upload_is_used_when_no_new_file_comes(call):
    pending = services.pending_upload_create(field_name="seal_scan", change=seal_file())
    data = form_data(call, seal_scan_pending=sign_pending(pending))
    form = bound(call, data, action="submit")
    assert form.is_valid(), form.errors
    assert form.file_changes()["seal_scan"] == KeptFile(pending)
    # A reference made for one field is not accepted for another.
    data = form_data(call, unit_profile_file_pending=sign_pending(pending))
    form = bound(call, data, {"seal_scan": seal_upload()}, action="submit")
    assert form.is_valid()
    assert "unit_profile_file" not in form.file_changes()


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("C:\\Users\\me\\扫描件.png", "扫描件.png"),
        ("../../etc/passwd", "passwd"),
        ("evil\u202egnp.exe", "evilgnp.exe"),
        ("\x00", "file"),
    ],
)
def test_original_file_names_are_made_safe_to_show(raw, shown):
    assert display_filename(raw) == shown


def test_attachment_whose_content_disagrees_with_its_name_is_refused(call):
    fake = SimpleUploadedFile("简介.docx", b"%PDF-1.4 not really")
    form = bound(call, form_data(call), {"seal_scan": seal_upload(), "unit_profile_file": fake})
    assert not form.is_valid()
    assert list(form.errors) == ["unit_profile_file"]
