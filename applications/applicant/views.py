"""Applicant-facing pages. Thin: parse the request, call a selector or service, render."""

import datetime as dt
import functools
import hashlib
import logging
import mimetypes
import time
from pathlib import PurePosixPath

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_safe
from django_ratelimit.core import is_ratelimited
from django_ratelimit.decorators import ratelimit
from django_ratelimit.exceptions import Ratelimited

from applications import (
    enums,
    queries,
    services,
    stamp,
    tasks,
    uploads,
    validation,
    viewer,
    workflow,
)
from applications.applicant import page_cache, progress
from applications.applicant.forms import (
    FILE_FIELDS,
    ApplicationForm,
    ResendLinkForm,
    display_filename,
    summary_line,
)
from applications.models import Application, QuestionKind, SealPage, is_open_between
from applications.notice import notice_parts, render_notice
from applications.storage import StorageUnavailable, private_storage
from chiefquality.admin_site import organiser_verified
from chiefquality.client_address import client_address

logger = logging.getLogger(__name__)

SESSION_LINKS = "application_links"  # idempotency key -> [private URL, time], replayed POSTs
SESSION_FRESH = "fresh_application"  # reference whose private link was just created
SESSION_CHECK_MAIL = "check_mail"  # the address a confirmation mail was just sent to
# A replayed POST (a double click, a resent form) comes within minutes: the session keeps a
# private link (which opens the application) that long, and no more than a few of them.
SESSION_LINK_SECONDS = 3600
# How exactly the private page says when each link was last used (one write per hour).
LINK_USE_PRECISION = dt.timedelta(hours=1)
SESSION_LINKS_KEPT = 5


def _session_links(request) -> dict[str, list]:
    """The session's recent private links; older ones (or an old session's plain URLs) are
    dropped from the session as soon as it is read here."""
    now = time.time()
    stored = request.session.get(SESSION_LINKS, {})
    links = {
        key: value
        for key, value in stored.items()
        if isinstance(value, list) and len(value) == 2 and now - value[1] < SESSION_LINK_SECONDS
    }
    if links != stored:
        request.session[SESSION_LINKS] = links
    return links


def _rate(name: str):
    """The limit ``settings.RATE_LIMITS[name]``, read per request (tests change it)."""
    return lambda _group, _request: settings.RATE_LIMITS[name]


def _call_key(kwargs: dict) -> str:
    """Which call a request is for, from its URL alone (no query): the code of
    ``/calls/<code>/…``, or the prefix of the reference of ``/a/<reference>/…``."""
    if "code" in kwargs:
        return kwargs["code"].lower()
    return kwargs.get("reference", "").rsplit("-", 1)[0].lower()


def _poster_key(request, kwargs: dict) -> str:
    """Who posts, for the per-browser count: the application of an edit (its private
    link), else the browser (its CSRF cookie, which every accepted post carries), else the
    address. One office's many applicants behind one address are so counted apart."""
    if "reference" in kwargs:
        return "application:" + kwargs["reference"].lower()
    cookie = request.COOKIES.get(settings.CSRF_COOKIE_NAME, "")
    if cookie:
        return "browser:" + hashlib.sha256(cookie.encode()).hexdigest()[:32]
    return "address:" + (request.META.get("REMOTE_ADDR") or "")


def form_post_limited(request, kwargs: dict) -> bool:
    """Form posts are counted per call twice: per browser or application
    (``settings.RATE_LIMITS["form_post"]``), which limits one person, and per client address
    (``["form_post_address"]``, higher), which limits a script that sheds its cookies while
    leaving room for an office whose applicants share one address. Both counts go up."""
    call = _call_key(kwargs)
    per_poster = is_ratelimited(
        request,
        group=f"form_post:{call}",
        key=lambda _group, req: _poster_key(req, kwargs),
        rate=settings.RATE_LIMITS["form_post"],
        method="POST",
        increment=True,
    )
    per_address = is_ratelimited(
        request,
        group=f"form_post_address:{call}",
        key="ip",
        rate=settings.RATE_LIMITS["form_post_address"],
        method="POST",
        increment=True,
    )
    return per_poster or per_address


