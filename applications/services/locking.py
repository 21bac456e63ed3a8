"""Row locks for the services: the only ``select_for_update()`` of ``services/``.

Each function re-reads the rows it locks, so a service checks what it holds rather than what
it was handed, and each refuses to run outside ``transaction.atomic()``: a row lock lasts
until its transaction ends, so without one it would end as soon as it was taken and protect
nothing (on SQLite, which has no row locks, the mistake would otherwise go unnoticed).

Lock order: the call's row first, then the application's.

- A decision locks the call, then the application (``lock_call_then_application``): every
  decision on one call waits for the one before it, so the number of selected applications
  it counts is the true one and the cap holds. Reordering the published list locks the
  call, then its selected applications (``lock_call_then_applications``).
- Taking a reference for a new application locks the call alone (``lock_call``); so does
  filing an objection (its receipt number) and publishing or closing the 公示.
- Answering an objection locks the call, then the objection (``lock_call_then_objection``),
  then, to reopen the unit, the application through ``decide`` (call first again: a lock
  held already is taken again at once).
- The applicant's edits and withdrawal, a review, a reminder, a new private link and an
  erasure lock the application alone (``lock_application``) and take no lock after it.

So no transaction waits for a call's row while it holds an application's, and the order
cannot invert: a deadlock would need one that does. ``lock_application`` reads the call with
the application but locks only the application (``of=("self",)``): a plain
``select_for_update()`` with ``select_related("call")`` would lock the call's row as well,
in the same statement, after the application's.

Rows that merely refer to a locked row (an audit entry, a review) wait for its lock when
they are inserted, and hold nothing that anyone else waits for meanwhile.
"""

from typing import Any

from django.db import router, transaction
from django.db.models import Model
from django.db.transaction import TransactionManagementError

from applications.models import Application, Call, Objection


def _require_transaction(model: type[Model]) -> None:
    using = router.db_for_write(model)
    if not transaction.get_connection(using).in_atomic_block:
        raise TransactionManagementError(
            f"Locking {model._meta.label} rows outside transaction.atomic(): "
            "the lock would be released at once. Open the transaction first."
        )


def lock_call(call: Call) -> Call:
    """The call's row, locked and re-read."""
    _require_transaction(Call)
    return Call.objects.select_for_update().get(pk=call.pk)


def lock_application(application: Application) -> Application:
    """The application's row, locked and re-read, with its call read (not locked)."""
    _require_transaction(Application)
    return (
        Application.objects.select_related("call")
        .select_for_update(of=("self",))
        .get(pk=application.pk)
    )


def lock_call_then_application(application: Application) -> tuple[Call, Application]:
    """The application's call, then the application, both locked and re-read."""
    call = lock_call(Call(pk=application.call_id))
    locked = Application.objects.select_for_update().get(pk=application.pk)
    locked.call = call
    return call, locked


def lock_call_then_applications(call: Call, **filters: Any) -> tuple[Call, list[Application]]:
    """The call, then its applications matching ``filters`` (in primary key order)."""
    call = lock_call(call)
    applications = list(
        Application.objects.select_for_update().filter(call=call, **filters).order_by("pk")
    )
    for application in applications:
        application.call = call
    return call, applications


def lock_call_then_objection(objection: Objection) -> tuple[Call, Objection]:
    """The objection's call, then the objection, both locked and re-read."""
    call = lock_call(Call(pk=objection.call_id))
    locked = (
        Objection.objects.select_for_update(of=("self",))
        .select_related("application")
        .get(pk=objection.pk)
    )
    locked.call = call
    return call, locked
