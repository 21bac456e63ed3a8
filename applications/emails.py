"""E-mails to applicants. Built from templates in ``templates/emails/``; plain text + HTML.

Services call these through ``transaction.on_commit`` so nothing is sent for a change that
was rolled back; during a request the mail goes out after the response has been sent
(``after_response``), so no page waits for, or fails with, the mail server. Each mail is
written in ``Application.language``, the language of the pages the applicant saved from.
"""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from applications import after_response


def absolute_url(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def private_url(application, token: str) -> str:
    return absolute_url(
        reverse("applications:private", kwargs={"reference": application.reference, "token": token})
    )


def _send(template: str, application, **context) -> None:
    after_response.defer(_render_and_send, template, application, context)


def _render_and_send(template: str, application, context: dict) -> None:
    """Render and send one mail, in the language the applicant chose on the site."""
    context = {"application": application, "call": application.call, **context}
    with translation.override(application.language or settings.LANGUAGE_CODE):
        subject = " ".join(render_to_string(f"emails/{template}_subject.txt", context).split())
        message = EmailMultiAlternatives(
            subject=subject,
            body=render_to_string(f"emails/{template}.txt", context),
            to=[application.contact_email],
            headers={"Content-Language": translation.get_language()},
        )
        message.attach_alternative(
            render_to_string(f"emails/{template}.html", context), "text/html"
        )
    message.send()


def send_receipt(application, token: str) -> None:
    """After the first save: the reference and the private link."""
    _send("receipt", application, link=private_url(application, token))


def send_submitted(application, token: str) -> None:
    """When a draft becomes a submitted application."""
    _send("submitted", application, link=private_url(application, token) if token else "")


def send_withdrawn(application) -> None:
    _send("withdrawn", application)


def send_link(application, token: str) -> None:
    """The "resend my link" mail: a fresh private link (the old one stops working)."""
    _send("link", application, link=private_url(application, token))


def send_decision(application) -> None:
    """The selector's decision: selected, waitlisted or rejected (templates per status)."""
    # Titles already carry their book-title marks (《首席质量官 术语与原则》).
    standards = "、".join(s.title for s in application.standards.all())
    _send(f"decision_{application.status}", application, standards=standards)


def send_reminder(application) -> None:
    """A draft, a few days before the deadline: submit it, or find the link again."""
    _send("reminder", application, resend_url=absolute_url(reverse("applications:resend_link")))