def limit_form_post(view=None, *, in_place=None):
    """Form posts limited by ``form_post_limited``. A refused request gets the 429 page
    (``rate_limited``), or ``in_place(request, **kwargs)``'s answer: the form again, with
    what was typed, under the message."""

    def decorate(view):
        @functools.wraps(view)
        def limited(request, *args, **kwargs):
            if request.method == "POST" and form_post_limited(request, kwargs):
                if in_place is not None:
                    return in_place(request, **kwargs)
                raise Ratelimited
            return view(request, *args, **kwargs)

        return limited

    return decorate(view) if view is not None else decorate


# Counted per client address; a refused request gets the 429 page (``rate_limited``).
limit_download = ratelimit(group="download", key="ip", rate=_rate("download"), method="GET")


def see_other(url: str) -> HttpResponseRedirect:
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response


def private_path(application: Application, token: str, name: str = "private") -> str:
    return reverse(
        f"applications:{name}", kwargs={"reference": application.reference, "token": token}
    )


def _public_call(code: str, prefetch=("standards", "organising_bodies")):
    call = queries.call_public(code, prefetch=prefetch)
    if call is None:
        raise Http404(_("没有这个征集。"))
    return call


def _closed(request, call, *, status=200):
    """The call is closed (or not open yet). A form posted too late gets back what it held,
    to copy, and whom to contact: nothing of it was saved."""
    context = {"call": call}
    if request.method == "POST":
        context["typed"] = _typed_copy(ApplicationForm(call=call), request.POST)
        context["bodies"] = call.organising_bodies.all()
    return render(request, "applications/closed.html", context, status=status)


def _typed_values(form: ApplicationForm, data) -> dict:
    """What a posted form held, as the initial values of an unbound form: shown again
    without being checked or saved (the post was refused before either)."""
    typed = {}
    for name, field in form.fields.items():
        if isinstance(field, forms.FileField):
            continue
        if isinstance(field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField):
            typed[name] = data.getlist(name)
        elif isinstance(field, forms.BooleanField):
            typed[name] = name in data
        elif name in data:
            typed[name] = data.get(name)
    return typed


def _typed_copy(form: ApplicationForm, data) -> list[tuple[str, str]]:
    """A posted form's answers as label and text, to read and copy."""
    copy = []
    for name, value in _typed_values(form, data).items():
        field = form.fields[name]
        if name == "idempotency_key" or value in ("", [], False, None):
            continue
        if isinstance(field, forms.ModelMultipleChoiceField):
            chosen = {str(pk) for pk in value}
            text = "；".join(str(o) for o in field.queryset if str(o.pk) in chosen)
        elif isinstance(field, forms.ChoiceField):
            labels = {str(key): str(label) for key, label in field.choices}
            values = value if isinstance(value, list) else [value]
            text = "；".join(labels.get(str(v), str(v)) for v in values)
        elif isinstance(field, forms.BooleanField):
            text = _("是")
        else:
            text = str(value)
        if text:
            copy.append((str(field.label), text))
    return copy


@require_safe
def home(request):
    """Every published call: the open ones first (nearest deadline first), then those not
    yet open, then the archive of closed ones (the latest first)."""

    def page(_markers):
        now = timezone.now()
        calls = queries.calls_public(prefetch=("standards",))
        open_calls = [c for c in calls if c.opens_at <= now < c.deadline]
        for call in open_calls:
            call.days_left = (timezone.localdate(call.deadline) - timezone.localdate(now)).days
        return render(
            request,
            "applications/home.html",
            {
                "open_calls": open_calls,
                "upcoming_calls": sorted(
                    (c for c in calls if now < c.opens_at), key=lambda c: c.opens_at
                ),
                "closed_calls": sorted(
                    (c for c in calls if c.deadline <= now),
                    key=lambda c: c.deadline,
                    reverse=True,
                ),
            },
        )

    return page_cache.cached_page(request, "home", page)


