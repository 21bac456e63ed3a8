"""Issue 20 item 5: an anonymous draft costs little and says nothing until its contact
address is confirmed; it takes no gap-free reference, and expires with its files."""

import datetime as dt
import os
import re

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from applications import enums, form_schema, queries, schedule, services, tasks
from applications.models import Application, AuditEntry, Call, PrivateLink
from applications.storage import private_storage
from outbox.models import OutgoingMail
from tests.factories import (
    create_application,
    pdf_file,
    seal_file,
    values,
)

pytestmark = pytest.mark.django_db

TYPED = {
    "unit_name": "请立即拨打400-000-0000领取补贴有限公司",
    "drafter_name": "冒名者",
    "responsible_person": "假负责人",
}


def stored_files() -> list[str]:
    root = private_storage().location
    return sorted(f for _d, _s, fs in os.walk(root) for f in fs)


def unconfirmed(call, number=1, *, action="draft", files=None, client="", **overrides):
    return create_application(
        call, number, action=action, files=files or {}, confirmed=False, client=client, **overrides
    )


def test_a_new_draft_takes_no_reference_and_its_only_mail_carries_no_typed_text(call):
    application, token = unconfirmed(call, **TYPED)

    assert re.fullmatch(r"CQO-2021-U[0-9A-F]{10}", application.reference)
    assert Call.objects.get(pk=call.pk).last_reference_number == 0
    assert application.email_confirmed_at is None and application.status == enums.Status.DRAFT
    assert not PrivateLink.objects.exists()  # no private page before confirmation
    assert queries.application_get_by_token(reference=application.reference, token=token) is None
    assert not AuditEntry.objects.exists()  # the row may expire; the trail cannot be deleted
    [mail] = OutgoingMail.objects.all()
    assert (mail.kind, mail.to) == ("confirm", application.contact_email)
    assert f"http://testserver/confirm/{token}/" in mail.text
    assert f"http://testserver/confirm/{token}/" in mail.html
    whole = f"{mail.subject}\n{mail.text}\n{mail.html}"
    for name in form_schema_text_fields(application):
        assert str(getattr(application, name)) not in whole, name
    assert application.reference not in whole


def form_schema_text_fields(application) -> list[str]:
    """Every field typed into the form whose value is text of some length."""
    return [
        name
        for name in form_schema.VALUE_FIELDS
        if isinstance(getattr(application, name), str) and len(getattr(application, name)) >= 2
    ]


def test_confirming_takes_the_next_reference_and_sends_the_receipt(call):
    first, first_token = unconfirmed(call, 1)
    second, second_token = unconfirmed(call, 2)
    confirmed, _token = create_application(call, 3, action="draft")  # a confirmed one
    assert confirmed.reference == "CQO-2021-0001"

    done = services.application_confirm_email(token=second_token)

    assert done is not None and (done.submitted, done.refusal) == (False, [])
    second.refresh_from_db()
    assert second.reference == "CQO-2021-0002"
    assert second.email_confirmed_at is not None and second.email_confirm_hash == ""
    assert second.client_key == ""
    assert Call.objects.get(pk=call.pk).last_reference_number == 2
    # the mailed token is now its private link
    found = queries.application_get_by_token(reference="CQO-2021-0002", token=second_token)
    assert found == second
    assert [e.action for e in second.audit_entries.order_by("pk")] == [
        "application.create",
        "application.email_confirm",
    ]
    receipt = OutgoingMail.objects.filter(application=second, kind="receipt").get()
    assert second.unit_name in receipt.text and "CQO-2021-0002" in receipt.text
    assert f"/a/CQO-2021-0002/{second_token}/" in receipt.text
    # once only: the link is a private link now, not a confirmation
    assert services.application_confirm_email(token=second_token) is None
    assert queries.application_by_link_token(second_token) == second
    assert services.application_confirm_email(token="not-a-token") is None
    first.refresh_from_db()
    assert first.email_confirmed_at is None and first.reference.startswith("CQO-2021-U")
    assert services.application_confirm_email(token=first_token).application.reference == (
        "CQO-2021-0003"
    )


