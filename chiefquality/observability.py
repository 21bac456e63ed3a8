"""Logs (one JSON line per event with LOG_FORMAT=json) and errors to Sentry (SENTRY_DSN).

Read by settings.py; nothing here needs the app registry.
"""

import re
from collections.abc import Mapping
from typing import Any, cast

import sentry_sdk
from sentry_sdk.types import Event

FILTERED = "[Filtered]"

# Keys whose values are personal data or secrets, wherever they appear in an event (request
# data, locals, extra, breadcrumbs): every drafter_* field of the 申报表, the people who sign
# or are written to, names, phone numbers, addresses, identity numbers, credit codes, and
# the portal's private-link tokens.
PERSONAL_KEY = re.compile(
    r"drafter|responsible_person|contact_|(?:^|_)(?:user|first|last|full|original_)?name$|"
    r"mobile|phone|fax|e_?mail|address|birth|id_?number|id_?card|identity|credit_code|"
    r"resume|token|password|secret|cookie|authorization|session|csrf",
    re.IGNORECASE,
)
# Values that are personal data whatever their key: e-mail addresses, mainland mobile
# numbers, resident ID numbers, unified social credit codes, private links. (A person's
# name inside free text, such as an exception's message, cannot be recognised: the portal's
# own messages name no one, and locals, where the 申报表's values live, are not sent.)
PERSONAL_VALUE = re.compile(
    r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
    r"|(?<![0-9A-Z])[0-9A-HJ-NP-RTUWXY]{2}\d{6}[0-9A-HJ-NP-RTUWXY]{10}(?![0-9A-Z])"
    r"|(?<!\d)\d{17}[\dXx](?!\d)"
    r"|(?<!\d)1[3-9]\d{9}(?!\d)"
    r"|/a/[A-Z0-9-]+/[A-Za-z0-9_-]{20,}",
)


def scrub(value: Any, key: str = "") -> Any:
    """``value`` with personal data replaced by "[Filtered]", at any depth."""
    if key and PERSONAL_KEY.search(key):
        return FILTERED
    if isinstance(value, Mapping):
        return {k: scrub(v, str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        # [key, value] pairs (headers, cookies, query strings) are judged by their key.
        if len(value) == 2 and isinstance(value[0], str) and PERSONAL_KEY.search(value[0]):
            return [value[0], FILTERED]
        return [scrub(item) for item in value]
    if isinstance(value, str):
        return PERSONAL_VALUE.sub(FILTERED, value)
    return value


def before_send(event: Event, _hint: dict[str, Any]) -> Event:
    """Sentry's last look at an event before it leaves: personal fields scrubbed."""
    return cast(Event, scrub(event))


def init_sentry(environ: Mapping[str, str]) -> bool:
    """sentry-sdk with the Django integration, when SENTRY_DSN is set."""
    dsn = environ.get("SENTRY_DSN", "")
    if not dsn:
        return False
    # Imported only when configured: the integration imports Django's request machinery.
    from sentry_sdk.integrations.django import DjangoIntegration  # noqa: PLC0415

    sentry_sdk.init(
        dsn=dsn,
        integrations=[DjangoIntegration()],
        environment=environ.get("SENTRY_ENVIRONMENT", "production"),
        release=environ.get("SENTRY_RELEASE") or None,
        # send_default_pii stays off (its default; sentry-sdk 2.75 warns when it is passed):
        # no user names, client addresses, cookies or headers; the SDK's own scrubber runs.
        include_local_variables=False,  # locals hold the 申报表's values
        max_request_body_size="never",  # so does the form's POST body
        before_send=before_send,
        before_breadcrumb=lambda crumb, _hint: scrub(crumb),
        traces_sample_rate=float(environ.get("SENTRY_TRACES_SAMPLE_RATE", "0")),
    )
    return True


def logging_config(log_format: str, level: str) -> dict[str, Any]:
    """Django's LOGGING: plain lines, or one JSON object per line with LOG_FORMAT=json."""
    # Private links' tokens never reach the log (chiefquality/redaction.py).
    handler: dict[str, Any] = {
        "class": "logging.StreamHandler",
        "filters": ["redact_private_links"],
    }
    formatters = {}
    if log_format == "json":
        formatters["json"] = {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(process)d",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
            "datefmt": "%Y-%m-%dT%H:%M:%S%z",
        }
        handler["formatter"] = "json"
    elif log_format != "text":
        raise ValueError(f"LOG_FORMAT must be text or json, not {log_format!r}")
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": formatters,
        "filters": {"redact_private_links": {"()": "chiefquality.redaction.RedactPrivateLinks"}},
        "handlers": {"console": handler},
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "django.db.backends": {"level": "INFO"},
            # WeasyPrint logs each rendering step at INFO; keep its warnings only.
            "weasyprint": {"level": "WARNING"},
            "fontTools": {"level": "WARNING"},
            "axes": {"level": "WARNING"},
        },
    }