def _legacy_redirect(request, name: str):
    """An address from before calls had their own (``/apply/``): the one open call's page,
    while exactly one is open, else the list of calls. Not permanent: it follows the calls.
    A POST keeps its method and body (307)."""
    open_calls = queries.calls_open(now=timezone.now())
    url = (
        reverse(f"applications:{name}", args=[open_calls[0].code])
        if len(open_calls) == 1
        else reverse("applications:home")
    )
    response = HttpResponseRedirect(url)
    if request.method == "POST" and len(open_calls) == 1:
        response.status_code = 307
    return response


@require_http_methods(["GET", "POST"])
def legacy_apply(request):
    return _legacy_redirect(request, "apply")


@require_safe
def call_detail(request, code):
    def page(markers):
        call = _public_call(code)
        return render(
            request,
            "applications/call_detail.html",
            {
                "call": call,
                "notice": notice_parts(call.notice),
                "supplement_html": render_notice(call.supplement) if call.supplement else "",
                "not_closed": call.is_open() or call.has_not_opened(),
                "is_open": call.is_open(),
                "not_yet_open": call.has_not_opened(),
                "standards": call.standards.all(),
                "bodies": call.organising_bodies.all(),
                **markers,
            },
        )

    return page_cache.cached_page(request, "call", page, code=code)


def _form_page(
    request, form, *, call, application=None, token="", status=200, extra=None, problem=""
):
    context = {
        "form": form,
        "call": call,
        "application": application,
        "token": token,
        "post_problem": problem,
    }
    if extra:
        context["csrf_token"] = extra["csrf_token"]
    return render(request, "applications/apply.html", context, status=status)


def _apply_limited(request, code):
    """Too many posts: the form again with what was typed (the files must be chosen again),
    under the message, instead of a page that leaves the form behind."""
    call = _public_call(code, prefetch=("standards",))
    if not call.is_open():
        return _closed(request, call, status=403)
    form = ApplicationForm(call=call)
    form.initial.update(_typed_values(form, request.POST))
    return _form_page(request, form, call=call, status=429, problem="rate_limited")


def _edit_limited(request, reference, token):
    application = _application_or_404(reference, token)
    call = application.call
    if not call.is_open():
        return _closed(request, call, status=403)
    form = ApplicationForm(instance=application, call=call)
    form.initial.update(_typed_values(form, request.POST))
    return _form_page(
        request,
        form,
        call=call,
        application=application,
        token=token,
        status=429,
        problem="rate_limited",
    )


@require_http_methods(["GET", "POST"])
@limit_form_post(in_place=_apply_limited)
def apply(request, code):
    if request.method == "GET":

        def page(markers):
            call = _public_call(code)
            if not call.is_open():
                return _closed(request, call)
            initial = {"idempotency_key": markers["idempotency_key"]} if markers else None
            form = ApplicationForm(call=call, initial=initial)
            return _form_page(request, form, call=call, extra=markers)

        return page_cache.cached_page(request, "apply", page, code=code, only_while_open=True)
    call = _public_call(code, prefetch=("standards",))  # what the form needs
    if not call.is_open():
        return _closed(request, call, status=403)

    raw_key = request.POST.get("idempotency_key", "")
    if raw_key and (earlier := queries.application_by_idempotency_key(raw_key)):
        return _duplicate(request, earlier, raw_key)
    form = ApplicationForm(
        request.POST, request.FILES, call=call, action=request.POST.get("action")
    )
    if form.is_valid():
        key = form.cleaned_data.get("idempotency_key")
        try:
            application, token = services.application_create(
                call=call,
                values=form.values(),
                standards=list(form.cleaned_data["standards"]),
                files=form.file_changes(),
                answer_files=form.answer_file_changes(),
                action=form.action,
                idempotency_key=key,
                language=translation.get_language(),
                client=services.client_key(client_address(request)),
            )
        except services.DuplicateSubmission as duplicate:
            return _duplicate(request, duplicate.application, key)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if not application.email_confirmed:
                return _check_mail_after_save(request, application, key)
            url = private_path(application, token)
            links = _session_links(request)
            if key:
                links[str(key)] = [url, time.time()]
            request.session[SESSION_LINKS] = dict(list(links.items())[-SESSION_LINKS_KEPT:])
            request.session[SESSION_FRESH] = application.reference
            if application.status == enums.Status.SUBMITTED:
                messages.success(
                    request, _("申报已提交。确认邮件已发送至 %s。") % application.contact_email
                )
            elif application.unfinished:
                messages.warning(
                    request,
                    _("草稿已保存，专属链接已发送至 %s。提交前还需修改的地方见下方。")
                    % application.contact_email,
                )
            else:
                messages.success(
                    request, _("草稿已保存。专属链接已发送至 %s。") % application.contact_email
                )
            return see_other(url)
    if not call.is_open():
        return _closed(request, call, status=403)
    _mail_duplicates(form, call=call)
    _refuse_over_cap(request, form)
    form.keep_valid_uploads(services.pending_upload_create)
    return _form_page(request, form, call=call)


