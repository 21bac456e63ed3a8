"""A call's notice: Markdown written by its managers, shown as sanitised HTML."""

import functools

import markdown
import nh3


@functools.lru_cache(maxsize=32)
def render_notice(text: str) -> str:
    """The notice's Markdown as HTML that nh3 has cleaned (no script, no event handler, no
    foreign frame); cached by its text, so an edit shows at once."""
    return nh3.clean(markdown.markdown(text, extensions=["tables", "sane_lists"]))
