"""E-mails to applicants. Built from templates in ``templates/emails/``; plain text + HTML.

Each mail is rendered when the change that causes it is made, in ``Application.language``
(the language of the pages the applicant saved from), and written to the outbox in the
same transaction: nothing is sent for a change that was rolled back, nothing is lost after
a commit, and no page waits for (or fails with) the mail server. The worker delivers it,
with retries (``outbox.delivery``). A private link in a mail is kept in the stored copy only
until the mail has been sent.
"""

from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext, gettext_lazy

from outbox import kinds
from outbox.services import mail_queue


def absolute_url(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def private_url(application, token: str) -> str:
    return absolute_url(
        reverse("applications:private", kwargs={"reference": application.reference, "token": token})
    )


# The outbox's admin names each kind of mail (its template) by these.
kinds.register(
    {
        "confirm": gettext_lazy("确认邮箱（确认链接）"),
        "receipt": gettext_lazy("申报回执（专属链接）"),
        "submitted": gettext_lazy("提交确认"),
        "withdrawn": gettext_lazy("撤回确认"),
        "link": gettext_lazy("找回专属链接"),
        "reminder": gettext_lazy("草稿提醒"),
        "correction": gettext_lazy("决定更正"),
        "decision_selected": gettext_lazy("结果通知：入选"),
        "decision_waitlisted": gettext_lazy("结果通知：候补"),
        "decision_rejected": gettext_lazy("结果通知：未入选"),
        "objection_receipt": gettext_lazy("异议受理回执"),
        "objection_answer": gettext_lazy("异议答复"),
        "publicity_held": gettext_lazy("公示期满尚有异议（致遴选人）"),
        "objection_filed": gettext_lazy("收到异议（致遴选人）"),
    }
)


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str
    language: str


def render(template: str, application, **context) -> Rendered:
    """One mail, in the language the applicant chose on the site (also for previews)."""
    context = {"application": application, "call": application.call, **context}
    language = application.language or settings.LANGUAGE_CODE
    with translation.override(language):
        subject = " ".join(render_to_string(f"emails/{template}_subject.txt", context).split())
        text = render_to_string(f"emails/{template}.txt", context)
        html = render_to_string(f"emails/{template}.html", context)
    return Rendered(subject=subject, text=text, html=html, language=language)


def _send(template: str, application, *, secrets: tuple[str, ...] = (), **context) -> None:
    """Render one mail into the outbox, in the caller's transaction."""
    mail = render(template, application, **context)
    mail_queue(
        to=application.contact_email,
        subject=mail.subject,
        text=mail.text,
        html=mail.html,
        language=mail.language,
        kind=template,
        application=application,
        secrets=secrets,
    )


def _linked(template: str, application, token: str, **context) -> None:
    """A mail that carries the private link (dropped from the stored copy once sent)."""
    link = private_url(application, token) if token else ""
    secrets = (link, escape(link)) if link else ()
    _send(template, application, secrets=secrets, link=link, **context)


def confirm_url(token: str) -> str:
    return absolute_url(reverse("applications:confirm_email", kwargs={"token": token}))


def send_confirmation(application, token: str) -> None:
    """The first mail to an address typed into the form, before anyone has shown it is
    theirs: fixed text and the confirmation link, nothing the form's sender typed (the
    template gets the call and the link only), so the official sender cannot be made to
    carry someone's words to someone else's mailbox."""
    link = confirm_url(token)
    context = {"call": application.call, "link": link, "hours": settings.UNCONFIRMED_DRAFT_HOURS}
    mail = _render_for("confirm", application.language or settings.LANGUAGE_CODE, context)
    mail_queue(
        to=application.contact_email,
        subject=mail.subject,
        text=mail.text,
        html=mail.html,
        language=mail.language,
        kind="confirm",
        application=application,
        secrets=(link, escape(link)),
    )


def send_receipt(application, token: str) -> None:
    """After the first save: the reference and the private link."""
    _linked("receipt", application, token)


def send_submitted(application, token: str) -> None:
    """When a draft becomes a submitted application."""
    _linked("submitted", application, token)


def send_withdrawn(application) -> None:
    _send("withdrawn", application)


def send_link(application, token: str, *, duplicate: bool = False) -> None:
    """A new private link (the others keep working): asked for on "找回专属链接", or sent
    because someone tried to apply again for the same unit or drafter (``duplicate``)."""
    _linked("link", application, token, duplicate=duplicate)


def _standards(application) -> str:
    # Titles already carry their book-title marks (《首席质量官 术语与原则》).
    return "、".join(s.title for s in application.standards.all())


def send_decision(application) -> None:
    """The selector's decision: selected, waitlisted or rejected (templates per status)."""
    _send(f"decision_{application.status}", application, standards=_standards(application))


def preview_decision(application, status: str) -> Rendered:
    """The decision mail ``application`` would get once its decision (to ``status``) is
    released: what the release page shows."""
    return render(f"decision_{status}", application, standards=_standards(application))


def correction_text(application) -> str:
    """The prefilled text of the correction mail when a released decision is taken back."""
    with translation.override(application.language or settings.LANGUAGE_CODE):
        return gettext(
            "此前通知贵单位的申报 %(ref)s 的评审结果有误，现予更正：该申报重新进入评审，"
            "最终结果将另行通知。由此带来的不便，敬请谅解。"
        ) % {"ref": application.reference}


def send_correction(application, text: str) -> None:
    """A released decision taken back: the selector's words, as they wrote them."""
    _send("correction", application, correction=text)


def send_reminder(application) -> None:
    """A draft, a few days before the deadline: submit it, or find the link again."""
    _send("reminder", application, resend_url=absolute_url(reverse("applications:resend_link")))


# --- 公示 (applications.services.publicity) ------------------------------------------------


def _render_for(template: str, language: str, context: dict) -> Rendered:
    with translation.override(language):
        subject = " ".join(render_to_string(f"emails/{template}_subject.txt", context).split())
        text = render_to_string(f"emails/{template}.txt", context)
        html = render_to_string(f"emails/{template}.html", context)
    return Rendered(subject=subject, text=text, html=html, language=language)


def _send_to(to: str, template: str, language: str, *, application=None, **context) -> None:
    mail = _render_for(template, language, context)
    mail_queue(
        to=to,
        subject=mail.subject,
        text=mail.text,
        html=mail.html,
        language=mail.language,
        kind=template,
        application=application,
    )


def _result_url(call) -> str:
    return absolute_url(reverse("applications:result", kwargs={"code": call.code}))


def _to_objector(objection, kind: str) -> None:
    _send_to(
        objection.email,
        kind,
        objection.language,
        objection=objection,
        call=objection.call,
        result_url=_result_url(objection.call),
    )


def send_objection_receipt(objection) -> None:
    """To the person who objected: the receipt number, what happens next."""
    _to_objector(objection, "objection_receipt")


def send_objection_answer(objection) -> None:
    """To the person who objected: 成立 / 不成立 and the selectors' reason."""
    _to_objector(objection, "objection_answer")


def send_objection_filed(objection, addresses) -> None:
    """To the call's selectors, the moment an objection is filed: which unit, the receipt
    and where to answer. Not the objector's words: they are read in the admin, so the
    official sender never carries text typed by a member of the public."""
    answer_url = absolute_url(reverse("admin:applications_objection_answer", args=[objection.pk]))
    for address in addresses:
        _send_to(
            address,
            "objection_filed",
            settings.LANGUAGE_CODE,
            objection=objection,
            call=objection.call,
            answer_url=answer_url,
        )


def send_publicity_held(call, addresses, open_count: int) -> None:
    """To the call's selectors: the period ended with objections still open; the list waits."""
    admin_url = absolute_url(reverse("admin:applications_call_publicity", args=[call.pk]))
    for address in addresses:
        _send_to(
            address,
            "publicity_held",
            settings.LANGUAGE_CODE,
            call=call,
            open_count=open_count,
            admin_url=admin_url,
        )