def _refuse_over_cap(request, form: ApplicationForm) -> None:
    """A form that failed elsewhere keeps its valid files for the next try; not those over
    an unconfirmed draft's caps, which are refused next to their field now."""
    if not hasattr(form, "cleaned_data"):
        return
    files = {
        name: change
        for name in FILE_FIELDS
        if name not in form.errors
        and isinstance(change := form.cleaned_data.get(name), services.NewFile | services.KeptFile)
    }
    refusals, _stored = services.unconfirmed_file_refusals(
        files=files, client=services.client_key(client_address(request)), now=timezone.now()
    )
    for name, error in refusals.items():
        form.add_error(name, error)


def _check_mail_after_save(request, application, key):
    """After the first save: the confirmation mail is on its way; the page that says so
    (``check_mail``) reads the address from the session, never from the URL."""
    url = reverse("applications:check_mail", args=[application.call.code])
    links = _session_links(request)
    if key:
        links[str(key)] = [url, time.time()]  # a replayed POST comes back here
    request.session[SESSION_LINKS] = dict(list(links.items())[-SESSION_LINKS_KEPT:])
    request.session[SESSION_CHECK_MAIL] = {
        "email": application.contact_email,
        "submit": application.submit_requested_at is not None,
    }
    return see_other(url)


@never_cache
@require_safe
def check_mail(request, code):
    """ "请查收确认邮件": what happens next for a draft whose address is not confirmed yet."""
    call = _public_call(code, prefetch=())
    sent = request.session.get(SESSION_CHECK_MAIL) or {}
    return render(
        request,
        "applications/check_mail.html",
        {
            "call": call,
            "email": sent.get("email", ""),
            "submit_requested": bool(sent.get("submit")),
            "hours": settings.UNCONFIRMED_DRAFT_HOURS,
        },
    )


@never_cache
@require_safe
def confirm_email(request, token):
    """The link of the confirmation mail: confirms the address (the reference is given, a
    submission asked for is made) and opens the private page, the link shown once. Opened
    again, it is a private link like the others."""
    if request.method == "HEAD":  # a link checker, not the applicant: confirm nothing
        return HttpResponse()
    done = services.application_confirm_email(token=token)
    if done is None:
        application = queries.application_by_link_token(token)
        if application is None:
            raise Http404(_("确认链接无效或已失效（草稿可能已过期删除，或已发送过新的确认邮件）。"))
        return see_other(private_path(application, token))
    application = done.application
    request.session[SESSION_FRESH] = application.reference
    request.session.pop(SESSION_CHECK_MAIL, None)
    messages.success(request, _("邮箱已确认。申报编号：%s。") % application.reference)
    if done.submitted:
        messages.success(
            request, _("申报已提交。确认邮件已发送至 %s。") % application.contact_email
        )
    elif done.refusal:
        messages.error(
            request,
            _("申报尚未提交：%s 请修改后再点击“提交申报”。") % " ".join(done.refusal),
        )
    elif application.unfinished:
        messages.warning(request, _("草稿已保存。提交前还需修改的地方见下方。"))
    return see_other(private_path(application, token))


