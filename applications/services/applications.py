"""Every write of the applicant on an application: create, edit, submit, withdraw, resend link.

Each service runs in one transaction: it locks what it checks, checks, ``full_clean()``s,
saves and writes the audit entry; e-mails are sent and replaced files removed only after
commit. A refusal raises ``ValidationError`` (a dict by field where a field is to blame),
which views add to the form as they are.
"""

import datetime
import logging
import secrets
import uuid
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applications import emails, enums, form_schema, queries, stamp, validation, workflow
from applications.models import (
    Application,
    Call,
    PrivateLink,
    Question,
    QuestionKind,
    SealPage,
    Standard,
)
from applications.seal_jobs import seal_hint_later
from applications.services.audit import audit_write as _audit
from applications.services.confirmation import provisional_reference, unconfirmed_file_refusals
from applications.services.conflicts import conflicts_detect
from applications.services.decisions import close_list_gaps
from applications.services.files import (
    AnswerFileChanges,
    FileChange,
    FileWork,
    NewFile,
    delete_after_commit,
    file_work,
    set_answer_names,
    store_upload,
)
from applications.services.locking import (
    lock_application,
    lock_call,
    lock_call_then_application,
)

logger = logging.getLogger(__name__)

# Everything the applicant's form may set directly (files and standards are handled apart).

ACTION_DRAFT = "draft"
ACTION_SUBMIT = "submit"


class DuplicateSubmission(Exception):
    """The form page that sent this POST has already created an application."""

    def __init__(self, application: Application):
        super().__init__(application.reference)
        self.application = application


def new_access_token() -> tuple[str, str]:
    token = secrets.token_urlsafe(32)
    return token, queries.token_hash(token)


def _check_rows(application: Application) -> None:
    """Rules across rows, with messages on the fields; the database constraints back them."""
    errors = {}
    try:
        validation.validate_credit_code_free(
            taken=queries.credit_code_taken(
                call=application.call,
                credit_code=application.credit_code,
                exclude_pk=application.pk,
            )
        )
    except ValidationError as exc:
        errors["credit_code"] = exc
    try:
        validation.validate_drafter_free(
            taken=queries.drafter_taken(
                call=application.call,
                drafter_name=application.drafter_name,
                drafter_mobile=application.drafter_mobile,
                exclude_pk=application.pk,
            )
        )
    except ValidationError as exc:
        errors["drafter_mobile"] = exc
    if errors:
        raise ValidationError(errors)


def _answer_files_asked(call: Call, answer_files: AnswerFileChanges) -> None:
    """Files answer only the call's own visible questions of kind "file"."""
    if not answer_files:
        return
    asked = set(
        Question.objects.filter(call=call, kind=QuestionKind.FILE, hidden=False).values_list(
            "pk", flat=True
        )
    )
    if not set(answer_files) <= asked:
        raise ValidationError(_("该问题不再接受文件，请刷新页面后重试。"), code="not_asked")


def _check_complete(application: Application, standards: Collection[Standard]) -> None:
    errors = validation.missing_for_submit(
        validation.submission_values(application, standards=standards)
    )
    errors |= validation.missing_answers(
        required=list(
            Question.objects.filter(
                call=application.call_id, required=True, hidden=False
            ).values_list("pk", flat=True)
        ),
        answers=application.extra_answers,
    )
    if errors:
        raise ValidationError(errors)


def _save(
    application: Application,
    *,
    standards: Collection[Standard],
    now: datetime.datetime,
    action: str,
    was_status: str,
) -> None:
    if application.privacy_consent and application.privacy_consent_at is None:
        application.privacy_consent_at = now
    if not application.privacy_consent:
        application.privacy_consent_at = None
    if action == ACTION_SUBMIT or was_status == enums.Status.SUBMITTED:
        _check_complete(application, standards)
        if application.status == enums.Status.DRAFT:
            application.status = enums.Status.SUBMITTED
            application.submitted_at = now
    _check_rows(application)
    # Field checks only: the cross-row rules were checked just above with messages on their
    # fields, and the database's constraints have the last word (IntegrityError below).
    # Django's own constraint validation would ask the database again, one query per
    # constraint, on the busiest path of the portal; so would the check that the call
    # exists, whose row the caller holds.
    application.full_clean(
        exclude=["standards", "call"], validate_unique=False, validate_constraints=False
    )
    try:
        with transaction.atomic():
            application.save()
    except IntegrityError as exc:
        # Another request took the same unit or drafter between the check and the save.
        logger.info("constraint refused application save: %s", exc)
        _check_rows(application)
        raise ValidationError(_("保存失败：数据与已有申报冲突，请刷新后重试。")) from exc
    if was_status:
        application.standards.set(standards)
    else:  # new: nothing to compare with
        application.standards.add(*standards)


