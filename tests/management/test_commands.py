import datetime as dt
import io
import os

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.models import Group
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import RequestFactory
from django.utils import timezone

from applications import enums, services, validation
from applications.models import (
    Application,
    AuditEntry,
    Call,
    OrganisingBody,
    PendingUpload,
    Review,
    Standard,
)
from applications.queries import reviewer_bodies
from applications.roles import CALL_MANAGER_GROUP, CALL_MANAGER_PERMISSIONS
from applications.storage import private_storage
from tests.factories import create_application, decide_final, pdf_file, seal_file, selector
from tests.jobs import run_jobs

pytestmark = pytest.mark.django_db


def run(*args, **kwargs) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, **kwargs)
    return out.getvalue()


def snapshot():
    return (
        list(Call.objects.values()),
        list(Standard.objects.values()),
        list(OrganisingBody.objects.values()),
        list(Call.organising_bodies.through.objects.values()),
    )


def test_seed_call_creates_the_notice_and_is_idempotent():
    run("seed_call")
    call = Call.objects.get()
    assert call.code == "cqo-2021"
    assert call.document_number == "商贸促字〔2021〕163号"
    assert call.title == "关于公开征集首席质量官系列团体标准起草单位和起草人的通知"
    assert (call.max_selected, call.drafters_per_unit) == (30, 1)
    local = timezone.localtime(call.deadline)
    assert (local.year, local.month, local.day, local.hour, local.minute) == (2021, 8, 20, 23, 59)
    assert local.utcoffset().total_seconds() == 8 * 3600
    assert not call.is_open()
    for heading in (
        "一、起草单位、起草人资格条件",
        "二、",
        "三、名额限制",
        "四、参与原则",
        "五、申报要求",
    ):
        assert heading in call.notice
    assert "选取 30 家以内" in call.notice and "每个单位原则上限定为列名1人" in call.notice
    assert list(call.standards.values_list("title", "plan_number")) == [
        ("《首席质量官 术语与原则》", "CCPIT-CSC-JH2021164"),
        ("《首席质量官培育指南》", "CCPIT-CSC-JH2021165"),
        ("《首席质量官评价指南》", "CCPIT-CSC-JH2021166"),
    ]
    bodies = list(call.organising_bodies.values_list("name", "phone", "email", "contact_person"))
    assert bodies == [
        ("深圳大学", "17722506919", "iqed@szu.edu.cn", "刘伟丽"),
        ("中国质量报刊社", "13366735535", "719795803@qq.com", "杜吟"),
        ("中国国际贸易促进委员会商业行业委员会", "010-66094072", "ccpitning@163.com", "崔宁"),
    ]
    before = snapshot()
    assert "nothing changed" in run("seed_call")
    assert snapshot() == before


def test_seed_call_deadline_opens_and_extends():
    run("seed_call", deadline="2099-01-31")
    call = Call.objects.get()
    assert call.is_open()
    assert timezone.localtime(call.deadline).strftime("%Y-%m-%d %H:%M") == "2099-01-31 23:59"
    run("seed_call", deadline="2099-02-28")
    assert timezone.localtime(Call.objects.get().deadline).day == 28
    with pytest.raises(CommandError):
        run("seed_call", deadline="31/01/2099")


def test_seed_demo_makes_valid_submitted_applications_with_files(call):
    out = run("seed_demo", applications=25)
    assert "Created 25 demo applications" in out
    applications = Application.objects.order_by("reference")
    assert [a.reference for a in applications][:2] == ["CQO-2021-0001", "CQO-2021-0002"]
    assert applications.count() == 25
    call.refresh_from_db()
    assert call.last_reference_number == 25
    for application in applications:
        assert application.status == enums.Status.SUBMITTED
        validation.normalize_credit_code(application.credit_code)
        validation.normalize_mobile(application.drafter_mobile)
        application.full_clean()
        assert application.standards.exists()
        with application.seal_scan.open("rb") as seal:
            assert seal.read(8) == b"\x89PNG\r\n\x1a\n"
        with application.unit_profile_file.open("rb") as pdf:
            assert pdf.read(5) == b"%PDF-"
    assert "already has applications" in run("seed_demo", applications=5, if_empty=True)
    assert Application.objects.count() == 25
    run("seed_demo", applications=5)
    assert Application.objects.count() == 30