# One mail an hour at most to the application someone tries to apply again for: the
# page's answer promises the link went there, and it must not become a way to flood it.
DUPLICATE_MAIL_SECONDS = 3600


def _mail_duplicates(form: ApplicationForm, *, call, exclude_pk=None) -> None:
    """The unit or drafter is taken: the application that has it gets a link (a job), the
    person who typed it learns nothing more than the form's neutral message."""
    for duplicate in form.duplicates:
        holder = queries.duplicate_holder(call=call, exclude_pk=exclude_pk, **duplicate)
        if holder is not None and cache.add(f"duplicate-mail:{holder}", 1, DUPLICATE_MAIL_SECONDS):
            tasks.duplicate_link.enqueue(holder)


def _duplicate(request, application, key):
    link = _session_links(request).get(str(key))
    if link:
        return see_other(link[0])
    return render(
        request, "applications/already_received.html", {"application": application}, status=409
    )


def _application_or_404(reference: str, token: str) -> Application:
    application = queries.application_get_by_token(reference=reference, token=token)
    if application is None:
        raise Http404(_("链接无效或已失效。"))
    return application


@never_cache
@require_GET
def private(request, reference, token):
    stamp = queries.private_link_stamp(reference=reference, token=token)
    if stamp is None:
        raise Http404(_("链接无效或已失效。"))
    now = timezone.now()
    if stamp.last_used_at is None or now - stamp.last_used_at > LINK_USE_PRECISION:
        services.private_link_touch(link_id=stamp.link_id, now=now)
    fresh = request.session.get(SESSION_FRESH) == reference
    if fresh:
        del request.session[SESSION_FRESH]
    opens_at, deadline = page_cache.call_times(stamp.call_id)
    can_edit = stamp.status in workflow.EDITABLE_STATUSES and is_open_between(opens_at, deadline)

    def page():
        application = _application_or_404(reference, token)
        return render(
            request,
            "applications/private.html",
            {
                "application": application,
                "call": application.call,
                "call_bodies": page_cache.call_bodies(stamp.call_id),
                "call_questions": page_cache.call_questions(stamp.call_id),
                "token": token,
                "fresh_link": request.build_absolute_uri() if fresh else "",
                "can_edit": can_edit,
                "can_withdraw": application.status in workflow.WITHDRAWABLE_STATUSES,
                "progress": progress.application_progress(application, can_edit=can_edit),
                "unfinished": [
                    summary_line(str(Application.label(name)), kept.get("message", ""))
                    for name, kept in application.unfinished.items()
                ]
                if can_edit
                else [],
                "files": _files(application, page_cache.call_questions(stamp.call_id)),
                "links": queries.private_links_of(application),
                "link_id": stamp.link_id,
                "audit": application.audit_entries.filter(actor__isnull=True).order_by(
                    "-created_at"
                )[:20],
            },
        )

    if fresh:
        return page()  # shows the link once: never cached
    # The stamp decides the page (the call's own edits reach it through the cache's version).
    key = (stamp.pk, stamp.updated_at, stamp.access_token_hash, deadline, can_edit)
    return page_cache.cached_private_page(request, key, page)


@never_cache
@require_http_methods(["GET", "POST"])
@limit_form_post
def stop_other_links(request, reference, token):
    """ "停用其他链接": only the link in use keeps working (asked first)."""
    stamp = queries.private_link_stamp(reference=reference, token=token)
    if stamp is None:
        raise Http404(_("链接无效或已失效。"))
    application = _application_or_404(reference, token)
    if request.method == "GET":
        return render(
            request,
            "applications/stop_links_confirm.html",
            {
                "application": application,
                "call": application.call,
                "token": token,
                "others": len(queries.private_links_of(application)) - 1,
            },
        )
    stopped = services.private_links_stop_others(
        application=application, keep_hash=stamp.access_token_hash
    )
    messages.success(
        request,
        _("已停用其他 %(n)d 个链接，现在只有本链接有效。") % {"n": stopped}
        if stopped
        else _("没有其他有效的链接。"),
    )
    return see_other(private_path(application, token))


