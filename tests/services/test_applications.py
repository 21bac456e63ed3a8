import datetime as dt
import os
import uuid

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from applications import enums, services
from applications.models import Application, AuditEntry, PendingUpload
from applications.queries import application_get_by_token
from applications.storage import private_storage
from tests.factories import create_application, pdf_file, seal_file, values
from tests.jobs import run_jobs

pytestmark = pytest.mark.django_db


def stored_files() -> list[str]:
    root = private_storage().location

    return sorted(
        os.path.relpath(os.path.join(d, f), root) for d, _dirs, fs in os.walk(root) for f in fs
    )


def test_draft_then_submit_gives_gap_free_references(call):
    first, _ = create_application(call, 1, action="draft")
    second, _ = create_application(call, 2)
    third, _ = create_application(call, 3)
    assert [first.reference, second.reference, third.reference] == [
        "CQO-2021-0001",
        "CQO-2021-0002",
        "CQO-2021-0003",
    ]
    assert first.status == enums.Status.DRAFT and first.submitted_at is None
    assert second.status == enums.Status.SUBMITTED and second.submitted_at is not None
    call.refresh_from_db()
    assert call.last_reference_number == 3


def test_private_link_token_is_stored_only_as_hash(call, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        application, token = create_application(call, 1)
    run_jobs()
    assert token not in application.access_token_hash
    assert application_get_by_token(reference=application.reference, token=token) == application
    assert application_get_by_token(reference=application.reference, token=token + "x") is None
    assert application_get_by_token(reference="CQO-2021-9999", token=token) is None
    receipt, submitted = mail.outbox
    assert receipt.to == [application.contact_email]
    assert f"/a/{application.reference}/{token}/" in receipt.body
    assert receipt.subject == f"[{application.reference}] 申报已保存：您的专属链接"
    assert submitted.subject == f"[{application.reference}] 申报已提交"
    assert receipt.alternatives[0][1] == "text/html"


def test_submit_requires_everything_and_the_seal_scan(call):
    with pytest.raises(ValidationError) as info:
        create_application(call, 1, files={}, drafter_title="", agrees_to_declaration=False)
    errors = info.value.message_dict
    assert set(errors) == {"seal_scan", "drafter_title", "agrees_to_declaration"}
    assert Application.objects.count() == 0
    call.refresh_from_db()
    assert call.last_reference_number == 0  # no number burnt by a refusal


def test_submit_requires_a_standard(call):
    with pytest.raises(ValidationError) as info:
        create_application(call, 1, standards=[])
    assert set(info.value.message_dict) == {"standards"}


def test_draft_needs_little(call):
    application, _ = services.application_create(
        call=call,
        values={"unit_name": "某单位", "contact_email": "a@example.com"},
        standards=[],
        files={},
        action="draft",
    )
    assert application.status == enums.Status.DRAFT


def test_second_application_of_same_unit_is_refused_with_a_way_out(call):
    create_application(call, 1)
    with pytest.raises(ValidationError) as info:
        create_application(call, 2, credit_code=values(1)["credit_code"])
    (message,) = info.value.message_dict["credit_code"]
    assert "只能申报一次" in message and "专属链接" in message
    assert Application.objects.count() == 1


def test_withdrawn_unit_may_apply_again(call):
    first, _ = create_application(call, 1)
    services.application_withdraw(application=first)
    again, _ = create_application(call, 2, credit_code=first.credit_code)
    assert again.credit_code == first.credit_code


def test_same_drafter_cannot_serve_two_units(call):
    first, _ = create_application(call, 1)
    with pytest.raises(ValidationError) as info:
        create_application(
            call, 2, drafter_name=first.drafter_name, drafter_mobile=first.drafter_mobile
        )
    assert "drafter_mobile" in info.value.message_dict


def test_database_constraint_holds_without_the_service(call):

    first, _ = create_application(call, 1)
    twin = Application.objects.get(pk=first.pk)
    twin.pk = None
    twin.reference = "CQO-2021-0999"
    twin.access_token_hash = "f" * 64
    with pytest.raises(IntegrityError), transaction.atomic():
        twin.save()


def test_after_the_deadline_nothing_is_stored(closed_call):
    with pytest.raises(ValidationError) as info:
        create_application(closed_call, 1, files={"seal_scan": seal_file()})
    assert "已于截止时间关闭" in info.value.messages[0]
    assert Application.objects.count() == 0
    assert stored_files() == []


def test_a_refused_save_leaves_no_file_behind(call):
    with pytest.raises(ValidationError):
        create_application(
            call,
            1,
            files={"seal_scan": seal_file(), "unit_profile_file": pdf_file()},
            drafter_title="",
        )
    assert stored_files() == []


def test_replayed_form_is_not_a_second_application(call):

    key = uuid.uuid4()
    kwargs = dict(
        call=call,
        values=values(1),
        standards=list(call.standards.all()),
        files={"seal_scan": seal_file()},
        action="submit",
        idempotency_key=key,
    )
    first, _ = services.application_create(**kwargs)
    kwargs["files"] = {"seal_scan": seal_file()}
    with pytest.raises(services.DuplicateSubmission) as info:
        services.application_create(**kwargs)
    assert info.value.application == first
    assert Application.objects.count() == 1
    assert len(stored_files()) == 1


def test_edit_records_changed_fields_and_replaces_file(call, django_capture_on_commit_callbacks):
    application, token = create_application(
        call, 1, action="draft", files={"seal_scan": seal_file("a.png")}
    )
    old_file = application.seal_scan.name
    run_jobs()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        updated = services.application_update(
            application=application,
            values=values(1, drafter_title="研究员"),
            standards=list(call.standards.all()),
            files={"seal_scan": seal_file("b.png")},
            action="submit",
            token=token,
        )
    assert updated.status == enums.Status.SUBMITTED
    assert updated.seal_scan_name == "b.png"
    assert stored_files() == [updated.seal_scan.name]
    assert old_file != updated.seal_scan.name
    actions = list(AuditEntry.objects.filter(application=updated).values_list("action", "data"))
    assert actions[0] == ("application.create", {"to": "draft"})
    assert actions[1][0] == "application.edit"
    assert {"drafter_title", "seal_scan", "standards"} <= set(actions[1][1]["changed"])
    assert actions[2] == ("application.submit", {"from": "draft", "to": "submitted"})
    run_jobs()
    assert [m.subject for m in mail.outbox] == [f"[{updated.reference}] 申报已提交"]


def test_submitted_application_must_stay_complete(call):
    application, _ = create_application(call, 1)
    with pytest.raises(ValidationError) as info:
        services.application_update(
            application=application,
            values=values(1, unit_profile=""),
            standards=list(call.standards.all()),
            files={},
            action="draft",
        )
    assert set(info.value.message_dict) == {"unit_profile"}
    application.refresh_from_db()
    assert application.status == enums.Status.SUBMITTED and application.unit_profile


def test_no_edit_after_deadline(call):
    application, _ = create_application(call, 1)
    call.deadline = timezone.now() - dt.timedelta(seconds=1)
    call.save()
    with pytest.raises(ValidationError):
        services.application_update(
            application=application,
            values=values(1, drafter_title="研究员"),
            standards=list(call.standards.all()),
            files={},
            action="submit",
        )
    application.refresh_from_db()
    assert application.drafter_title != "研究员"


def test_withdraw(call, django_capture_on_commit_callbacks):
    application, _ = create_application(call, 1)
    with django_capture_on_commit_callbacks(execute=True):
        services.application_withdraw(application=application)
    run_jobs()
    application.refresh_from_db()
    assert application.status == enums.Status.WITHDRAWN
    assert mail.outbox[-1].subject == f"[{application.reference}] 申报已撤回"
    assert AuditEntry.objects.filter(
        application=application, action="application.withdraw"
    ).get().data == {"from": "submitted", "to": "withdrawn"}
    with pytest.raises(ValidationError):
        services.application_withdraw(application=application)


def test_resend_link_adds_a_token_and_keeps_the_old_one(call, django_capture_on_commit_callbacks):
    """Issue 19 item 12: a colleague's bookmarked link keeps working after "找回专属链接"."""
    application, old_token = create_application(call, 1)
    with django_capture_on_commit_callbacks(execute=True):
        sent = services.application_resend_links(call=call, email=application.contact_email.upper())
    assert sent == 1
    run_jobs()
    body = mail.outbox[-1].body
    new_token = body.split(f"/a/{application.reference}/")[1].split("/")[0]
    assert application_get_by_token(reference=application.reference, token=new_token)
    assert application_get_by_token(reference=application.reference, token=old_token)
    assert new_token != old_token
    assert services.application_resend_links(call=call, email="nobody@example.com") == 0


def test_kept_upload_is_claimed_by_the_next_save(call):
    pending = services.pending_upload_create(field_name="seal_scan", change=seal_file("扫描.png"))
    application, _ = create_application(call, 1, files={"seal_scan": services.KeptFile(pending)})
    assert application.seal_scan.name == pending.file.name
    assert application.seal_scan_name == "扫描.png"
    assert not PendingUpload.objects.exists()
    assert stored_files() == [application.seal_scan.name]


def test_audit_entries_cannot_be_changed_or_deleted(call):
    application, _ = create_application(call, 1)
    entry = AuditEntry.objects.filter(application=application).first()
    with pytest.raises(ValidationError):
        entry.delete()
    entry.action = "x"
    with pytest.raises(ValidationError):
        entry.save()
