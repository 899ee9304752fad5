"""The dashboard's alerts in words: each alert (hq/fleet/dashboard.py `Alert`) as a translated sentence and the
item the page and its JSON list, and the line that counts the stations with alerts the page does not list.
"""

from django.urls import reverse
from django.utils.translation import gettext as _

from hq.fleet.dashboard import Alert, StationView
from hq.fleet.display import DEVICE_LABELS, blocked_text, duration, size


def alert_text(alert: Alert) -> str:
    """One alert as a sentence (without the station's name, which the page shows beside it)."""
    v = alert.values
    match alert.kind:
        case "lost" if v.get("silent"):
            return (_("Lost: not heard from for %(duration)s") % {"duration": duration(v["seen_s"])}
                    if v.get("seen_s") is not None else _("Lost: never heard from since it went online"))
        case "lost":
            return _("Lost: the connection dropped without a goodbye")
        case "revoked":
            return _("Revoked: HQ refuses its records and the broker its connection (%(reason)s)") % {
                "reason": v["reason"] or _("no reason given")}
        case "capture_blocked":
            return _("Captures stopped: %(reason)s") % {"reason": blocked_text(str(v["reason"]))}
        case "oldest_pending":
            return _("%(count)d records waiting for HQ, the oldest for %(duration)s") % {
                "count": v["count"], "duration": duration(float(v["seconds"]))}
        case "backlog_growing":
            return _("Backlog growing: %(first)d → %(last)d waiting") % v
        case "disk_low":
            return _("Disk almost full: %(free)s free") % {"free": size(v["free"])}
        case "device_missing":
            return _("Device missing: %(devices)s") % {
                "devices": ", ".join(str(DEVICE_LABELS.get(k, k)) for k in v["devices"])}
        case "battery_low":
            return _("Battery low (%(percent)d%%) and not charging") % v
        case "certificate" if float(v["days"]) <= 0:
            return _("Certificate expired: the station can no longer connect")
        case "certificate":
            return _("Certificate expires in %(days)d days") % {"days": v["days"]}
        case "quarantine":
            return _("%(count)d conflicting records wait for a person (quarantine)") % v
        case "reassigned":
            return reassigned_text(v)
    return alert.kind


def reassigned_text(v: dict[str, object]) -> str:
    """A forced reassignment not yet confirmed by the station: where to, what it still held, what is awaited."""
    held = [str(t) for t in (
        _("%(n)d records not yet at HQ") % {"n": v["pending"]} if v["pending"] else "",
        _("%(n)d being recorded") % {"n": v["capturing"]} if v["capturing"] else "",
        _("%(n)d checked in and waiting") % {"n": v["checked_in"]} if v["checked_in"] else "") if t]
    text = _("Reassigned to %(school)s (version %(version)d) while busy: %(held)s") % {
        "school": v["school"], "version": v["version"], "held": ", ".join(held)}
    if v.get("refused"):
        return text + " — " + _("the station refused it: %(reason)s") % {"reason": v["refused"]}
    return text + " — " + _("waiting for the station to confirm the new assignment")


def alert_item(alert: Alert, views: dict[str, StationView]) -> dict[str, str]:
    """An alert for the page: its level, the station it is about, the sentence, and the station's page."""
    station = views[alert.station_id].station if alert.station_id in views else None
    place = station.school if station and station.school else ""
    return {"level": alert.level, "kind": alert.kind, "station": alert.station_id, "place": place,
            "text": alert_text(alert), "href": reverse("fleet:station", args=[alert.station_id])}


def more_alerts(count: int) -> dict[str, str]:
    """The line after the alerts listed: how many other stations have alerts, linking to the list of them all."""
    return {"level": "muted", "kind": "more", "station": "", "place": "",
            "text": _("Other stations with alerts: %(count)s (list them all)") % {"count": count},
            "href": "?show=alerts"}
