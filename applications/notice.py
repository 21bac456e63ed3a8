"""A call's notice: Markdown written by its managers, shown as sanitised HTML."""

import dataclasses
import functools
import re
from html import unescape

import markdown
import nh3


@functools.lru_cache(maxsize=32)
def render_notice(text: str) -> str:
    """The notice's Markdown as HTML that nh3 has cleaned (no script, no event handler, no
    foreign frame); cached by its text, so an edit shows at once."""
    return nh3.clean(markdown.markdown(text, extensions=["tables", "sane_lists"]))


@dataclasses.dataclass(frozen=True)
class NoticeParts:
    """A rendered notice cut round its contacts section: ``before`` and ``after`` are HTML,
    ``contacts_heading`` the section's own heading text ("" when the notice has none)."""

    before: str
    contacts_heading: str
    after: str
    contacts_level: int = 2  # the heading's level in the notice, kept on the page


_CONTACTS_HEADING = re.compile(r"<h([1-6])>([^<]*联系方式[^<]*)</h\1>")


def notice_parts(text: str) -> NoticeParts:
    """The notice with its 联系方式 section taken out, so that the page shows the bodies'
    contacts once, as cards with working links, in the place the notice gives them. The
    section runs from its heading to the next heading of the same or a higher level."""
    html = render_notice(text)
    found = _CONTACTS_HEADING.search(html)
    if not found:
        return NoticeParts(before=html, contacts_heading="", after="")
    level = int(found.group(1))
    following = re.compile(rf"<h[1-{level}]>").search(html, found.end())
    end = following.start() if following else len(html)
    return NoticeParts(
        before=html[: found.start()],
        contacts_heading=unescape(found.group(2)).strip(),
        after=html[end:],
        contacts_level=level,
    )