def test_demo_admin_prints_a_password_that_works(db):

    out = run("demo_admin")
    password = out.split("password:")[1].split()[0]
    user = authenticate(RequestFactory().post("/admin/login/"), username="admin", password=password)
    assert user is not None and user.is_superuser


def test_cleanup_orphan_files(call, settings):

    application, _ = create_application(call, 1)
    fresh = services.pending_upload_create(field_name="seal_scan", change=seal_file("new.png"))
    old = services.pending_upload_create(field_name="seal_scan", change=seal_file("old.png"))
    PendingUpload.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - dt.timedelta(hours=settings.PENDING_UPLOAD_MAX_AGE_HOURS + 1)
    )
    storage = private_storage()
    crash_left = storage.save("2026/11/crash.png", io.BytesIO(b"x"))
    just_written = storage.save("2026/11/in-flight.png", io.BytesIO(b"y"))
    hour_ago = timezone.now().timestamp() - 3700
    os.utime(storage.path(crash_left), (hour_ago, hour_ago))

    assert (
        "Would delete 1 expired kept upload(s), 1 orphan file(s) and 0 partial upload(s)."
        in run("cleanup_orphan_files", dry_run=True)
    )
    assert storage.exists(crash_left) and storage.exists(old.file.name)
    assert "Deleted 1 expired kept upload(s), 1 orphan file(s) and 0 partial upload(s)." in run(
        "cleanup_orphan_files"
    )
    assert not storage.exists(crash_left)
    assert not storage.exists(old.file.name)
    assert not PendingUpload.objects.filter(pk=old.pk).exists()
    for kept in (application.seal_scan.name, fresh.file.name, just_written):
        assert storage.exists(kept)


def test_seed_demo_makes_one_reviewer_per_body_and_a_selector_whose_passwords_work(call):

    out = run("seed_demo", applications=20, reviews=1.0)
    passwords = dict(
        line.split()[:2]
        for line in out.splitlines()
        if line.startswith("    ") and len(line.split()) >= 3
    )
    assert set(passwords) == {"reviewer-szu", "reviewer-cqn", "reviewer-ccpit", "selector"}
    bodies = list(call.organising_bodies.all())
    for username, body in zip(
        ["reviewer-szu", "reviewer-cqn", "reviewer-ccpit"], bodies, strict=True
    ):
        user = authenticate(
            RequestFactory().post("/admin/login/"), username=username, password=passwords[username]
        )
        assert user is not None and user.is_staff and not user.is_superuser
        assert reviewer_bodies(user) == [body]
        assert user.has_perm("applications.view_application")
        assert not user.has_perm("applications.decide_application")
    boss = authenticate(
        RequestFactory().post("/admin/login/"), username="selector", password=passwords["selector"]
    )
    assert boss.has_perm("applications.decide_application") and reviewer_bodies(boss) == []
    assert Review.objects.count() == 20 * 3  # share 1.0: every body reviewed every one
    assert {r.reviewer.username for r in Review.objects.filter(body=bodies[0])} == {"reviewer-szu"}
    # A second run gives new passwords and keeps one account each.
    again = run("seed_demo", applications=0)
    assert "reviewer-szu" in again and get_user_model().objects.filter(is_staff=True).count() == 4


def test_remind_drafts_mails_each_draft_once_in_the_last_days(
    call, django_capture_on_commit_callbacks
):

    draft = create_application(call, 1, action="draft")[0]
    create_application(call, 2)  # submitted: no reminder
    run_jobs()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert "Reminded 0 draft(s)" in run("remind_drafts")  # 30 days left: too early
    call.deadline = timezone.now() + dt.timedelta(days=2)
    call.save(update_fields=["deadline"])
    with django_capture_on_commit_callbacks(execute=True):
        assert "Reminded 1 draft(s)" in run("remind_drafts")
        assert "Reminded 0 draft(s)" in run("remind_drafts")  # once only
    run_jobs()
    assert [m.to for m in mail.outbox] == [[draft.contact_email]]
    assert mail.outbox[0].subject == f"[{draft.reference}] 申报尚未提交，即将截止"
    assert "http://testserver/link/" in mail.outbox[0].body
    assert draft.audit_entries.filter(action="application.remind").count() == 1
    with pytest.raises(CommandError):
        run("remind_drafts", call="nope")


