"""Many applications at once, for the dashboard's tests and bench/dashboard.py: rows written
in bulk (no files stored, no mail), with statuses, kinds, industries, places and days of
submission spread over the call, and verdicts of the call's bodies on some of them."""

import datetime as dt
import random
import secrets

from django.db import transaction

from applications import enums
from applications.models import Application, Review
from applications.queries import token_hash
from applications.services.locking import lock_call

ADDRESSES = ["北京市海淀区", "上海市浦东新区", "广东省深圳市", "浙江省杭州市", "四川省成都市", ""]
# Credit codes whose division digits (3–4) name a province: 44 广东, 32 江苏, 11 北京.
DIVISIONS = ["440300", "320100", "110108"]
STATUSES = [
    enums.Status.SUBMITTED,
    enums.Status.SUBMITTED,
    enums.Status.DRAFT,
    enums.Status.SELECTED,
    enums.Status.WAITLISTED,
    enums.Status.REJECTED,
    enums.Status.WITHDRAWN,
]


def bulk_applications(call, count: int, *, seed: int = 7, reviewer=None) -> list[Application]:
    """``count`` applications of ``call`` (the cap is not checked: a dashboard's data)."""
    rng = random.Random(seed)
    standards = list(call.standards.all())
    bodies = list(call.organising_bodies.all())
    opens = call.opens_at
    with transaction.atomic():
        locked = lock_call(call)
        first = locked.last_reference_number + 1
        rows = []
        for number in range(first, first + count):
            status = STATUSES[number % len(STATUSES)]
            submitted = status != enums.Status.DRAFT
            division = DIVISIONS[number % len(DIVISIONS)]
            rows.append(
                Application(
                    call=locked,
                    reference=locked.format_reference(number),
                    access_token_hash=token_hash(secrets.token_urlsafe(32)),
                    status=status,
                    email_confirmed_at=opens,
                    unit_name=f"批量单位{number:05d}",
                    unit_type=rng.choice(enums.UnitType.values),
                    industry=rng.choice(["C", "F", "I", "M", "L", ""]),
                    address=rng.choice(ADDRESSES),
                    credit_code=f"91{division}MA{number:08d}"[:18],
                    contact_email=f"bulk{number}@example.com",
                    submitted_at=(
                        opens + dt.timedelta(days=rng.randrange(0, 5), hours=2)
                        if submitted
                        else None
                    ),
                    seal_scan="bulk/seal.png" if submitted else "",
                    list_order=number if status == enums.Status.SELECTED else None,
                )
            )
        locked.last_reference_number = first + count - 1
        locked.save(update_fields=["last_reference_number"])
        Application.objects.bulk_create(rows)
        created = list(
            Application.objects.filter(call=locked, reference__in=[a.reference for a in rows])
        )
        through = Application.standards.through
        through.objects.bulk_create(
            through(application_id=a.pk, standard_id=standards[i % len(standards)].pk)
            for i, a in enumerate(created)
        )
        if reviewer is not None and bodies:
            Review.objects.bulk_create(
                Review(
                    application=a,
                    body=bodies[0],
                    reviewer=reviewer,
                    recommendation=enums.Recommendation.RECOMMEND,
                    score=80,
                )
                for i, a in enumerate(created)
                if a.status not in (enums.Status.DRAFT, enums.Status.WITHDRAWN) and i % 2 == 0
            )
    return created
