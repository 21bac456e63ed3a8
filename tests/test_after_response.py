"""Work deferred until the response has been sent (applications/after_response.py).

The end-to-end cases (a mail server that is down, the receipt sent only once the response
is complete) are in test_views.py; these are the edges of a request's life."""

import logging

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections

from applications import after_response


@pytest.fixture
def request_signals():
    """The signals of a request's start and end, as Django's test client sends them: without
    ``close_old_connections``, which would reach for the database (and so fail, or close the
    connection of a database test that ran before) although these tests use none."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_outside_a_request_work_runs_at_once_and_its_errors_raise():
    ran = []
    after_response.defer(ran.append, 1)
    assert ran == [1]
    with pytest.raises(ZeroDivisionError):
        after_response.defer(lambda: 1 / 0)


def test_in_a_request_work_waits_for_the_end_and_a_failure_does_not_stop_the_rest(
    caplog, request_signals
):
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


def test_work_of_a_request_whose_end_never_came_runs_when_the_next_begins(request_signals):
    ran = []
    request_started.send(sender=None)
    after_response.defer(ran.append, 1)  # ... and the response is never closed

    request_started.send(sender=None)

    assert ran == [1]
    request_finished.send(sender=None)