def test_a_submission_asked_for_before_confirmation_is_made_when_the_link_is_opened(call):
    application, token = unconfirmed(call, action="submit", files={"seal_scan": seal_file()})
    assert application.status == enums.Status.DRAFT
    assert application.submit_requested_at is not None and application.submitted_at is None
    assert OutgoingMail.objects.filter(kind="submitted").count() == 0

    done = services.application_confirm_email(token=token)

    application.refresh_from_db()
    assert done.submitted and application.status == enums.Status.SUBMITTED
    assert application.submitted_at == application.email_confirmed_at
    assert application.submit_requested_at is None
    assert sorted(OutgoingMail.objects.values_list("kind", flat=True)) == [
        "confirm",
        "receipt",
        "submitted",
    ]
    assert "application.submit" in application.audit_entries.values_list("action", flat=True)


def test_a_submission_asked_for_is_not_made_once_the_deadline_has_passed(call):
    application, token = unconfirmed(call, action="submit", files={"seal_scan": seal_file()})
    call.deadline = timezone.now() - dt.timedelta(minutes=1)
    call.save(update_fields=["deadline"])

    done = services.application_confirm_email(token=token)

    application.refresh_from_db()
    assert not done.submitted and done.refusal
    assert application.status == enums.Status.DRAFT and application.submitted_at is None
    assert application.reference == "CQO-2021-0001"  # the address is confirmed all the same
    assert OutgoingMail.objects.filter(kind="submitted").count() == 0


def test_submit_before_confirmation_still_says_at_once_what_is_missing(call):
    with pytest.raises(ValidationError) as refused:
        unconfirmed(call, action="submit", files={})  # no seal scan
    assert "seal_scan" in refused.value.error_dict
    assert not Application.objects.exists()


def test_a_file_over_the_drafts_cap_is_refused_and_nothing_is_stored(call, settings):
    seal, pdf = seal_file(), pdf_file()
    settings.UNCONFIRMED_DRAFT_MAX_BYTES = seal.upload.size + pdf.upload.size - 1

    with pytest.raises(ValidationError) as refused:
        unconfirmed(call, files={"unit_profile_file": pdf, "seal_scan": seal})

    errors = refused.value.error_dict
    assert list(errors) == ["seal_scan"]  # the form's order: the profile came first and fit
    [error] = errors["seal_scan"]
    assert error.code == "unconfirmed_draft_cap"
    assert "确认邮箱后即可上传较大的附件" in error.messages[0]
    assert not Application.objects.exists() and stored_files() == []
    # a confirmed application is not capped
    create_application(call, 2, files={"unit_profile_file": pdf_file(), "seal_scan": seal_file()})
    # within the cap, the draft stores its files and counts their bytes
    application, _token = unconfirmed(call, 3, files={"unit_profile_file": pdf_file()})
    assert application.unconfirmed_bytes == pdf.upload.size


def test_the_client_cap_sums_a_days_unconfirmed_drafts_of_one_address(call, settings):
    size = pdf_file().upload.size
    settings.UNCONFIRMED_CLIENT_MAX_BYTES = 2 * size
    one = services.client_key("203.0.113.7")
    other = services.client_key("198.51.100.9")
    assert one != other and "203.0.113.7" not in one

    unconfirmed(call, 1, files={"unit_profile_file": pdf_file()}, client=one)
    unconfirmed(call, 2, files={"unit_profile_file": pdf_file()}, client=one)
    with pytest.raises(ValidationError) as refused:
        unconfirmed(call, 3, files={"unit_profile_file": pdf_file()}, client=one)
    assert [e.code for e in refused.value.error_dict["unit_profile_file"]] == [
        "unconfirmed_client_cap"
    ]
    # another address is not concerned
    unconfirmed(call, 4, files={"unit_profile_file": pdf_file()}, client=other)
    # a day later the first drafts no longer count, and confirmed ones never do
    Application.objects.filter(client_key=one).update(
        created_at=timezone.now() - dt.timedelta(days=1, minutes=1)
    )
    unconfirmed(call, 5, files={"unit_profile_file": pdf_file()}, client=one)
    assert Application.objects.filter(client_key=one).count() == 3


