"""Calls as data: a call manager publishes a complete draft, or copies a call into a new one.

A call is made and edited in the admin like any other row (its form is the model's); these
are the two changes that are more than an edit: publishing makes it public, copying makes a
new draft from it, as pretalx's "copy settings from a previous event".
"""

import datetime as dt

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from applications import enums, rubric, validation
from applications.models import Call, Criterion, Question, Standard
from applications.services.audit import audit_write
from applications.services.locking import lock_call


def _publish_counts(call: Call) -> dict:
    return {
        "standards": call.standards.count(),
        "bodies": call.organising_bodies.count(),
        "criteria": Criterion.objects.filter(call=call).count(),
        "opens_at": call.opens_at,
        "deadline": call.deadline,
    }


def call_publish_problems(*, call: Call) -> list[str]:
    """What the call still lacks before it can be published (empty when complete)."""
    return validation.call_publish_problems(**_publish_counts(call))


@transaction.atomic
def call_publish(*, call: Call, actor: User | None) -> Call:
    """Make a draft call public, once it is complete (a standard, a body, a scoring criterion,
    a deadline after its opening); refuses with a ``ValidationError`` naming everything missing.

    Side effects: ``status`` and ``published_at`` set, an audit entry ``call.publish``; the
    public pages forget their cached copies (the call's ``post_save`` signal).
    """
    call = lock_call(call)
    if call.is_published:
        return call
    validation.validate_call_publishable(**_publish_counts(call))
    call.status = enums.CallStatus.PUBLISHED
    call.published_at = timezone.now()
    call.full_clean()
    call.save(update_fields=["status", "published_at"])
    audit_write(None, "call.publish", actor=actor, call=call.code)
    return call


CODE_MAX = 40  # Call.code's max_length


def _free_code(code: str) -> str:
    """``<code>-copy``, or ``<code>-copy-2``, … : the first one no call has."""
    stem = f"{code}-copy"[: CODE_MAX - 3]
    taken = set(Call.objects.filter(code__startswith=stem).values_list("code", flat=True))
    candidate, n = stem, 1
    while candidate in taken:
        n += 1
        candidate = f"{stem}-{n}"
    return candidate


COPIED_FIELDS = (
    "title",
    "series",
    "series_en",
    "document_number",
    "notice",
    "supplement",
    "before_you_start",
    "issuer",
    "issued_on",
    "max_selected",
    "drafters_per_unit",
    "required_recommendations",
    "publicity_days",
    "publish_drafter_titles",
)


QUESTION_FIELDS = (
    "kind",
    "label",
    "label_en",
    "help_text",
    "help_text_en",
    "options",
    "required",
    "after_section",
    "position",
    "hidden",
)


@transaction.atomic
def call_copy(*, call: Call, actor: User | None, now: dt.datetime | None = None) -> Call:
    """A new draft call made from ``call``: its texts and settings, its organising bodies, its
    own questions, its rubric's criteria (not the legacy "总体") and its standards (titles and
    order; plan numbers are given anew to each call), under a free code ``<code>-copy``. It
    opens now and runs as long as ``call`` ran; nothing of the old call's applications,
    references or status is copied.

    Side effects: the new call, its standards, questions, criteria and bodies, an audit entry
    ``call.copy``.
    """
    now = (now or timezone.now()).replace(second=0, microsecond=0)
    copy = Call(
        **{name: getattr(call, name) for name in COPIED_FIELDS},
        code=_free_code(call.code),
        opens_at=now,
        deadline=now + max(call.deadline - call.opens_at, dt.timedelta(days=1)),
        status=enums.CallStatus.DRAFT,
    )
    copy.full_clean()
    copy.save()
    copy.organising_bodies.set(call.organising_bodies.all())
    Standard.objects.bulk_create(
        Standard(call=copy, title=standard.title, position=standard.position)
        for standard in call.standards.all()
    )
    Question.objects.bulk_create(
        Question(
            call=copy,
            **{name: getattr(question, name) for name in QUESTION_FIELDS},
        )
        for question in Question.objects.filter(call=call)
    )
    Criterion.objects.bulk_create(
        Criterion(call=copy, **{name: getattr(criterion, name) for name in CRITERION_FIELDS})
        for criterion in Criterion.objects.filter(call=call, legacy=False)
    )
    audit_write(None, "call.copy", actor=actor, call=copy.code, source=call.code)
    return copy


CRITERION_FIELDS = ("position", "label", "label_en", "description", "weight", "scale_max")


def call_criteria_ensure(
    *, call: Call, criteria: list[tuple[str, str, int]], scale_max: int = rubric.NOTICE_SCALE_MAX
) -> int:
    """Give ``call`` these criteria (label, description, weight), each scored 0–``scale_max``,
    unless it has a rubric already (a call manager's edits are kept). Returns how many were
    created. For ``seed_call`` and the demo call; call managers edit criteria in the admin."""
    if Criterion.objects.filter(call=call, legacy=False).exists():
        return 0
    rubric.validate_weights([weight for _label, _description, weight in criteria])
    rows = [
        Criterion(
            call=call,
            position=position,
            label=label,
            description=description,
            weight=weight,
            scale_max=scale_max,
        )
        for position, (label, description, weight) in enumerate(criteria, start=1)
    ]
    for row in rows:
        row.full_clean(exclude=["call"])
    Criterion.objects.bulk_create(rows)
    return len(rows)