STALE_SCAN_MESSAGE = _(
    "盖章表与在线填写内容不一致，请重新打印盖章。"
    "如仍要以当前的盖章表提交，请勾选“仍以当前盖章表提交”后再提交。"
)


def _judge_scan(application: Application, *, confirm_stale: bool, was_check: str) -> None:
    """Compare the seal scan's version stamps with the data just saved; store the outcome.

    A submitted application whose save leaves a stale scan (a printed field edited after a
    matching scan, or a draft submitted with an old one) is refused unless the applicant
    confirmed it (``confirm_stale``): the stamped paper no longer says what the database
    says. Side effect: writes ``scan_check``.
    """
    if not application.seal_scan:
        outcome = ""
    else:
        verdict = stamp.judge(
            stamp.scan_texts(application), application.reference, stamp.digest(application)
        )
        outcome = verdict.outcome
    if (
        outcome == enums.ScanCheck.STALE
        and application.status == enums.Status.SUBMITTED
        and was_check != enums.ScanCheck.STALE
        and not confirm_stale
    ):
        raise ValidationError({"seal_scan": ValidationError(STALE_SCAN_MESSAGE, code="stale_scan")})
    if outcome != application.scan_check:
        application.scan_check = outcome
        Application.objects.filter(pk=application.pk).update(scan_check=outcome)


@transaction.atomic
def _create(
    *,
    call: Call,
    values: dict[str, Any],
    standards: Collection[Standard],
    files: dict[str, FileChange],
    answer_files: AnswerFileChanges,
    action: str,
    idempotency_key: uuid.UUID | None,
    now: datetime.datetime,
    work: FileWork,
    language: str,
    confirmed: bool,
    client: str,
) -> tuple[Application, str]:
    call = lock_call(call)
    if idempotency_key:
        existing = Application.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            raise DuplicateSubmission(existing)
    try:
        validation.ensure_call_open(call, now=now)
        _answer_files_asked(call, answer_files)
    except ValidationError as exc:
        raise ValidationError({NON_FIELD_ERRORS: exc}) from exc
    token, digest = new_access_token()
    shared = {
        "call": call,
        "access_token_hash": digest,
        "idempotency_key": idempotency_key,
        "created_at": now,
        "language": language,
        **values,
    }
    if not confirmed:
        # A draft of an address nobody has confirmed yet (``services.confirmation``): files
        # within the caps, a provisional reference, no private link, no audit entry (the row
        # may expire, and the trail cannot be deleted: ``application.create`` is written when
        # the address is confirmed), and one mail, the confirmation link.
        refusals, stored = unconfirmed_file_refusals(
            files=files, client=client, now=now, answer_files=answer_files
        )
        if refusals:
            raise ValidationError(refusals)
        application = Application(
            reference=provisional_reference(call),
            email_confirm_hash=digest,
            client_key=client,
            unconfirmed_bytes=stored,
            **shared,
        )
        _store_new(application, standards, files, answer_files, action=action, now=now, work=work)
        emails.send_confirmation(application, token)
        return application, token
    number = call.last_reference_number + 1
    application = Application(
        reference=call.format_reference(number), email_confirmed_at=now, **shared
    )
    _store_new(application, standards, files, answer_files, action=action, now=now, work=work)
    PrivateLink.objects.create(application=application, token_hash=digest, created_at=now)
    call.last_reference_number = number
    call.save(update_fields=["last_reference_number"])
    _audit(application, "application.create", to=application.status)
    if application.status == enums.Status.SUBMITTED:
        _audit(application, "application.submit", transition=("draft", "submitted"))
        conflicts_detect(application, now=now)
    emails.send_receipt(application, token)
    if application.status == enums.Status.SUBMITTED:
        emails.send_submitted(application, token)
    return application, token