# A pasted link often carries the sentence's end: "…/a/CQO-2021-0001/<token>/。" or "…<token>)".
LINK_TAIL = "。）)，,.;；:：!！?？\"'“”’>】]"


def private_link_tail(_request, reference, token, tail=""):
    """A private link with punctuation pasted after it: to the link itself."""
    token = token.rstrip(LINK_TAIL)
    if not token or (tail and tail.strip(LINK_TAIL + "/")):
        raise Http404(_("链接无效或已失效。"))
    return HttpResponseRedirect(reverse("applications:private", args=[reference, token]))


def _files(application, questions):
    """The attachments of the 申报表, then the files answering the call's questions (asked
    of the database only when the call has a file question: ``questions`` are the call's)."""
    asks_files = any(q.kind == QuestionKind.FILE for q in questions)
    return [
        {
            "field": name,
            "label": Application._meta.get_field(name).verbose_name,
            "name": application.original_name(name),
        }
        for name in FILE_FIELDS
        if getattr(application, name)
    ] + [
        {
            "field": row.question.key,
            "label": row.question.localized_label,
            "name": row.original_name,
            "size": row.size,
        }
        for row in (queries.answer_files_of(application) if asks_files else ())
    ]


@never_cache
@require_http_methods(["GET", "POST"])
@limit_form_post(in_place=_edit_limited)
def edit(request, reference, token):
    application = _application_or_404(reference, token)
    call = application.call
    if not call.is_open():
        return _closed(request, call, status=200 if request.method == "GET" else 403)
    if not application.is_editable_status:
        messages.error(
            request, _("申报状态为“%s”，不能再修改。") % application.get_status_display()
        )
        return see_other(private_path(application, token))
    if request.method == "GET":
        form = ApplicationForm(instance=application, call=call)
        return _form_page(request, form, call=call, application=application, token=token)
    form = ApplicationForm(
        request.POST,
        request.FILES,
        instance=application,
        call=call,
        action=request.POST.get("action"),
    )
    was_status = application.status
    if form.is_valid():
        try:
            application = services.application_update(
                application=application,
                values=form.values(),
                standards=list(form.cleaned_data["standards"]),
                files=form.file_changes(),
                answer_files=form.answer_file_changes(),
                action=form.action,
                token=token,
                language=translation.get_language(),
                confirm_stale=request.POST.get("confirm_stale") == "1",
            )
        except ValidationError as exc:
            form.add_error(None, exc)
            if "stale_scan" in _codes(exc):
                form.fields["seal_scan"].confirm_stale = True
        else:
            if was_status == enums.Status.DRAFT and application.status == enums.Status.SUBMITTED:
                messages.success(
                    request, _("申报已提交。确认邮件已发送至 %s。") % application.contact_email
                )
            elif application.unfinished:
                messages.warning(request, _("草稿已保存。提交前还需修改的地方见下方。"))
            else:
                messages.success(request, _("修改已保存。"))
            return see_other(private_path(application, token))
    _mail_duplicates(form, call=call, exclude_pk=application.pk)
    form.keep_valid_uploads(services.pending_upload_create)
    return _form_page(request, form, call=call, application=application, token=token)


def _codes(exc: ValidationError) -> set[str]:
    errors = exc.error_dict.values() if hasattr(exc, "error_dict") else [exc.error_list]
    return {e.code for errs in errors for e in errs if e.code}


@never_cache
@require_http_methods(["GET", "POST"])
@limit_form_post
def withdraw(request, reference, token):
    application = _application_or_404(reference, token)
    if application.status not in workflow.WITHDRAWABLE_STATUSES:
        messages.info(request, _("该申报已撤回。"))
        return see_other(private_path(application, token))
    if request.method == "POST":
        try:
            services.application_withdraw(application=application)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("申报已撤回，确认邮件已发送。"))
        return see_other(private_path(application, token))
    return render(
        request,
        "applications/withdraw_confirm.html",
        {"application": application, "call": application.call, "token": token},
    )


