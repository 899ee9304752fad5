"""The dashboard's words: hq/fleet/dashboard.py's numbers, times and codes as short translated texts, each with a
level ("ok", "warn", "bad", "muted" or "") that the page colours. The page renders these cells once and the live
JSON sends the very same cells, so a number looks the same before and after an update.
"""

import datetime as dt
import re

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pydantic import ValidationError

from contract.wire import Health
from hq.fleet.dashboard import CERTIFICATE_WARN_DAYS, History, Progress, StationView
from hq.fleet.models import Job

Cell = dict[str, str]

STATE_LABELS = {
    "online": gettext_lazy("Online"),
    "offline": gettext_lazy("Offline"),
    "lost": gettext_lazy("Lost"),
    "unknown": gettext_lazy("Not yet connected"),
    "revoked": gettext_lazy("Revoked"),
}
STATE_LEVELS = {"online": "ok", "offline": "muted", "lost": "bad", "unknown": "muted", "revoked": "bad"}
DEVICE_LABELS = {
    "camera": gettext_lazy("camera"),
    "fingerprint": gettext_lazy("fingerprint scanner"),
    "iris": gettext_lazy("iris camera"),
    "signature_pad": gettext_lazy("signature pad"),
    "qr_scanner": gettext_lazy("QR scanner"),
    "printer": gettext_lazy("printer"),
}
SOURCE_LABELS = {"mqtt": gettext_lazy("network"), "import": gettext_lazy("removable media")}
JOB_LABELS = {
    "sent": gettext_lazy("sent"), "queued": gettext_lazy("queued"), "in_progress": gettext_lazy("in progress"),
    "succeeded": gettext_lazy("succeeded"), "failed": gettext_lazy("failed"), "rejected": gettext_lazy("refused"),
    "expired": gettext_lazy("expired without an answer"),
}
JOB_LEVELS = {"succeeded": "ok", "failed": "bad", "rejected": "bad", "expired": "bad"}
JOB_FINAL = ("succeeded", "failed", "rejected")
# What is wrong with a dead letter (hq/ingest/dead_letters.py codes); its detail stays as ingest logged it.
DEAD_LETTER_LABELS = {
    "contract.json": gettext_lazy("not JSON or not UTF-8"),
    "contract.schema": gettext_lazy("a field missing, unknown, of the wrong type or out of bounds"),
    "contract.too_large": gettext_lazy("too large"),
    "contract.version": gettext_lazy("another schema version"),
    "contract.batch": gettext_lazy("a damaged batch"),
    "station.mismatch": gettext_lazy("names another station"),
    "station.unknown": gettext_lazy("station not enrolled"),
    "assignment.unknown": gettext_lazy("a record naming an assignment HQ never issued"),
    "assignment.other_station": gettext_lazy("a record naming another station's assignment"),
    "ingest.integrity": gettext_lazy("refused by HQ's database"),
    "ingest.data": gettext_lazy("refused by HQ's database"),
    "ingest.database": gettext_lazy("refused by HQ's database"),
    "ingest.error": gettext_lazy("HQ could not process it"),
}
NONE = "—"

# The English reasons station/offline_limits.py puts in Health.capture_blocked, read back to translate them.
BLOCKED_DAYS = re.compile(r"no contact with HQ for (?P<days>[\d.]+) days \(limit (?P<limit>[\d.]+)\)")
BLOCKED_UNSENT = re.compile(r"(?P<unsent>\d+) records are waiting for HQ \(limit (?P<limit>\d+)\)")


def cell(text: object, level: str = "") -> Cell:
    return {"text": str(text), "level": level}


def size(n: int) -> str:
    """Bytes as decimal GB or MB (as disks are sold), with the page's decimal mark: 12,5 GB."""
    if n >= 10**9:
        return f"{formats.number_format(n / 10**9, 1)} GB"
    return f"{formats.number_format(n / 10**6, 0 if n >= 10**7 else 1)} MB"