def _store_new(
    application: Application,
    standards: Collection[Standard],
    files: dict[str, FileChange],
    answer_files: AnswerFileChanges,
    *,
    action: str,
    now: datetime.datetime,
    work: FileWork,
) -> None:
    """Save a new application with its files and file answers, judge its seal scan and
    leave the red-seal hint to a job (the save does not wait for it). On an unconfirmed
    draft "提交申报" is checked now (the applicant sees what is missing at once) and recorded
    as asked for: it is submitted when the address is confirmed."""
    work.apply(application, files)
    set_answer_names(application, answer_files)
    if action == ACTION_SUBMIT and not application.email_confirmed:
        _check_complete(application, standards)
        application.submit_requested_at = now
        action = ACTION_DRAFT
    _save(application, standards=standards, now=now, action=action, was_status="")
    work.apply_answers(application, answer_files)
    _judge_scan(application, confirm_stale=False, was_check="")
    seal_hint_later(application)
    work.claim_pending()


def application_create(
    *,
    call: Call,
    values: dict[str, Any],
    standards: Collection[Standard],
    files: dict[str, FileChange],
    action: str,
    idempotency_key: uuid.UUID | None = None,
    now: datetime.datetime | None = None,
    language: str | None = None,
    answer_files: AnswerFileChanges | None = None,
    confirmed: bool = False,
    client: str = "",
) -> tuple[Application, str]:
    """A new application (draft, or submitted at once) and the token of its private link.

    Unless ``confirmed`` (the contact address is known to be the applicant's: tests, data
    brought in by organisers), the application is an unconfirmed draft: see
    ``_create``; the token returned is then that of the confirmation link,
    which only the mail may carry. ``client`` is the keyed client address
    (``confirmation.client_key``) for the per-client cap.

    Side effects (confirmed): takes the next gap-free reference of the call (its row is
    locked), writes the new files (``answer_files``: those answering the call's file
    questions, by the question's pk), claims kept uploads, writes audit entries and, after
    commit, sends the receipt with the private link (and the submission confirmation).
    Raises ``DuplicateSubmission`` when ``idempotency_key`` was used before,
    ``ValidationError`` otherwise; either way no file written here is left behind.
    ``language`` (the page's) is the language of the e-mails; the default is the site's.
    """
    now = now or timezone.now()
    with file_work() as work:
        return _create(
            call=call,
            values=values,
            standards=standards,
            files=files,
            answer_files=answer_files or {},
            action=action,
            idempotency_key=idempotency_key,
            now=now,
            work=work,
            language=language or settings.LANGUAGE_CODE,
            confirmed=confirmed,
            client=client,
        )


@dataclass(frozen=True)
class Confirmed:
    """What opening a confirmation link did."""

    application: Application
    submitted: bool  # a submission asked for before the confirmation went through
    refusal: list[str]  # why a submission asked for did not (the deadline, a field)


def application_confirm_email(
    *, token: str, now: datetime.datetime | None = None
) -> Confirmed | None:
    """The link of the confirmation mail was opened: the contact address is the applicant's.

    In one transaction, with the call's row locked first (the lock order): the application
    takes the call's next gap-free reference, the link's token becomes its first private
    link, the client's hash is forgotten, and a submission asked for before ("提交申报" on
    the first save) is made now if the call is still open and the application complete
    (else it stays a draft and ``refusal`` says why: the applicant is never told it is
    submitted when it is not). Audit entries ``application.create`` (dated from the first
    save), ``application.email_confirm`` and ``application.submit``; after commit the
    receipt with the private link (and the submission confirmation), the first mails with
    typed text. Returns None if no unconfirmed application has this link (already
    confirmed, replaced by a newer confirmation mail, or expired).
    """
    now = now or timezone.now()
    digest = queries.token_hash(token)
    found = Application.objects.filter(
        email_confirm_hash=digest, email_confirmed_at__isnull=True
    ).first()
    if found is None or not token:
        return None
    with transaction.atomic():
        call, application = lock_call_then_application(found)
        if application.email_confirmed_at is not None or application.email_confirm_hash != digest:
            return None  # a second opening of the same link, at the same moment
        provisional = application.reference
        number = call.last_reference_number + 1
        application.reference = call.format_reference(number)
        application.email_confirmed_at = now
        application.email_confirm_hash = ""
        application.client_key = ""
        submitted, refusal = False, []
        if application.submit_requested_at and application.status == enums.Status.DRAFT:
            try:
                validation.ensure_call_open(call, now=now)
                _check_complete(application, list(application.standards.all()))
                _check_rows(application)
            except ValidationError as exc:
                refusal = exc.messages
            else:
                application.status = enums.Status.SUBMITTED
                application.submitted_at = now
                submitted = True
        application.submit_requested_at = None
        application.save()
        call.last_reference_number = number
        call.save(update_fields=["last_reference_number"])
        PrivateLink.objects.create(application=application, token_hash=digest, created_at=now)
        # The scan was judged against the provisional reference; judge it against the real one.
        _judge_scan(application, confirm_stale=True, was_check="")
        _audit(
            application,
            "application.create",
            to=enums.Status.DRAFT,
            created_at=application.created_at.isoformat(),
        )
        _audit(application, "application.email_confirm", provisional=provisional)
        if submitted:
            _audit(application, "application.submit", transition=("draft", "submitted"))
            conflicts_detect(application, now=now)
        elif refusal:
            _audit(application, "application.submit_refused", count=len(refusal))
        emails.send_receipt(application, token)
        if submitted:
            emails.send_submitted(application, token)
    return Confirmed(application=application, submitted=submitted, refusal=refusal)


