"""The public pages are forgotten when the call, its standards or its bodies change
(applications/signals.py connects to them by lazy model names)."""

import pytest
from django.core.cache import cache

from applications.models import OrganisingBody, Standard
from applications.public_pages import VERSION_KEY


def _shared_version() -> int:
    return cache.get(VERSION_KEY) or 1


@pytest.mark.parametrize(
    "change",
    [
        "call saved",
        "standard saved",
        "standard deleted",
        "body saved",
        "body removed from the call",
        "body added to the call",
    ],
)
def test_every_change_of_what_the_public_pages_show_forgets_them(call, change):
    body = call.organising_bodies.first()
    standard = Standard.objects.filter(call=call).first()
    before = _shared_version()
    if change == "call saved":
        call.save()
    elif change == "standard saved":
        standard.save()
    elif change == "standard deleted":
        standard.delete()
    elif change == "body saved":
        body.save()
    elif change == "body removed from the call":
        call.organising_bodies.remove(body)
    else:
        other = OrganisingBody.objects.create(
            name="另一牵头单位",
            address="北京",
            phone="010-1",
            email="a@example.com",
            contact_person="张三",
        )
        before = _shared_version()  # creating the body is a change of its own
        call.organising_bodies.add(other)
    assert _shared_version() > before