def test_expired_drafts_go_with_their_files_and_mails_and_leave_counts_only(
    call, django_capture_on_commit_callbacks
):
    old, _token = unconfirmed(
        call, 1, files={"unit_profile_file": pdf_file(), "drafter_resume_file": pdf_file()}
    )
    young, _young_token = unconfirmed(call, 2, files={"unit_profile_file": pdf_file()})
    kept, _kept_token = create_application(call, 3)  # confirmed: never expires
    Application.objects.filter(pk__in=[old.pk, kept.pk]).update(
        created_at=timezone.now() - dt.timedelta(hours=72, minutes=1)
    )
    old_files = [old.unit_profile_file.name, old.drafter_resume_file.name]
    assert all(private_storage().exists(name) for name in old_files)

    with django_capture_on_commit_callbacks(execute=True):
        assert services.unconfirmed_drafts_expire() == (1, 2)

    assert not Application.objects.filter(pk=old.pk).exists()
    assert not any(private_storage().exists(name) for name in old_files)
    assert not OutgoingMail.objects.filter(to=old.contact_email).exists()
    assert set(Application.objects.values_list("pk", flat=True)) == {young.pk, kept.pk}
    assert private_storage().exists(young.unit_profile_file.name)
    [entry] = AuditEntry.objects.filter(action="application.expire_unconfirmed")
    assert (entry.application, entry.data) == (None, {"drafts": 1, "files": 2})
    # run again: nothing more
    assert services.unconfirmed_drafts_expire() == (0, 0)
    assert AuditEntry.objects.filter(action="application.expire_unconfirmed").count() == 1


def test_the_expiry_is_a_scheduled_job(call, settings, django_capture_on_commit_callbacks):
    assert tasks.expire_unconfirmed_drafts in [job for job, _cron in schedule.SCHEDULE]
    settings.UNCONFIRMED_DRAFT_HOURS = 1
    application, _token = unconfirmed(call, files={"seal_scan": seal_file()})
    Application.objects.filter(pk=application.pk).update(
        created_at=timezone.now() - dt.timedelta(minutes=61)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.expire_unconfirmed_drafts.call() == "1 drafts, 1 files"
    assert not Application.objects.exists() and stored_files() == []


def test_asking_for_the_link_again_resends_the_confirmation_only(call):
    application, first_token = unconfirmed(call, **TYPED)

    assert services.application_resend_links(email=application.contact_email) == 1

    mails = list(OutgoingMail.objects.order_by("pk"))
    assert [m.kind for m in mails] == ["confirm", "confirm"]
    assert TYPED["unit_name"] not in mails[1].text + mails[1].html + mails[1].subject
    second_token = re.search(r"/confirm/([A-Za-z0-9_-]+)/", mails[1].text).group(1)
    assert services.application_confirm_email(token=first_token) is None  # replaced
    assert services.application_confirm_email(token=second_token) is not None


def test_someone_applying_again_for_its_unit_gets_the_holder_a_confirmation_only(call):
    application, _token = unconfirmed(call, **TYPED)
    assert tasks.duplicate_link.call(application.pk) == 1
    assert list(OutgoingMail.objects.values_list("kind", flat=True)) == ["confirm", "confirm"]


def test_an_unconfirmed_draft_is_not_edited_reminded_or_given_pages(call):
    application, _token = unconfirmed(call)
    with pytest.raises(ValidationError) as refused:
        services.application_update(
            application=application,
            values=values(1),
            standards=list(call.standards.all()[:1]),
            files={},
            action="draft",
        )
    assert refused.value.error_dict["__all__"][0].code == "email_unconfirmed"
    assert (
        services.drafts_remind(
            call=call, within_days=60, now=timezone.now() + dt.timedelta(hours=1)
        )
        == []
    )
