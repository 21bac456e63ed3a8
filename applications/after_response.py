"""Work the visitor need not wait for, run once the response has been sent.

A WSGI server writes the whole response and then closes it; Django sends
``request_finished`` on that close. Work deferred during a request runs then, in the
same worker: an applicant's "saved" page does not wait for the SMTP server (nor fail
with it: a failure is logged, since the response is gone). Outside a request
(management commands, the shell, a service called from a test) it runs at once, and a
failure raises as before. Callers defer only what is already committed (they run
inside ``transaction.on_commit``).
"""

import logging
import threading

from django.core.signals import request_finished, request_started

logger = logging.getLogger(__name__)
_state = threading.local()


def defer(function, *args) -> None:
    """Run ``function(*args)`` after this request's response has been sent (or now)."""
    pending = getattr(_state, "pending", None)
    if pending is None:
        function(*args)
    else:
        pending.append((function, args))


def _start(**kwargs) -> None:
    _finish()  # work left by a request whose end never came (its response was not closed)
    _state.pending = []


def _finish(**kwargs) -> None:
    pending, _state.pending = getattr(_state, "pending", None), None
    for function, args in pending or ():
        try:
            function(*args)
        except Exception:
            logger.exception("Deferred %s failed", getattr(function, "__qualname__", function))


def connect() -> None:
    """Called once from AppConfig.ready."""
    request_started.connect(_start, dispatch_uid="after_response.start")
    request_finished.connect(_finish, dispatch_uid="after_response.finish")
