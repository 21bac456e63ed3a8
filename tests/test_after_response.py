"""Work deferred until the response has been sent (applications/after_response.py).

The end-to-end cases (a mail server that is down, the receipt sent only once the response
is complete) are in test_views.py; these are the edges of a request's life."""

import logging

import pytest
from django.core.signals import request_finished, request_started

from applications import after_response


def test_outside_a_request_work_runs_at_once_and_its_errors_raise():
    ran = []
    after_response.defer(ran.append, 1)
    assert ran == [1]
    with pytest.raises(ZeroDivisionError):
        after_response.defer(lambda: 1 / 0)


def test_in_a_request_work_waits_for_the_end_and_a_failure_does_not_stop_the_rest(caplog):
    ran = []
    request_started.send(sender=None)
    after_response.defer(lambda: 1 / 0)
    after_response.defer(ran.append, 2)
    assert ran == []

    with caplog.at_level(logging.ERROR, logger="applications.after_response"):
        request_finished.send(sender=None)

    assert ran == [2]
    assert "ZeroDivisionError" in caplog.text
    after_response.defer(ran.append, 3)  # the request is over: at once again
    assert ran == [2, 3]


def test_work_of_a_request_whose_end_never_came_runs_when_the_next_begins():
    ran = []
    request_started.send(sender=None)
    after_response.defer(ran.append, 1)  # ... and the response is never closed

    request_started.send(sender=None)

    assert ran == [1]
    request_finished.send(sender=None)
