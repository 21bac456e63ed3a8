"""Private links stay out of the logs.

A private link (``/a/<reference>/<token>/…``) opens an application without a password, so
its token must not be written where operators, log shippers or backups keep it: the access
log (gunicorn, ``RedactingGunicornLogger``: the request line, the path and the Referer of
the pages a private page loads) and Django's own records ("Not Found: /a/…", through
``RedactPrivateLinks`` on the console handler). The reference stays, so a line can still be
matched to an application.
"""

import logging
import re

from gunicorn.glogging import Logger

PRIVATE_LINK = re.compile(r"(/a/[^/\s?#\"']+/)[A-Za-z0-9_%\-]{16,}")
REDACTED = r"\1[token]"


def redact(text: str) -> str:
    return PRIVATE_LINK.sub(REDACTED, text)


class RedactPrivateLinks(logging.Filter):
    """A logging filter: the record's message with every private link's token redacted."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


class RedactingGunicornLogger(Logger):
    """gunicorn's logger, with tokens redacted from every field of an access log line
    (``scripts/serve``: ``--logger-class``)."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {
            key: redact(value) if isinstance(value, str) else value for key, value in atoms.items()
        }
