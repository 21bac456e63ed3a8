"""Bar charts as server-rendered SVG: no script, no CDN, nothing the CSP would block (only
presentation attributes, no style attributes). Each chart is an image with a text
alternative; the page shows its numbers in a table under it, for screen readers and export.
"""

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

BAR = "#2f6fb0"
MUTED = "#6b7280"
ROW = 26  # height of one bar's row, px in the viewBox
LABEL_WIDTH = 165
WIDTH = 480  # bars: narrow, so that a phone shows their text at a readable size
WIDE = 640  # a time series: scrolls sideways inside its box on a phone


def _short(label: str, limit: int = 11) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def hbar(rows: list[tuple[str, int]], *, title: str) -> SafeString:
    """One horizontal bar per row (label, value), longest bar the largest value."""
    top = max((value for _label, value in rows), default=0) or 1
    span = WIDTH - LABEL_WIDTH - 50
    height = ROW * max(len(rows), 1) + 8
    bars = format_html_join(
        "",
        "<g><title>{0}：{1}</title>"
        '<text x="{2}" y="{3}" text-anchor="end" font-size="14" fill="#1f2937">{4}</text>'
        '<rect x="{5}" y="{6}" width="{7}" height="16" rx="2" fill="{8}"></rect>'
        '<text x="{9}" y="{3}" font-size="14" fill="#1f2937">{1}</text></g>',
        (
            (
                label,
                value,
                LABEL_WIDTH - 8,
                i * ROW + 20,
                _short(label),
                LABEL_WIDTH,
                i * ROW + 7,
                round(span * value / top) if value else 0,
                BAR if value else MUTED,
                LABEL_WIDTH + (round(span * value / top) if value else 0) + 6,
            )
            for i, (label, value) in enumerate(rows)
        ),
    )
    return format_html(
        '<svg class="chart" role="img" aria-label="{}" viewBox="0 0 {} {}" '
        'xmlns="http://www.w3.org/2000/svg" preserveAspectRatio="xMinYMin meet">{}</svg>',
        title,
        WIDTH,
        height,
        bars,
    )


def columns(rows: list[tuple[str, int]], *, title: str) -> SafeString:
    """One vertical column per row (a day), for a time series; every seventh label shown."""
    top = max((value for _label, value in rows), default=0) or 1
    count = max(len(rows), 1)
    plot_h = 160
    step = (WIDE - 40) / count
    width = max(step - 2, 1)
    bars = format_html_join(
        "",
        '<g><title>{0}：{1}</title><rect x="{2}" y="{3}" width="{4}" height="{5}" '
        'fill="{6}"></rect>{7}</g>',
        (
            (
                label,
                value,
                f"{30 + i * step:.1f}",
                f"{10 + plot_h - plot_h * value / top:.1f}",
                f"{width:.1f}",
                f"{plot_h * value / top:.1f}",
                BAR,
                format_html(
                    '<text x="{}" y="{}" font-size="11" fill="#1f2937" text-anchor="{}">{}</text>',
                    f"{30 + i * step:.1f}",
                    plot_h + 26,
                    "end" if i == count - 1 and i else "start",
                    label[5:],
                )
                if i % 7 == 0 or i == count - 1
                else "",
            )
            for i, (label, value) in enumerate(rows)
        ),
    )
    return format_html(
        '<svg class="chart chart-wide" role="img" aria-label="{}" viewBox="0 0 {} {}" '
        'xmlns="http://www.w3.org/2000/svg" preserveAspectRatio="xMinYMin meet">'
        '<text x="0" y="16" font-size="11" fill="{}">{}</text>'
        '<line x1="30" y1="{}" x2="{}" y2="{}" stroke="{}"></line>{}</svg>',
        title,
        WIDE,
        plot_h + 36,
        MUTED,
        top,
        plot_h + 10,
        WIDE - 10,
        plot_h + 10,
        MUTED,
        bars,
    )
