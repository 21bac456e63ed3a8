"""Fixtures for the browser tests: headless Chromium through Playwright's sync API.

The browser is Debian's Chromium (never a Playwright download). Each test opens pages
against pytest-django's ``live_server``; when a test fails, a screenshot of every page it
opened is saved in ``tests/browser/artifacts/`` (git-ignored).
"""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

# Playwright's sync API runs an asyncio event loop in the test thread; Django would then
# refuse ORM calls made by the test itself (fixtures, assertions on the database).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
DEFAULT_TIMEOUT_MS = 10_000

DESKTOP = {"viewport": {"width": 1280, "height": 800}}
PHONE = {"viewport": {"width": 375, "height": 667}, "is_mobile": True, "has_touch": True}


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the item, so fixtures can tell whether the test failed."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


def artifact_path(name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS / f"{re.sub(r'[^A-Za-z0-9_.-]+', '_', name)}.png"


def screenshot(page, name: str) -> Path:
    """A full-page screenshot kept for people to look at."""
    path = artifact_path(name)
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture(scope="session")
def live_server(django_db_setup, live_server):
    """pytest-django's live server, started after the test database exists.

    Requesting ``django_db_setup`` first makes the server thread share the in-memory SQLite
    test database (pytest-django hands in-memory connections to the thread only if they
    exist when it starts).
    """
    return live_server


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        reason = f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; CI is set, so the browser tests must run", pytrace=False)
        pytest.skip(reason)

    # Assertions wait as long as actions do (the default is 5 s), for slow CI machines.
    expect.set_options(timeout=DEFAULT_TIMEOUT_MS)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def open_page(browser, live_server, request):
    """``open_page(path, **context_options)``: a new page in its own browser context.

    Context options are Playwright's (``viewport``, ``is_mobile``, ``has_touch`` …); pass
    ``**DESKTOP`` or ``**PHONE``. ``path`` is relative to the live server; ``None`` opens
    a blank page.
    """
    contexts = []
    csp_violations = []

    def _watch(message):
        if "Content Security Policy" in message.text:
            csp_violations.append(message.text)

    def _open(path: str | None = "/", **options):
        options.setdefault("viewport", DESKTOP["viewport"])
        # Bootstrap scrolls smoothly unless reduced motion is asked for; the error page
        # scrolls to its summary on load, and a click or tap aimed during that animation
        # can land beside its field.
        options.setdefault("reduced_motion", "reduce")
        context = browser.new_context(
            base_url=live_server.url, locale="zh-CN", timezone_id="Asia/Shanghai", **options
        )
        context.set_default_timeout(DEFAULT_TIMEOUT_MS)
        contexts.append(context)
        context.on("console", _watch)
        page = context.new_page()
        if path is not None:
            page.goto(path)
        return page

    yield _open

    report = getattr(request.node, "rep_call", None)
    try:
        if report is not None and report.failed:
            pages = [page for context in contexts for page in context.pages]
            for number, page in enumerate(pages):
                suffix = "" if number == 0 else f"-{number + 1}"
                try:
                    page.screenshot(
                        path=str(artifact_path(f"{request.node.name}{suffix}")), full_page=True
                    )
                except Exception as exc:  # a crashed page must not hide the real failure
                    print(f"could not screenshot {page.url}: {exc}")
    finally:
        for context in contexts:
            context.close()
    # Every page ran under the portal's Content-Security-Policy; nothing may have been blocked.
    assert csp_violations == [], csp_violations
