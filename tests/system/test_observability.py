"""LOG_FORMAT=json and the Sentry scrubber, on real log lines and a real Sentry event."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import sentry_sdk
from sentry_sdk.transport import Transport

from applications import form_schema
from chiefquality.observability import FILTERED, before_send, logging_config, scrub
from tests.factories import create_application

ROOT = Path(__file__).resolve().parents[2]


def test_log_format_json_writes_one_json_object_per_line():
    code = (
        "import logging\n"
        "logging.getLogger('applications.services').warning('保存失败 %s', 'CQO-2021-0001')\n"
        "try:\n    1 / 0\nexcept ZeroDivisionError:\n"
        "    logging.getLogger('django.request').exception('Internal Server Error: /apply/')\n"
    )
    env = {**os.environ, "LOG_FORMAT": "json", "DJANGO_SETTINGS_MODULE": "chiefquality.settings"}
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()\n" + code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    events = [json.loads(line) for line in result.stderr.splitlines()]
    assert [(e["level"], e["logger"], e["message"]) for e in events] == [
        ("WARNING", "applications.services", "保存失败 CQO-2021-0001"),
        ("ERROR", "django.request", "Internal Server Error: /apply/"),
    ]
    assert "ZeroDivisionError: division by zero" in events[1]["exc_info"]
    assert all({"time", "process"} <= set(e) for e in events)


def test_an_unknown_log_format_is_refused():
    assert logging_config("text", "INFO")["handlers"]["console"] == {
        "class": "logging.StreamHandler",
        "filters": ["redact_private_links"],  # tokens never reach the log
    }
    with pytest.raises(ValueError, match="LOG_FORMAT must be text or json"):
        logging_config("xml", "INFO")


class Captured(Transport):
    def __init__(self, options=None):
        super().__init__(options)
        self.events = []

    def capture_envelope(self, envelope):
        for item in envelope.items:
            if item.type == "event":
                self.events.append(item.payload.json)


def save_that_fails(application, values):
    """A service that fails with the applicant's data in its locals and its message."""
    drafter = values["drafter_name"]  # a local named after what it holds
    assert drafter
    raise ValueError(
        f"could not save {application.reference}: {values['drafter_mobile']} "
        f"{values['drafter_email']} {application.credit_code} 110101199003074514"
    )


@pytest.mark.django_db
def test_sentry_events_leave_without_personal_data(call):
    application, token = create_application(call, 1)
    values = {name: str(getattr(application, name)) for name in form_schema.PERSONAL_FIELDS}
    transport = Captured()
    client = sentry_sdk.Client(
        dsn="https://public@sentry.invalid/1",
        transport=transport,
        default_integrations=False,
        include_local_variables=True,  # the worst case: production turns them off
        before_send=before_send,
    )
    with sentry_sdk.isolation_scope() as scope:
        scope.set_client(client)
        scope.set_extra("form", {**values, "unit_name": application.unit_name})
        scope.set_extra("link", f"https://portal.example.cn/a/{application.reference}/{token}/")
        sentry_sdk.add_breadcrumb(message=f"mail to {application.contact_email}")
        try:
            save_that_fails(application, values)
        except ValueError:
            sentry_sdk.capture_exception()
    client.flush()
    (event,) = transport.events
    text = json.dumps(event, ensure_ascii=False)
    personal = [
        *values.values(),
        application.credit_code,
        application.contact_email,
        token,
        "110101199003074514",
    ]
    # (codes such as gender "01" are too short to look for in the text)
    leaked = [value for value in personal if len(value) > 2 and value in text]
    assert leaked == []
    # What the organisers need to find the bug is still there.
    exception = event["exception"]["values"][0]
    assert exception["type"] == "ValueError"
    assert exception["value"].startswith(f"could not save {application.reference}: [Filtered]")
    frame = exception["stacktrace"]["frames"][-1]
    assert frame["function"] == "save_that_fails"
    assert frame["filename"] == "tests/system/test_observability.py"
    assert frame["vars"]["drafter"] == FILTERED
    assert event["extra"]["form"]["drafter_name"] == FILTERED


def test_every_personal_field_of_the_form_is_scrubbed_by_name():
    event = {"request": {"data": dict.fromkeys(form_schema.PERSONAL_FIELDS, "x")}}
    assert scrub(event)["request"]["data"] == dict.fromkeys(form_schema.PERSONAL_FIELDS, FILTERED)
    assert scrub({"headers": [["Cookie", "sessionid=abc"], ["Accept", "text/html"]]}) == {
        "headers": [["Cookie", FILTERED], ["Accept", "text/html"]]
    }
    assert scrub({"standards": [1, 2], "status": "submitted"}) == {
        "standards": [1, 2],
        "status": "submitted",
    }


def test_without_sentry_dsn_nothing_is_sent(settings):
    assert settings.SENTRY_ENABLED is ("SENTRY_DSN" in os.environ)
    assert sentry_sdk.get_client().is_active() is settings.SENTRY_ENABLED


def test_sentry_dsn_turns_the_client_on_with_the_scrubber():
    code = (
        "import django, json, sentry_sdk\ndjango.setup()\n"
        "from django.conf import settings\n"
        "o = sentry_sdk.get_client().options\n"
        "print(json.dumps([settings.SENTRY_ENABLED, o['before_send'].__module__,"
        " o['before_send'].__name__, o['send_default_pii'], o['include_local_variables'],"
        " o['max_request_body_size'], sorted(o['integrations'][0].identifier for _ in [0])]))\n"
    )
    env = {
        **os.environ,
        "SENTRY_DSN": "https://public@127.0.0.1:9/1",  # loopback's discard port: never sent
        "DJANGO_SETTINGS_MODULE": "chiefquality.settings",
    }
    result = subprocess.run(
        [sys.executable, "-W", "error::DeprecationWarning", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert json.loads(result.stdout.splitlines()[-1]) == [
        True,
        "chiefquality.observability",
        "before_send",
        None,
        False,
        "never",
        ["django"],
    ]