@never_cache
@require_GET
def print_form(request, reference, token):
    application = _application_or_404(reference, token)
    code = stamp.digest(application)
    return render(
        request,
        "applications/print.html",
        {
            "application": application,
            "call": application.call,
            "token": token,
            # The browser breaks the pages, so this QR carries no page number (0/0); the PDF
            # has one per page.
            "stamp_qr": stamp.qr_svg_data_uri(stamp.qr_text(application.reference, code)),
            "stamp_caption": stamp.caption(application.reference, code),
        },
    )


# Stored as uploaded, shown as JPEG (viewer.RENDITION_SUFFIXES).
RENDITION_EXTENSIONS = dict.fromkeys(viewer.RENDITION_SUFFIXES, "heif")


def _file_response(
    request,
    application: Application,
    field: str,
    *,
    inline: bool = False,
    rendition: bool = False,
) -> HttpResponse:
    """The stored file, streamed from the private folder or the bucket through this view.

    Streamed rather than redirected to a presigned URL: the bucket needs no address that
    browsers can reach, no link that works without these checks ever leaves the portal, and
    the download rate limit and the no-store header apply to the bytes themselves.
    ``inline``: shown in the organiser's page, for the checked kinds only (``viewer``).
    """
    if field in FILE_FIELDS and getattr(application, field):
        name = getattr(application, field).name
        filename = application.original_name(field) or PurePosixPath(name).name
    elif answer := queries.answer_file(application=application, key=field):
        name, filename = answer.file.name, answer.original_name
    else:
        raise Http404(_("文件不存在。"))
    if inline and viewer.shown_type(name, rendition=rendition) is None:
        raise Http404(_("该类文件不能在页面中查看，请下载后打开。"))
    return _stored_response(request, name, filename, rendition, inline=inline)


def _inline_headers(response: HttpResponse) -> None:
    """A file shown in the organiser's page is its own sandboxed document (``viewer``)."""
    response["Content-Security-Policy"] = viewer.INLINE_POLICY
    response["X-Frame-Options"] = "SAMEORIGIN"
    response["Cross-Origin-Resource-Policy"] = "same-origin"


def _stored_response(
    request, name: str, filename: str, rendition: bool, *, inline: bool = False
) -> HttpResponse:
    try:
        handle, size = private_storage().open_stream(name)
    except FileNotFoundError as exc:
        raise Http404(_("文件不存在。")) from exc
    except StorageUnavailable:
        logger.exception("could not read %s", name)
        return render(request, "503.html", status=503)
    suffix = PurePosixPath(name).suffix.lower()
    if rendition and suffix in RENDITION_EXTENSIONS:
        # An organiser's browser may not show HEIC: a JPEG of it (the original on request).
        with handle:
            data = uploads.jpeg_rendition(handle, RENDITION_EXTENSIONS[suffix])
        response = HttpResponse(data, content_type="image/jpeg")
        response["Content-Disposition"] = content_disposition_header(
            not inline, PurePosixPath(filename).stem + ".jpg"
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        if inline:
            _inline_headers(response)
        return response
    if inline:
        content_type = viewer.inline_type(name)
    else:
        content_type = mimetypes.guess_type(PurePosixPath(name).name)[0]
    response = FileResponse(
        handle,
        as_attachment=not inline,
        filename=filename,
        content_type=content_type or "application/octet-stream",
    )
    response["Content-Length"] = str(size)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    if inline:
        _inline_headers(response)
    return response


@require_GET
@limit_download
def private_file(request, reference, token, field):
    """The applicant's own file: a download, or with ``?inline=1`` shown in the page (the
    seal scan's thumbnail; a HEIC as its JPEG rendition), for the checked kinds only."""
    inline = request.GET.get("inline") == "1"
    return _file_response(
        request,
        _application_or_404(reference, token),
        field,
        inline=inline,
        rendition=inline,
    )


@require_GET
@limit_download
def private_seal_page(request, reference, token, page_id):
    application = _application_or_404(reference, token)
    page = get_object_or_404(SealPage, application=application, pk=page_id)
    return _stored_response(request, page.file.name, page.original_name, False)


@never_cache
@require_http_methods(["POST"])
@limit_form_post
def add_seal_page(request, reference, token):
    """One more photographed page of the stamped form, after the seal scan (one by one)."""
    application = _application_or_404(reference, token)
    back = private_path(application, token) + "#scan-check"
    upload = request.FILES.get("page")
    if not upload:
        messages.error(request, _("请选择要追加的一页照片。"))
        return see_other(back)
    try:
        inspected = uploads.inspect_upload(upload, allowed=uploads.SEAL_KINDS, keep_picture=True)
        stamps = uploads.read_stamps(upload, inspected.kind, inspected.picture)
        services.seal_page_add(
            application=application,
            page=services.NewFile(
                upload=upload,
                original_name=display_filename(upload.name),
                extension=inspected.extension,
                stamps=tuple(stamps),
            ),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("已追加一页：%s") % display_filename(upload.name))
    return see_other(back)


@never_cache
@require_http_methods(["POST"])
@limit_form_post
def remove_seal_page(request, reference, token, page_id):
    application = _application_or_404(reference, token)
    try:
        services.seal_page_remove(application=application, page_id=page_id)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("已删除该页照片。"))
    return see_other(private_path(application, token) + "#scan-check")


