"""The report's charts as inline SVG drawn on the server (no script library): applications per day, and each SOP
step's share of cases within its time standard as horizontal bars. Each has a <title> and a <desc> saying in
words what it shows, for screen readers (role="img", aria-labelledby)."""

import datetime as dt

from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from hq.reports.formatting import format_share
from hq.reports.steps import StepResult

BRAND, TRACK, INK, SOFT, LINE = "#0b5cad", "#dde2ea", "#1d2430", "#5b6677", "#c9d0da"
WIDTH = 340  # a phone shows it about at this size; wider screens scale it up
DESC_DAYS = 62  # days named one by one in the description, at most


def _svg(ident: str, height: int, title: str, desc: str, body: list[str]) -> SafeString:
    return mark_safe(  # noqa: S308 — every text inside went through escape(), the rest are numbers
        f'<svg class="chart" id="{ident}" role="img" aria-labelledby="{ident}-title {ident}-desc" '
        f'viewBox="0 0 {WIDTH} {height}" width="100%" preserveAspectRatio="xMinYMin meet" '
        f'xmlns="http://www.w3.org/2000/svg" font-family="Noto Sans, DejaVu Sans, sans-serif" font-size="13">'
        f'<title id="{ident}-title">{escape(title)}</title><desc id="{ident}-desc">{escape(desc)}</desc>'
        + "".join(body) + "</svg>")


def _nice_top(value: int) -> int:
    """The y axis' top: the smallest of 1, 2, 5 × 10^n at or above `value` (at least 1)."""
    top = 1
    while top < value:
        for factor in (2, 5 / 2, 2):
            top = round(top * factor)
            if top >= value:
                break
    return top


def per_day_chart(per_day: list[tuple[dt.date, int]]) -> SafeString:
    """Applications per day as vertical bars, the axis with 0 and its top, a date every few days below."""
    total = sum(n for _day, n in per_day)
    title = _("Applications per day")
    busiest = max(per_day, key=lambda item: item[1]) if per_day else None
    if total and busiest:
        desc = _("%(total)d applications in the period; the most on %(day)s (%(n)d).") % {
            "total": total, "day": date_format(busiest[0], "j F Y"), "n": busiest[1]}
        named = [f"{date_format(day, 'j M')}: {n}" for day, n in per_day if n][:DESC_DAYS]
        desc += " " + "; ".join(named) + "."
    else:
        desc = _("No applications in the period.")
    left, top, bottom, height = 34, 10, 26, 190
    plot_w, plot_h = WIDTH - left - 6, height - top - bottom
    peak = _nice_top(max((n for _d, n in per_day), default=0))
    body = [f'<line x1="{left}" y1="{top + plot_h}" x2="{WIDTH - 4}" y2="{top + plot_h}" stroke="{LINE}"/>',
            f'<line x1="{left}" y1="{top}" x2="{WIDTH - 4}" y2="{top}" stroke="{TRACK}" stroke-dasharray="3 3"/>',
            f'<text x="{left - 6}" y="{top + 4}" text-anchor="end" fill="{SOFT}">{peak}</text>',
            f'<text x="{left - 6}" y="{top + plot_h + 4}" text-anchor="end" fill="{SOFT}">0</text>']
    step = plot_w / max(1, len(per_day))
    every = max(1, round(len(per_day) / 6))
    for i, (day, n) in enumerate(per_day):
        x = left + i * step
        if n:
            h = plot_h * n / peak
            body.append(f'<rect x="{x + step * 0.15:.1f}" y="{top + plot_h - h:.1f}" width="{max(step * 0.7, 1):.1f}" '
                        f'height="{h:.1f}" fill="{BRAND}"><title>{escape(date_format(day, "j F Y"))}: {n}</title>'
                        "</rect>")
        if i % every == 0:
            body.append(f'<text x="{x + step / 2:.1f}" y="{height - 8}" text-anchor="middle" fill="{SOFT}">'
                        f"{escape(date_format(day, 'j M'))}</text>")
    return _svg("chart-days", height, title, desc, body)


def steps_chart(results: list[StepResult]) -> SafeString:
    """Each step's share within its standard: the step's name above a track, the bar, the percent at its end."""
    title = _("Share of cases within the time standard, per SOP step")
    parts = []
    for r in results:
        if r.done:
            parts.append(_("step %(n)d %(name)s: %(share)s of %(done)d done cases") % {
                "n": r.step.number, "name": r.step.title, "share": format_share(r.share), "done": r.done})
        else:
            parts.append(_("step %(n)d %(name)s: no case done") % {"n": r.step.number, "name": r.step.title})
    desc = "; ".join(parts) + "."
    row, bar_w = 36, WIDTH - 60
    body = []
    for i, r in enumerate(results):
        y = 4 + i * row
        body.append(f'<text x="0" y="{y + 12}" fill="{INK}">{r.step.number}. {escape(str(r.step.title))}</text>')
        body.append(f'<rect x="0" y="{y + 17}" width="{bar_w}" height="12" rx="2" fill="{TRACK}"/>')
        if r.share:
            body.append(f'<rect x="0" y="{y + 17}" width="{bar_w * r.share:.1f}" height="12" rx="2" fill="{BRAND}"/>')
        body.append(f'<text x="{bar_w + 6}" y="{y + 27}" fill="{INK}" font-weight="600">'
                    f"{escape(format_share(r.share))}</text>")
    return _svg("chart-steps", 8 + len(results) * row, title, desc, body)
