"""axe-core in the browser tests: inject the npm package's ``axe.min.js`` and run it.

``scripts/bootstrap.sh test`` installs axe-core from the npm registry into ``.cache/axe``
(git-ignored); nothing is fetched from a CDN.
"""

import os
from pathlib import Path

import pytest

AXE_JS = (
    Path(__file__).resolve().parents[2]
    / ".cache"
    / "axe"
    / "node_modules"
    / "axe-core"
    / "axe.min.js"
)
BLOCKING = ("serious", "critical")


def axe_run(page) -> list[dict]:
    """Every axe-core violation on the page as it is now (all impacts)."""
    if not AXE_JS.exists():
        reason = f"axe-core is not installed at {AXE_JS} (scripts/bootstrap.sh test)"
        if os.environ.get("CI"):
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    if not _has_axe(page):
        # The portal's Content-Security-Policy refuses an injected <script> tag (and the
        # browser tests fail on any CSP violation), but not an evaluation through the
        # DevTools protocol.
        page.evaluate(AXE_JS.read_text(encoding="utf-8") + "\n;undefined")
        assert _has_axe(page), "axe-core could not be injected"
    return page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
    )


def _has_axe(page) -> bool:
    return page.evaluate("() => typeof window.axe !== 'undefined'")


def describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        targets = [", ".join(node["target"]) for node in v["nodes"]][:5]
        lines.append(f"[{v['impact']}] {v['id']} ({len(v['nodes'])}): {v['help']} -> {targets}")
    return "\n".join(lines) or "none"


def blocking(violations: list[dict]) -> list[dict]:
    return [v for v in violations if v["impact"] in BLOCKING]