def duration(seconds: float) -> str:
    """A short duration: 45 s, 12 min, 3 h 5 min, 2 d 4 h."""
    s = int(max(0, seconds))
    if s < 60:
        return _("%(n)d s") % {"n": s}
    if s < 3600:
        return _("%(n)d min") % {"n": s // 60}
    if s < 86400:
        return _("%(h)d h %(m)d min") % {"h": s // 3600, "m": s % 3600 // 60}
    return _("%(d)d d %(h)d h") % {"d": s // 86400, "h": s % 86400 // 3600}


def ago(seconds: float | None) -> str:
    return NONE if seconds is None else _("%(duration)s ago") % {"duration": duration(seconds)}


def when(moment: dt.datetime | None, with_year: bool = False) -> str:
    """A time in HQ's time zone, with the month's name in the page's language."""
    if moment is None:
        return NONE
    return formats.date_format(timezone.localtime(moment), "j M Y H:i" if with_year else "j M H:i")


def state_cell(view: StationView) -> Cell:
    return state_text(view.state)


def state_text(state: str) -> Cell:
    """An effective state (dashboard.effective_state) as a cell."""
    return cell(STATE_LABELS[state], STATE_LEVELS[state])


def seen_cell(view: StationView) -> Cell:
    if view.seen_s is None:
        return cell(_("never heard from"), "bad" if view.silent else "muted")
    return cell(_("heard %(ago)s") % {"ago": ago(view.seen_s)}, "bad" if view.silent else "")


def blocked_text(reason: str) -> str:
    """The station's offline-limit reason in the page's language (as sent when it is not a known form)."""
    if match := BLOCKED_DAYS.search(reason):
        return _("No contact with HQ for %(days)s days (limit %(limit)s): new captures are stopped until the "
                 "station syncs.") % match.groupdict()
    if match := BLOCKED_UNSENT.search(reason):
        return _("%(unsent)s records are waiting for HQ (limit %(limit)s): new captures are stopped until they "
                 "are sent.") % match.groupdict()
    return reason


def devices_cell(view: StationView) -> Cell:
    if view.health is None or not view.health.devices:
        return cell(_("not reported"), "muted")
    absent = view.absent
    if not absent:
        return cell(_("all %(n)d present") % {"n": len(view.health.devices)}, "ok")
    names = ", ".join(str(DEVICE_LABELS.get(k, k)) for k in absent)
    return cell(_("missing: %(devices)s") % {"devices": names}, "bad" if view.state == "online" else "warn")


def disk_cell(view: StationView) -> Cell:
    h, fraction = view.health, view.disk_free_fraction
    if h is None or h.disk_free_bytes is None or fraction is None:
        return cell(NONE, "muted")
    return cell(_("%(free)s free (%(percent)d%%)") % {"free": size(h.disk_free_bytes),
                                                       "percent": round(fraction * 100)},
                "bad" if view.disk_low else "")


def battery_cell(view: StationView) -> Cell:
    h = view.health
    if h is None or h.battery_percent is None:
        return cell(_("mains power") if h is not None else NONE, "muted")
    text = (_("%(percent)d%%, charging") if h.charging else _("%(percent)d%%")) % {"percent": h.battery_percent}
    return cell(text, "warn" if view.battery_low else "")


def certificate_cell(view: StationView) -> Cell:
    expires, days = view.certificate_expires, view.certificate_days_left
    if expires is None or days is None:
        return cell(NONE, "muted")
    if days <= 0:
        return cell(_("expired %(date)s") % {"date": when(expires, True)}, "bad")
    date = formats.date_format(timezone.localtime(expires), "j M Y")
    if days < CERTIFICATE_WARN_DAYS:
        return cell(_("%(date)s (%(days)d days)") % {"date": date, "days": days}, "warn")
    return cell(date)


def stale(found: Cell, view: StationView) -> Cell:
    """A live condition (devices, battery) of a kit that is not online: its last value, greyed."""
    return found if view.state == "online" or found["level"] == "bad" else {**found, "level": "muted"}


def station_cells(view: StationView) -> dict[str, Cell]:
    """Every live value of one station, by the key the page's `data-cell` names."""
    h, p = view.health, view.progress
    number = lambda n: cell(NONE if n is None else n, "muted" if n is None else "")  # noqa: E731
    return {
        "state": state_cell(view),
        "seen": seen_cell(view),
        "health_at": cell(_("report %(ago)s") % {"ago": ago(view.health_age_s)} if h else _("no report yet"),
                          "" if h else "muted"),
        "listed": number(p.listed), "checked_in": number(p.checked_in), "recorded": number(p.recorded),
        "sent": number(p.sent),
        "accepted": number(p.accepted), "at_hq": number(p.at_hq),
        "withdrawn": number(p.withdrawn), "corrections": number(p.corrections), "rejected": number(p.rejected),
        "queue": cell(NONE, "muted") if h is None else cell(h.queue_depth, "warn" if view.backlog_growing else ""),
        "oldest": cell(NONE if h is None or not h.queue_depth or h.oldest_pending_s is None
                       else duration(h.oldest_pending_s), "warn" if view.oldest_pending_late else ""),
        "last_ack": cell(_("none yet"), "muted") if view.last_record_at is None else cell(
            _("#%(seq)d, %(ago)s") % {"seq": view.last_record_seq,
                                      "ago": ago((view.now - view.last_record_at).total_seconds())}),
        "devices": stale(devices_cell(view), view),
        "disk": disk_cell(view),
        "battery": stale(battery_cell(view), view),
        "certificate": certificate_cell(view),
        "software": cell(h.software_version if h else NONE, "" if h else "muted"),
        "assignment": cell(NONE, "muted") if view.assignment_version is None else cell(
            _("version %(v)d") % {"v": view.assignment_version}),
        "blocked": cell(blocked_text(h.capture_blocked), "bad") if h and h.capture_blocked
        else cell(_("not reached") if h else NONE, "muted"),
        "dead_letters": cell(view.dead_letters, "warn" if view.dead_letters else "muted"),
    }


def job_state(job: Job) -> str:
    """A job's state as shown: `expired` once its expiry passed with no final answer from the station (a
    station that comes back later never runs it: the broker drops the message and the agent refuses it)."""
    if job.state not in JOB_FINAL and job.expires_at <= timezone.now():
        return "expired"
    return job.state


def history_tables(found: History) -> dict[str, list[list[Cell]]]:
    """The detail page's history tables as rows of cells, newest first."""
    health_rows = []
    for sample in found.health_samples:
        try:
            h = Health.model_validate(sample.data)
        except ValidationError:
            health_rows.append([cell(when(sample.received_at)), cell(_("unreadable report"), "bad")])
            continue
        p = Progress.of(h.counts, 0)
        missing = [str(DEVICE_LABELS.get(k, k)) for k, ok in h.devices.items() if not ok]
        health_rows.append([
            cell(when(sample.received_at)), cell(h.queue_depth),
            cell(NONE if not h.queue_depth or h.oldest_pending_s is None else duration(h.oldest_pending_s)),
            cell(_("%(checked_in)s / %(recorded)s / %(sent)s / %(accepted)s") % p.__dict__),
            cell(NONE if h.disk_free_bytes is None else size(h.disk_free_bytes)),
            cell(NONE if h.battery_percent is None else f"{h.battery_percent:.0f}%"),
            cell(", ".join(missing) or NONE, "bad" if missing else ""),
        ])
    return {
        "status": [[cell(when(c.received_at)), cell(STATE_LABELS.get(c.state, c.state), STATE_LEVELS.get(c.state, "")),
                    cell(c.epoch), cell(_("replayed by the broker") if c.retained else _("live"))]
                   for c in found.status_changes],
        "health": health_rows,
        "records": [[cell(when(r.received_at)), cell(f"#{r.seq}"), cell(r.record_id),
                     cell(SOURCE_LABELS.get(r.source, r.source)), cell(r.duplicates or NONE)]
                    for r in found.records],
        "jobs": [[cell(when(j.created_at)), cell(j.name), cell(JOB_LABELS.get(job_state(j), j.state),
                                                               JOB_LEVELS.get(job_state(j), "")),
                  cell(j.detail or NONE), cell(when(j.updated_at)), cell(when(j.expires_at))] for j in found.jobs],
        "dead_letters": [[cell(when(d.last_at)), cell(d.topic.split("/", 4)[-1]),
                          cell(DEAD_LETTER_LABELS.get(d.code, d.code), "bad"), cell(d.reason), cell(d.times)]
                         for d in found.dead_letters],
    }


def history_heads() -> dict[str, list[str]]:
    """The column names of the history tables (in the order of history_tables' cells)."""
    return {
        "status": [_("When"), _("Status"), _("Connection"), _("How HQ learnt it")],
        "health": [_("When"), _("Waiting"), _("Oldest"), _("Checked in / recorded / sent / accepted"), _("Disk"),
                   _("Battery"), _("Missing devices")],
        "records": [_("Received at"), _("Number"), _("Record"), _("Way"), _("Sent again")],
        "jobs": [_("Sent at"), _("Command"), _("State"), _("Detail"), _("Last answer"), _("Valid until")],
        "dead_letters": [_("Last received"), _("Message"), _("Problem"), _("Detail"), _("Times")],
    }