def test_purge_personal_data_erases_only_the_not_selected_and_only_when_old(
    call, django_capture_on_commit_callbacks
):

    call.required_recommendations = 0
    call.save()
    boss = selector()
    chosen = create_application(call, 1)[0]
    rejected = create_application(
        call, 2, files={"seal_scan": seal_file(), "unit_profile_file": pdf_file()}
    )[0]
    recent = create_application(call, 3)[0]
    decide_final(chosen, "select", boss)
    decide_final(rejected, "reject", boss)
    old = timezone.now() - dt.timedelta(days=400)
    Application.objects.filter(pk__in=[chosen.pk, rejected.pk]).update(updated_at=old)
    files = [rejected.seal_scan.name, rejected.unit_profile_file.name]
    drafter = rejected.drafter_name
    root = private_storage().location

    dry = run("purge_personal_data", call="cqo-2021", older_than=365, dry_run=True)
    assert rejected.reference in dry and "Would erase the personal data of 1" in dry
    assert all(os.path.exists(os.path.join(root, name)) for name in files)

    with django_capture_on_commit_callbacks(execute=True):
        out = run("purge_personal_data", call="cqo-2021", older_than=365)
    assert "Erased the personal data of 1 application(s)." in out
    rejected.refresh_from_db()
    assert rejected.personal_data_purged_at is not None
    assert (rejected.drafter_name, rejected.drafter_mobile, rejected.drafter_birth_date) == (
        "",
        "",
        None,
    )
    assert (
        rejected.drafter_ethnicity,
        rejected.drafter_political_status,
        rejected.contact_email,
    ) == ("", "", "")
    assert rejected.seal_scan.name == "" and rejected.unit_profile_file.name == ""
    assert rejected.status == "rejected" and rejected.unit_name and rejected.credit_code
    assert not any(os.path.exists(os.path.join(root, name)) for name in files)
    entry = AuditEntry.objects.get(application=rejected, action="application.purge")
    assert "drafter_birth_date" in entry.data["fields"] and entry.actor is None
    assert drafter not in str(entry.data)
    for kept in (chosen, recent):
        kept.refresh_from_db()
        assert kept.drafter_name and kept.personal_data_purged_at is None
    assert "Erased the personal data of 0" in run(
        "purge_personal_data", call="cqo-2021", older_than=365
    )
    with pytest.raises(CommandError):
        run("purge_personal_data", call="nope", older_than=1)


def test_seed_call_publishes_the_notice_and_makes_the_call_managers_group():
    run("seed_call")
    call = Call.objects.get()
    assert call.status == enums.CallStatus.PUBLISHED and call.published_at is not None
    assert call.series == "首席质量官系列团体标准"
    managers = Group.objects.get(name=CALL_MANAGER_GROUP)
    assert sorted(managers.permissions.values_list("codename", flat=True)) == sorted(
        CALL_MANAGER_PERMISSIONS
    )


def test_seed_demo_second_call_is_a_different_published_call_with_quota_ten(call):
    out = run("seed_demo", applications=3, second_call=True)
    second = Call.objects.get(code="svc-2026")
    assert "Created demo call svc-2026 with 12 applications." in out
    assert second.is_published and second.is_open() and second.max_selected == 10
    assert [s.title for s in second.standards.all()] == [
        "《零售门店服务质量评价规范》",
        "《餐饮服务顾客满意度测评指南》",
    ]
    assert not set(second.standards.values_list("plan_number", flat=True)) & set(
        call.standards.values_list("plan_number", flat=True)
    )
    names = set(second.organising_bodies.values_list("name", flat=True))
    assert names == {
        "商业服务质量标准化示范中心",
        "零售服务质量示范研究院",
        "中国国际贸易促进委员会商业行业委员会",
    }
    assert second.applications.count() == 12 and call.applications.count() == 3
    assert second.applications.order_by("reference").first().reference == "SVC-2026-0001"
    assert all(b.reviewer_group for b in second.organising_bodies.all())
    assert "already exists" in run("seed_demo", applications=0, second_call=True)
    assert Call.objects.filter(code="svc-2026").count() == 1