def confirmation_resend(*, application: Application) -> None:
    """A new confirmation mail for an unconfirmed draft ("找回专属链接", or someone applying
    again for its unit): fixed text and a new link; the link mailed before stops working
    (only the latest is kept, as a hash). No audit entry: the row may expire."""
    with transaction.atomic():
        locked = lock_application(application)
        if locked.email_confirmed_at is not None:
            return
        token, digest = new_access_token()
        locked.email_confirm_hash = digest
        locked.save(update_fields=["email_confirm_hash", "updated_at"])
        emails.send_confirmation(locked, token)


@transaction.atomic
def _update(
    *,
    application: Application,
    values: dict[str, Any],
    standards: Collection[Standard],
    files: dict[str, FileChange],
    answer_files: AnswerFileChanges,
    action: str,
    now: datetime.datetime,
    token: str,
    work: FileWork,
    language: str | None,
    confirm_stale: bool,
) -> Application:
    application = lock_application(application)
    try:
        validation.ensure_call_open(application.call, now=now)
        _ensure_confirmed(application)
        if application.status not in workflow.EDITABLE_STATUSES:
            raise ValidationError(
                _("申报状态为“%(status)s”，不能再修改。"),
                code="not_editable",
                params={"status": application.get_status_display()},
            )
        _answer_files_asked(application.call, answer_files)
    except ValidationError as exc:
        raise ValidationError({NON_FIELD_ERRORS: exc}) from exc
    before = {name: getattr(application, name) for name in form_schema.VALUE_FIELDS}
    answers_before = dict(application.extra_answers)
    before_standards = set(application.standards.values_list("pk", flat=True))
    was_status = application.status
    was_check = application.scan_check
    for name, value in values.items():
        setattr(application, name, value)
    if language:
        application.language = language
    set_answer_names(application, answer_files)
    changed = [
        name for name in form_schema.VALUE_FIELDS if getattr(application, name) != before[name]
    ]
    if application.extra_answers != answers_before:
        changed.append("extra_answers")
    changed += work.apply(application, files)
    if {s.pk for s in standards} != before_standards:
        changed.append("standards")
    if "seal_scan" in files:
        _drop_seal_pages(application)  # a new scan replaces the pages added to the old one
    _save(application, standards=standards, now=now, action=action, was_status=was_status)
    if work.apply_answers(application, answer_files) and "extra_answers" not in changed:
        changed.append("extra_answers")
    # A new scan is judged afresh; an edit is judged against what was confirmed before.
    _judge_scan(
        application,
        confirm_stale=confirm_stale,
        was_check="" if "seal_scan" in files or was_status == enums.Status.DRAFT else was_check,
    )
    if "seal_scan" in files:
        seal_hint_later(application)
    work.claim_pending()
    work.delete_replaced_after_commit()
    if changed:
        _audit(application, "application.edit", changed=sorted(changed), status=was_status)
    if was_status != application.status:
        _audit(application, "application.submit", transition=(was_status, application.status))
        emails.send_submitted(application, token)
    if {"unit_name", "credit_code", "related_bodies", "body_relation"} & set(
        changed
    ) or was_status != application.status:
        conflicts_detect(application, now=now)  # who the unit is may have changed
    return application


UNCONFIRMED_MESSAGE = _("请先打开确认邮件中的链接，确认邮箱后才能修改申报。")


