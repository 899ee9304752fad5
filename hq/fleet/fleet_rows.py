"""The fleet dashboard's table body, one <tr> per station, built in Python: the template language spends about
40 nodes (labels, cells) on each row, which at a city's fleet was most of the page's time. The labels are
translated once per page; every value is escaped; each live value is a cell the page's script updates in place
(data-cell="<station>|<key>", coloured by data-level), exactly as the `{% cell %}` tag writes it.
"""

from html import escape  # the standard library's (Django's lazy-aware one costs 4x a call; the same 5 characters)

from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from hq.fleet.dashboard import StationView

PROGRESS = ("listed", "checked_in", "recorded", "sent", "accepted", "at_hq")
SENDING = ("queue", "oldest", "last_ack")
KIT = ("devices", "disk", "battery", "software", "assignment", "certificate")


def _labels() -> dict[str, str]:
    return {
        "station": _("Station"), "status": _("Status"), "progress": _("Progress"), "sending": _("Sending"),
        "kit": _("Kit"), "limit": _("Offline limit"), "spt": _("SPT"),
        "listed": _("On the list"), "checked_in": _("Checked in"), "recorded": _("Recorded"), "sent": _("Sent"),
        "accepted": _("Accepted"), "at_hq": _("Stored at HQ"), "queue": _("Waiting"), "oldest": _("Oldest"),
        "last_ack": _("Last received"), "devices": _("Devices"), "disk": _("Disk"), "battery": _("Battery"),
        "software": _("App"), "assignment": _("Assignment"), "certificate": _("Certificate"),
    }


def cell(cells: dict[str, dict[str, str]], sid: str, key: str, element: str = "span", css: str = "") -> str:
    """One live value as <element class data-cell data-level>text</element> (escaped)."""
    value = cells[key]
    return (f'<{element} class="{escape(css)}" data-cell="{escape(sid)}|{escape(key)}" '
            f'data-level="{escape(value["level"])}">{escape(value["text"])}</{element}>')


def _numbers(cells: dict[str, dict[str, str]], sid: str, keys: tuple[str, ...], labels: dict[str, str]) -> str:
    return '<dl class="nums">' + "".join(f"<dt>{escape(labels[k])}</dt><dd>{cell(cells, sid, k)}</dd>"
                                          for k in keys) + "</dl>"


def rows_html(views: list[StationView], cells: dict[str, dict[str, dict[str, str]]]) -> SafeString:
    """Every station's row of the fleet table."""
    labels = _labels()
    out = []
    for view in views:
        sid, station, own = view.id, view.station, cells[view.id]
        name = f" <span>{escape(station.name)}</span>" if station.name else ""
        out.append(
            f'<tr data-station="{escape(sid)}">'
            f'<td data-label="{escape(labels["station"])}" class="who"><div>'
            f'<a href="{escape(reverse("fleet:station", args=[sid]))}"><b>{escape(sid)}</b></a>{name}'
            f'<div class="sub">{escape(station.school or "—")}</div>'
            f'<div class="sub">{escape(labels["spt"])} {escape(station.spt_number or "—")}</div></div></td>'
            f'<td data-label="{escape(labels["status"])}"><div>{cell(own, sid, "state", "span", "badge")}'
            f'<div class="sub">{cell(own, sid, "seen")}</div></div></td>'
            f'<td data-label="{escape(labels["progress"])}">{_numbers(own, sid, PROGRESS, labels)}</td>'
            f'<td data-label="{escape(labels["sending"])}">{_numbers(own, sid, SENDING, labels)}</td>'
            f'<td data-label="{escape(labels["kit"])}">{_numbers(own, sid, KIT, labels)}</td>'
            f'<td data-label="{escape(labels["limit"])}" class="limit">{cell(own, sid, "blocked")}</td></tr>\n')
    return mark_safe("".join(out))  # noqa: S308 - every value above is escaped
