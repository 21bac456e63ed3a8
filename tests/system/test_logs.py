"""Private links' tokens stay out of the logs: the production server (gunicorn, as
``scripts/serve`` starts it, with its access log) answers a private link that does not
exist (Django's "Not Found" warning) and a page loaded from a private page (its Referer);
neither log holds the token, both still hold the reference."""

import logging
import os
import secrets
import signal
import time
import urllib.error
import urllib.request

import pytest

from chiefquality.redaction import RedactPrivateLinks
from tests.system.servers import free_port, portal_env, start_gunicorn


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    directory = tmp_path_factory.mktemp("logs")
    env = portal_env(directory)
    port = free_port()
    log_path = directory / "server.log"
    with open(log_path, "w") as log:
        process = start_gunicorn(
            env,
            port,
            log=log,
            extra=(
                "--access-logfile",
                "-",
                "--logger-class",
                "chiefquality.redaction.RedactingGunicornLogger",
            ),
        )
    yield port, log_path
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=20)


def test_no_token_in_the_access_log_nor_in_not_found_warnings(server):
    port, log_path = server
    token = secrets.token_urlsafe(32)
    private = f"/a/CQO-2021-0042/{token}/"
    with pytest.raises(urllib.error.HTTPError) as missing:
        urllib.request.urlopen(f"http://127.0.0.1:{port}{private}edit/", timeout=10)
    assert missing.value.code == 404
    missing.value.close()
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/healthz",
        headers={"Referer": f"http://127.0.0.1:{port}{private}"},
    )
    with urllib.request.urlopen(request, timeout=10) as page:
        assert page.read() == b"ok"
    urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz?final", timeout=10).close()

    deadline = time.monotonic() + 10
    while "GET /healthz?final" not in (text := log_path.read_text()):  # written, flushed
        assert time.monotonic() < deadline, text
        time.sleep(0.1)
    assert token not in text
    assert "Not Found: /a/CQO-2021-0042/[token]/edit/" in text
    assert '"GET /a/CQO-2021-0042/[token]/edit/ HTTP/1.1" 404' in text
    referred = f'"http://127.0.0.1:{port}/a/CQO-2021-0042/[token]/"'  # the Referer
    assert any("GET /healthz HTTP" in line and referred in line for line in text.splitlines())


def test_the_filter_redacts_a_record_and_leaves_others_alone():
    token = secrets.token_urlsafe(32)
    record = logging.LogRecord(
        "django.request", logging.WARNING, __file__, 1, "Not Found: %s", (f"/a/R/{token}/",), None
    )
    assert RedactPrivateLinks().filter(record)
    assert record.getMessage() == "Not Found: /a/R/[token]/"
    plain = logging.LogRecord("x", logging.INFO, __file__, 1, "/apply/ %s", ("ok",), None)
    RedactPrivateLinks().filter(plain)
    assert plain.getMessage() == "/apply/ ok"