def _ensure_confirmed(application: Application) -> None:
    """No private link reaches an unconfirmed draft; a service called for one refuses."""
    if application.email_confirmed_at is None:
        raise ValidationError(UNCONFIRMED_MESSAGE, code="email_unconfirmed")


def application_update(
    *,
    application: Application,
    values: dict[str, Any],
    standards: Collection[Standard],
    files: dict[str, FileChange],
    action: str,
    token: str = "",
    now: datetime.datetime | None = None,
    language: str | None = None,
    confirm_stale: bool = False,
    answer_files: AnswerFileChanges | None = None,
) -> Application:
    """Edit by the applicant, before the deadline, of a draft or a submitted application.

    ``action="submit"`` on a draft submits it; a submitted application stays submitted and
    must stay complete. Side effects: audit entry listing the changed fields (not their
    values), replaced files removed after commit, the confirmation e-mail on submission,
    the seal scan's check (``scan_check``) brought up to date. A save that would leave a
    submitted application with a stale scan is refused (code ``stale_scan``) unless
    ``confirm_stale``. ``language``, when given, becomes the language of the e-mails.
    ``answer_files``: new, kept or removed files answering the call's file questions.
    """
    now = now or timezone.now()
    with file_work() as work:
        return _update(
            application=application,
            values=values,
            standards=standards,
            files=files,
            answer_files=answer_files or {},
            action=action,
            now=now,
            token=token,
            work=work,
            language=language,
            confirm_stale=confirm_stale,
        )


@transaction.atomic
def application_withdraw(
    *, application: Application, now: datetime.datetime | None = None
) -> Application:
    """The applicant withdraws; a selected unit's place frees and the units after it move up
    (the call's row is locked first, as the lock order says, for that renumbering).
    Confirmation mail after commit."""
    now = now or timezone.now()
    call, application = lock_call_then_application(application)
    if application.status not in workflow.WITHDRAWABLE_STATUSES:
        raise ValidationError(_("该申报已撤回。"), code="already_withdrawn")
    was_status = application.status
    held_place = was_status == enums.Status.SELECTED or application.pending_decision == "select"
    application.status = enums.Status.WITHDRAWN
    fields = ["status", "updated_at"]
    if application.pending_decision:  # a decision not yet released goes with it
        if application.pending_decision == "select" and was_status != enums.Status.SELECTED:
            application.list_order = None
            fields.append("list_order")
        application.pending_decision, application.pending_at = "", None
        application.pending_by, application.pending_reason = None, ""
        fields += ["pending_decision", "pending_at", "pending_by", "pending_reason"]
    application.save(update_fields=fields)
    _audit(application, "application.withdraw", transition=(was_status, application.status))
    if held_place:  # the units after it move up
        close_list_gaps(call, actor=None)
    emails.send_withdrawn(application)
    return application


def application_resend_links(*, email: str, call: Call | None = None) -> int:
    """Send a new private link to every active application of ``email`` in ``call`` (in
    every call if None: the applicant need not remember which call they applied to).

    The link is added: the links already given (a colleague's bookmark) keep working, up to
    ``PRIVATE_LINKS_KEPT`` live links, the oldest beyond going; the private page lists them
    and can stop the others. Returns how many were sent; callers must not reveal that
    number to the person asking.
    """
    sent = 0
    for application in queries.applications_for_email(call=call, email=email):
        private_link_send(application=application, action="application.link_resent")
        sent += 1
    return sent


PRIVATE_LINKS_KEPT = 10


def private_link_send(
    *, application: Application, action: str, duplicate: bool = False, **details: Any
) -> None:
    """A new live link for ``application``, mailed to its contact; audit entry ``action``.
    Side effects: the oldest links beyond ``PRIVATE_LINKS_KEPT`` stop working; the private
    page, which lists the links, is rendered afresh (``updated_at``)."""
    if application.email_confirmed_at is None:
        confirmation_resend(application=application)  # no typed text before confirmation
        return
    with transaction.atomic():
        locked = lock_application(application)
        token, digest = new_access_token()
        PrivateLink.objects.create(application=locked, token_hash=digest)
        links = PrivateLink.objects.filter(application=locked)
        kept = links.order_by("-created_at", "-pk").values_list("pk", flat=True)
        PrivateLink.objects.filter(application=locked).exclude(
            pk__in=list(kept[:PRIVATE_LINKS_KEPT])
        ).delete()
        locked.save(update_fields=["updated_at"])
        _audit(locked, action, **details)
        emails.send_link(locked, token, duplicate=duplicate)


