"""The lock helper: it refuses to run outside a transaction, and locks the rows it says."""

import threading

import pytest
from django.db import DatabaseError, connection, connections, transaction
from django.db.transaction import TransactionManagementError

from applications.enums import Status
from applications.models import Application, Call
from applications.services.locking import (
    lock_application,
    lock_call,
    lock_call_then_application,
    lock_call_then_applications,
)
from tests.factories import create_application

HELPERS = {
    "lock_call": lambda application: lock_call(application.call),
    "lock_application": lock_application,
    "lock_call_then_application": lock_call_then_application,
    "lock_call_then_applications": lambda application: lock_call_then_applications(
        application.call, status=Status.SUBMITTED
    ),
}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("helper", list(HELPERS))
def test_every_helper_refuses_to_run_outside_a_transaction(call, helper):
    application = create_application(call, 1)[0]
    assert not transaction.get_connection().in_atomic_block
    with pytest.raises(TransactionManagementError, match=r"outside transaction\.atomic\(\)"):
        HELPERS[helper](application)
    with transaction.atomic():
        assert HELPERS[helper](application)  # the same call inside one is fine


@pytest.mark.django_db
def test_the_helpers_return_the_rows_re_read(call):
    first, second = create_application(call, 1)[0], create_application(call, 2)[0]
    Application.objects.filter(pk=first.pk).update(unit_name="改名后")
    Call.objects.filter(pk=call.pk).update(max_selected=7)
    stale = Application.objects.get(pk=first.pk)
    stale.unit_name = "未保存的改动"
    with transaction.atomic():
        assert lock_call(call).max_selected == 7
        locked = lock_application(stale)
        assert (locked.unit_name, locked.call.max_selected) == ("改名后", 7)
        locked_call, locked = lock_call_then_application(stale)
        assert (locked_call.max_selected, locked.unit_name) == (7, "改名后")
        assert locked.call is locked_call
        locked_call, submitted = lock_call_then_applications(call, status=Status.SUBMITTED)
        assert [a.pk for a in submitted] == [first.pk, second.pk]
        assert all(a.call is locked_call for a in submitted)


def _holding(lock, application):
    """Run ``lock(application)`` in a transaction of its own thread and connection; keep it
    open until the returned ``release`` is called."""
    locked, release = threading.Event(), threading.Event()

    def hold():
        try:
            with transaction.atomic():
                lock(application)
                locked.set()
                release.wait(timeout=30)
        finally:
            connections.close_all()

    thread = threading.Thread(target=hold)
    thread.start()
    assert locked.wait(timeout=30), "the holder never got its lock"

    def done():
        release.set()
        thread.join(timeout=30)

    return done


def _free(model, pk) -> bool:
    """Whether the row can be locked right now (NOWAIT: refused at once if someone holds it)."""
    try:
        with transaction.atomic():
            model.objects.select_for_update(nowait=True).get(pk=pk)
    except DatabaseError:
        return False
    return True


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are PostgreSQL's")
@pytest.mark.parametrize(
    ("helper", "call_locked", "application_locked"),
    [
        ("lock_call", True, False),
        # Read with its call, locked alone: the applicant's edit never holds the call's row,
        # so it cannot stand in the way of a decision that holds the call and wants the row.
        ("lock_application", False, True),
        ("lock_call_then_application", True, True),
        ("lock_call_then_applications", True, True),
    ],
)
def test_each_helper_locks_exactly_its_rows(call, helper, call_locked, application_locked):
    application = create_application(call, 1)[0]
    release = _holding(HELPERS[helper], application)
    try:
        held = (not _free(Call, call.pk), not _free(Application, application.pk))
    finally:
        release()
    assert held == (call_locked, application_locked)
    assert _free(Call, call.pk) and _free(Application, application.pk)
