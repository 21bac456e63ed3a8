import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from applications.enums import Status
from applications.roles import CALL_MANAGER_GROUP
from tests.factories import UserFactory, application_in_status, selector

# A Monday, 10:00 in Beijing: five working days end at midnight after the next Monday.
MONDAY = timezone.make_aware(dt.datetime(2026, 11, 30, 10, 0))


@pytest.fixture
def boss(call):
    return selector()


@pytest.fixture
def manager(db):
    user = UserFactory(username="manager", is_staff=True)
    user.groups.add(Group.objects.get(name=CALL_MANAGER_GROUP))
    return user


@pytest.fixture
def listed(call, boss):
    """A call without the joint sign-off (so decisions need no reviews) whose list holds
    three released selections, with one waitlisted unit behind them; the third drafter did
    not agree to be named."""
    call.required_recommendations = 0
    call.save(update_fields=["required_recommendations"])
    selected = [application_in_status(call, Status.SELECTED, boss, number=n) for n in (1, 2, 3)]
    selected[2].drafter_name_public_consent = False
    selected[2].save(update_fields=["drafter_name_public_consent"])
    waiting = application_in_status(call, Status.WAITLISTED, boss, number=4)
    return selected, waiting