def private_link_touch(*, link_id: int, now: datetime.datetime | None = None) -> None:
    """Note when a link was last used, at most once an hour (a page view must not write
    each time): the private page shows it beside each live link."""
    now = now or timezone.now()
    PrivateLink.objects.filter(pk=link_id).filter(
        models.Q(last_used_at__isnull=True)
        | models.Q(last_used_at__lt=now - datetime.timedelta(hours=1))
    ).update(last_used_at=now)


def private_links_stop_others(*, application: Application, keep_hash: str) -> int:
    """ "停用其他链接": every live link of ``application`` but the one in use stops working.
    Returns how many stopped; audit entry ``application.links_stopped``."""
    with transaction.atomic():
        locked = lock_application(application)
        stopped, _detail = (
            PrivateLink.objects.filter(application=locked).exclude(token_hash=keep_hash).delete()
        )
        if stopped:
            locked.save(update_fields=["updated_at"])
            _audit(locked, "application.links_stopped", count=stopped)
    return stopped


# --- further pages of the seal scan ---------------------------------------------------------
SEAL_PAGES_MAX = 9  # besides the seal scan: a 申报表 of ten pages is already a long one


def _drop_seal_pages(application: Application) -> None:
    pages = list(SealPage.objects.filter(application=application))
    if pages:
        SealPage.objects.filter(pk__in=[p.pk for p in pages]).delete()
        delete_after_commit(p.file.name for p in pages if p.file.name)


def _editable_with_scan(application: Application, now: datetime.datetime) -> None:
    validation.ensure_call_open(application.call, now=now)
    _ensure_confirmed(application)
    if application.status not in workflow.EDITABLE_STATUSES:
        raise ValidationError(
            _("申报状态为“%(status)s”，不能再修改。"),
            code="not_editable",
            params={"status": application.get_status_display()},
        )
    if not application.seal_scan:
        raise ValidationError(
            _("请先通过“修改申报”上传盖章表的第 1 页（或整份 PDF），再逐页追加照片。"),
            code="no_seal_scan",
        )


def seal_page_add(
    *, application: Application, page: NewFile, now: datetime.datetime | None = None
) -> SealPage:
    """Add one more photographed page to the application's seal scan, after the others.

    Side effects: the file is stored, the scan judged again with every page's stamps
    (``scan_check``: a page that completes the form turns ``partial`` into ``matches``),
    an audit entry. Refused (``ValidationError``) after the deadline, once decided, without
    a seal scan to add to, or beyond ``SEAL_PAGES_MAX`` pages.
    """
    now = now or timezone.now()
    with file_work() as work, transaction.atomic():
        application = lock_application(application)
        _editable_with_scan(application, now)
        if SealPage.objects.filter(application=application).count() >= SEAL_PAGES_MAX:
            raise ValidationError(
                _("最多可追加 %(n)s 页照片。页数更多时，请扫描成一份 PDF 后通过“修改申报”上传。"),
                code="too_many_pages",
                params={"n": SEAL_PAGES_MAX},
            )
        added = SealPage(
            application=application,
            original_name=page.original_name[:255],
            stamps=list(page.stamps),
            created_at=now,
        )
        store_upload(added.file, f"upload{page.extension}", page.upload)
        work.written.append(added.file.name or "")
        added.save()
        _judge_scan(application, confirm_stale=True, was_check=application.scan_check)
        _audit(application, "application.edit", changed=["seal_pages"], status=application.status)
        return added


def seal_page_remove(
    *, application: Application, page_id: int, now: datetime.datetime | None = None
) -> None:
    """Remove one added page of the seal scan (the file after commit); judge the scan again."""
    now = now or timezone.now()
    with transaction.atomic():
        application = lock_application(application)
        _editable_with_scan(application, now)
        page = SealPage.objects.filter(application=application, pk=page_id).first()
        if page is None:
            raise ValidationError(_("该页照片已删除。"), code="no_such_page")
        page.delete()
        delete_after_commit([page.file.name or ""])
        _judge_scan(application, confirm_stale=True, was_check=application.scan_check)
        _audit(application, "application.edit", changed=["seal_pages"], status=application.status)
