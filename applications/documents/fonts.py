"""The fonts the PDFs are set in, as fontconfig lists them.

WeasyPrint lays text out with Pango, which finds fonts through fontconfig: a family that
fontconfig's ``fc-list`` does not list is one WeasyPrint replaces with a fallback, which
for Chinese means empty boxes. Used by the PDFs before they render (``pdf.check_fonts``)
and by the deploy check (``applications.checks``).
"""

import subprocess

FONT_PACKAGE = "fonts-noto-cjk"  # Debian's package of settings.DOCUMENT_FONTS
FC_LIST_PACKAGE = "fontconfig"  # Debian's package of fc-list


def installed_families() -> frozenset[str] | None:
    """Every font family fontconfig lists, case-folded; None when ``fc-list`` cannot run.

    A fresh listing each time: fonts installed while the server runs are found.
    """
    try:
        listed = subprocess.run(
            ["fc-list", "--format", "%{family}\n"],
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    # A font with several names lists them separated by commas.
    return frozenset(
        name.strip().casefold() for line in listed.splitlines() for name in line.split(",")
    ) - {""}


def missing_families(families) -> list[str] | None:
    """Those of ``families`` fontconfig does not list; None when ``fc-list`` cannot run."""
    installed = installed_families()
    if installed is None:
        return None
    return [family for family in dict.fromkeys(families) if family.casefold() not in installed]