def _organiser_application(request, pk):
    """The application ``pk`` for an organiser's file view: a verified organiser who may
    view applications, and only among the applications visible to them."""
    if not organiser_verified(request) or not request.user.has_perm(
        "applications.view_application"
    ):
        raise PermissionDenied
    return get_object_or_404(queries.applications_visible_to(request.user), pk=pk)


@staff_member_required
@require_GET
@limit_download
def organiser_seal_page(request, pk, page_id):
    """A page photographed after the seal scan: a download (a HEIC as its JPEG unless
    ``?original=1``), or with ``?inline=1`` shown in the application's page, as the scan."""
    application = _organiser_application(request, pk)
    page = get_object_or_404(SealPage, application=application, pk=page_id)
    original = request.GET.get("original") == "1"
    inline = request.GET.get("inline") == "1"
    if inline and viewer.shown_type(page.file.name, rendition=not original) is None:
        raise Http404(_("该类文件不能在页面中查看，请下载后打开。"))
    return _stored_response(
        request, page.file.name, page.original_name, not original, inline=inline
    )


@staff_member_required
@require_GET
@limit_download
def organiser_file(request, pk, field):
    return _file_response(
        request,
        _organiser_application(request, pk),
        field,
        inline=request.GET.get("inline") == "1",
        rendition=request.GET.get("original") != "1",
    )


def _posted_email(_group, request) -> str:
    """The per-address limit's key: one spelling per address (``C101@Example.Com ``)."""
    return validation.normalize_email(request.POST.get("email", ""))


@require_http_methods(["GET", "POST"])
@ratelimit(group="resend_link", key="ip", rate=_rate("resend_link"), method="POST")
@ratelimit(
    group="resend_link_email",
    key=_posted_email,
    rate=_rate("resend_link_email"),
    method="POST",
)
def resend_link(request):
    """A fresh private link for each application of an address, in whichever call."""
    form = ResendLinkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        # A job of the worker: a known address (new token, audit entry, mail) must not
        # answer later than an unknown one, or the time would tell which addresses are known.
        tasks.resend_links.enqueue(form.cleaned_data["email"])
        # The same answer whether or not the address is known.
        return render(
            request, "applications/resend_done.html", {"email": form.cleaned_data["email"]}
        )
    return render(request, "applications/resend.html", {"form": form})


@require_safe
def healthz(_request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return HttpResponse("ok", content_type="text/plain")


def rate_limited(request, _exception):
    """Too many requests from one address (django-ratelimit): a 429 page in Chinese."""
    return render(request, "429.html", status=429)


def login_locked(request, _original_response=None, _credentials=None):
    """django-axes: too many failed admin logins for this username from this address."""
    hours = settings.AXES_COOLOFF_TIME
    return render(
        request,
        "axes_locked.html",
        {"cooloff_hours": f"{hours:g}"},
        status=429,
    )
