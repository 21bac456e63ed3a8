"""Test data, in one place. Applications are made through the real service, so they are what
users make; form data is what a browser posts; files are real files of each kind."""

import datetime as dt
import random
import re
from fractions import Fraction
from pathlib import Path

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from applications import demo, queries, rubric, services, workflow
from applications.enums import CallStatus, Status
from applications.models import Call, Criterion, OrganisingBody, Standard
from applications.roles import SELECTOR_GROUP
from applications.services import NewFile
from outbox.models import OutgoingMail

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def fixture_bytes(name: str) -> bytes:
    """A file made by a real program (see tests/fixtures/README.md)."""
    return (FIXTURES / name).read_bytes()


def seal_upload(name="盖章扫描件.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, demo.seal_scan_png(), content_type="image/png")


def pdf_upload(name="单位简介.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, demo.profile_pdf(), content_type="application/pdf")


def other_call(
    code: str = "rsq-2026",
    *,
    status: str = CallStatus.PUBLISHED,
    standards: int = 2,
    bodies: list | None = None,
    criteria: bool = True,
    **fields,
) -> Call:
    """A second call, different from the seeded one in every text: its own standards and
    (unless ``bodies`` are given) its own organising body; open for 20 days by default."""
    now = timezone.now()
    values = {
        "title": "关于公开征集商业服务质量系列团体标准起草单位的通知",
        "series": "商业服务质量系列团体标准",
        "document_number": "商促字〔2026〕8号",
        "issuer": "商业服务质量促进中心",
        "notice": "## 征集范围\n\n面向零售、餐饮企业征集起草单位。",
        "opens_at": now - dt.timedelta(days=1),
        "deadline": now + dt.timedelta(days=20),
        "max_selected": 10,
        **fields,
    }
    call = Call.objects.create(code=code, status=status, **values)
    for position in range(1, standards + 1):
        Standard.objects.create(
            call=call,
            title=f"《零售服务质量评价第{position}部分》",
            plan_number=f"RSQ-{code}-{position:03d}",
            position=position,
        )
    if bodies is None:
        bodies = [
            OrganisingBody.objects.get_or_create(
                name="商业服务质量促进中心",
                defaults={
                    "short_name": "服务质量中心",
                    "address": "上海市黄浦区示范路 1 号",
                    "phone": "021-61234567",
                    "email": "rsq@example.com",
                    "contact_person": "周明",
                },
            )[0]
        ]
    call.organising_bodies.set(bodies)
    if criteria:
        Criterion.objects.create(call=call, label="综合评价", weight=100, scale_max=100)
    return call


def form_data(call: Call, number: int = 1, **overrides) -> dict:
    """POST data of a complete, valid 申报表 (without files), as the browser sends it."""
    values = demo.application_values(random.Random(number), number, today=timezone.localdate())
    data = {}
    for name, value in values.items():
        if isinstance(value, bool):
            if name in ("agrees_to_declaration", "privacy_consent", "drafter_name_public_consent"):
                if value:
                    data[name] = "on"
            else:
                data[name] = "True" if value else "False"
        elif isinstance(value, dt.date):
            data[name] = value.isoformat()
        elif isinstance(value, list):  # the ticks of a list of boxes
            data[name] = [str(v) for v in value]
        else:
            data[name] = str(value)
    data["standards"] = [str(pk) for pk in call.standards.values_list("pk", flat=True)[:2]]
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def values(number: int = 1, **overrides) -> dict:
    data = demo.application_values(random.Random(number), number, today=timezone.localdate())
    data.update(overrides)
    return data


def seal_file(name: str = "盖章扫描件.png") -> NewFile:
    return NewFile(
        upload=seal_upload(name), original_name=name, extension=".png", seal_detected=True
    )


def pdf_file(name: str = "单位简介.pdf") -> NewFile:
    return NewFile(upload=pdf_upload(name), original_name=name, extension=".pdf")


def create_application(
    call,
    number: int = 1,
    *,
    action="submit",
    files=None,
    standards=None,
    language=None,
    confirmed=True,
    client="",
    **overrides,
):
    """(application, token) made by ``services.application_create`` with valid data, its
    contact address confirmed (``confirmed=False``: an anonymous visitor's draft, whose
    token is that of the confirmation link)."""
    if files is None:
        files = {"seal_scan": seal_file()} if action == "submit" else {}
    return services.application_create(
        call=call,
        values=values(number, **overrides),
        standards=list(call.standards.all()[:1]) if standards is None else standards,
        files=files,
        action=action,
        language=language,
        confirmed=confirmed,
        client=client,
    )


CONFIRM_LINK = re.compile(r"/confirm/([A-Za-z0-9_-]{40,})/")


def confirmation_token(to: str | None = None) -> str:
    """The token of the latest confirmation mail (to ``to``), read as the applicant reads
    it: from the outbox while it waits (the stored copy keeps the link until it is sent),
    else from the mails the worker sent (``django.core.mail.outbox``)."""
    mails = OutgoingMail.objects.filter(kind="confirm")
    if to is not None:
        mails = mails.filter(to=to)
    stored = mails.order_by("-pk").first()
    assert stored is not None, "no confirmation mail"
    found = CONFIRM_LINK.search(stored.text)
    if found is None:  # sent: the stored copy no longer holds the link
        sent = [m for m in mail.outbox if to is None or m.to == [to]]
        found = next((f for m in reversed(sent) if (f := CONFIRM_LINK.search(m.body))), None)
    assert found, stored.text
    return found.group(1)


def confirm_by_mail(client, to: str | None = None):
    """Open the link of the latest confirmation mail in ``client``: the response is a 303
    to the private page (with the reference given on confirmation)."""
    return client.get(f"/confirm/{confirmation_token(to)}/")


def application_in_status(call, status: str, actor, number: int = 1):
    """An application of ``call`` brought to ``status`` the way people bring it there: saved
    as a draft, submitted, then withdrawn by its applicant or decided on by ``actor`` (a
    selector; the call's joint sign-off must be met or off)."""
    if status == Status.DRAFT:
        return create_application(call, number, action="draft")[0]
    application = create_application(call, number)[0]
    if status == Status.WITHDRAWN:
        return services.application_withdraw(application=application)
    for decision in workflow.decisions_from(application.status):
        if decision.target == status:
            return decide_final(application, decision.name, actor)
    assert application.status == status, f"no path to {status}"
    return application


def decide_final(application, decision: str, actor, **kwargs):
    """``services.decide``, then (for a staged decision) its release: the decision final and
    mailed, as a selector's two steps make it."""
    decided = services.decide(application=application, decision=decision, actor=actor, **kwargs)
    if decided.pending_decision:
        [decided] = services.decisions_release(call=decided.call, actor=actor, pks=[decided.pk])
    return decided


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password("correct horse battery staple")


def reviewer_for(body, username=None):
    """A staff user in ``body``'s reviewer group (the groups come from ``seed_call``)."""
    body.refresh_from_db()
    user = UserFactory(username=username or f"reviewer-{body.pk}", is_staff=True)
    user.groups.add(body.reviewer_group)
    return user


def selector(username="selector"):

    user = UserFactory(username=username, is_staff=True)
    user.groups.add(Group.objects.get(name=SELECTOR_GROUP))
    return user


def rubric_scores(call, total: int) -> dict[int, int]:
    """Scores on ``call``'s rubric whose weighted total is ``total``: the heaviest criteria
    filled first. Fails if the rubric cannot make exactly ``total``."""
    criteria = sorted(
        queries.rubric_criteria(call), key=lambda c: (-c.weight / c.scale_max, c.position)
    )
    remaining = Fraction(total)
    scores = {}
    for criterion in criteria:
        step = Fraction(criterion.weight, criterion.scale_max)
        value = min(criterion.scale_max, int(remaining / step))
        scores[criterion.pk] = value
        remaining -= step * value
    made = rubric.weighted_total(
        rubric.Scored(c.weight, c.scale_max, scores[c.pk]) for c in criteria
    )
    assert made == total, f"the rubric of {call.code} cannot total {total} (got {made})"
    return scores


def review_post(call, total: int = 80, recommendation="recommend", **extra) -> dict:
    """What the review form posts for a verdict of weighted total ``total`` on ``call``."""
    scores = {f"criterion_{pk}": str(value) for pk, value in rubric_scores(call, total).items()}
    return {"recommendation": recommendation, **scores, **extra}


def recommend(application, bodies, *, score=80, recommendation="recommend"):
    """Each body in ``bodies`` records ``recommendation`` through the review service."""
    for body in bodies:
        services.review_save(
            application=application,
            reviewer=reviewer_for(body),
            recommendation=recommendation,
            scores=rubric_scores(application.call, score),
            comment="同意",
        )


def shown_in_admin_page(organiser, application, url: str) -> bytes:
    """The image at ``url`` as the application's admin page shows it (``url?inline=1``, in an
    ``<img>``): a JPEG sent inline under the viewer's sandbox. Returns its bytes, read to the
    end (the test client then closes a streamed file; a close() of our own would send
    request_finished again and close the test's database connection)."""
    shown = f"{url}?inline=1"
    page = organiser.get(f"/admin/applications/application/{application.pk}/change/")
    assert f'<img src="{shown}"' in page.content.decode()
    inline = organiser.get(shown)
    assert inline["Content-Type"] == "image/jpeg"
    assert inline["Content-Disposition"].startswith("inline")
    assert "sandbox" in inline["Content-Security-Policy"]
    return b"".join(inline.streaming_content) if inline.streaming else inline.content
