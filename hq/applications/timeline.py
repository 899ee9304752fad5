"""The applicant's timeline (issue 21 point 6): every state change of an application — submitted, verified (or the
verification undone), rejected, a correction requested / answered by the office / answered by the applicant /
resolved, put on (or taken off) the school's list, the list's way to the Kasi and the Kabid, the SPT that schedules
the recording, the record received from the station — is one ApplicationEvent with its time, the role that acted
(never the person: the applicant reads it) and a note the applicant may read.

`record` is called inside the transaction that makes the change (decisions.py, submit.py; the lists app's
ListEvents and list membership through hq/lists/timeline_hooks.py; the record index for "recorded"), so an
event exists exactly when its change does. The kinds that concern the applicant also notify them (notify.py):
an e-mail after the transaction commits, and the WhatsApp text the office can send from the application's page.
"""

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from hq.applications.models import Application, ApplicationEvent
from hq.applications.site_address import site_base
from hq.office.roles import ROLES, roles_of


@dataclass(frozen=True)
class Kind:
    """What an event says: its title (the applicant's words) and whether the applicant is told of it."""

    title: Promise
    notify: bool


KINDS: dict[str, Kind] = {
    "submitted": Kind(_lazy("Application received"), True),
    "verified": Kind(_lazy("Verified by the office"), True),
    "verification_undone": Kind(_lazy("Verification undone: the office checks the data again"), True),
    "rejected": Kind(_lazy("Rejected"), True),
    "correction_requested": Kind(_lazy("Correction requested"), True),
    "correction_answered": Kind(_lazy("The office answered the correction"), True),
    "correction_replied": Kind(_lazy("The applicant answered the correction"), False),
    "correction_resolved": Kind(_lazy("Correction resolved"), True),
    "listed": Kind(_lazy("Put on the school's application list"), False),
    "unlisted": Kind(_lazy("Taken off the school's application list"), False),
    "list_submitted": Kind(_lazy("The school's list went to the Kasi Pendataan"), False),
    "list_verified": Kind(_lazy("The school's list was checked by the Kasi Pendataan"), False),
    "list_returned": Kind(_lazy("The school's list went back to the office's admin"), False),
    "list_approved": Kind(_lazy("Approved by the Kabid Dafduk"), True),
    "spt_issued": Kind(_lazy("Recording at school scheduled (SPT issued)"), True),
    "recorded": Kind(_lazy("Recorded at school; the record reached the office"), True),
}

ROLE_LABELS: dict[str, Promise] = {
    "student": _lazy("Applicant"), "school": _lazy("School"), "admin": _lazy("Office admin"),
    "kasi_pendataan": _lazy("Kasi Pendataan"), "kabid_dafduk": _lazy("Kabid Dafduk"),
    "kasubbag_umum": _lazy("Kasubbag Umum"), "kabid_piak": _lazy("Kabid PIAK"), "team": _lazy("Recording team"),
    "station": _lazy("Recording station"), "system": _lazy("System"),
}


def role_of(user: Any, prefer: str = "") -> str:
    """The role an event is shown under: `prefer` when the user holds it (or there is no user: the system's own
    roles), else the user's first role in office.roles order; 'system' without a user."""
    if user is None:
        return prefer or "system"
    held = roles_of(user)
    if prefer in held:
        return prefer
    return next((r for r in ROLES if r in held), "system")


def record(application: Application | int, kind: str, by: Any = None, note: str = "", role: str = "",
           at: Any = None) -> ApplicationEvent:
    """Write one timeline event (call it inside the change's transaction; for a kind that concerns the applicant,
    notify.py queues their e-mail for after the commit). `role`: the role the change needs, when the user may
    hold several (e.g. 'kasi_pendataan')."""
    if kind not in KINDS:
        raise ValueError(f"unknown timeline event {kind!r} (known: {', '.join(KINDS)})")
    application_id = application if isinstance(application, int) else application.pk
    return ApplicationEvent.objects.create(application_id=application_id, kind=kind, by=by,
                                           role=role_of(by, role), note=note.strip(), at=at or timezone.now())


def recording_note(day: Any) -> str:
    """The SPT's recording date as the applicant reads it (Bahasa Indonesia)."""
    with translation.override("id"):
        return _("Recording at your school on %(date)s; bring your QR code or application number.") % {
            "date": date_format(day, "l, j F Y")}


@dataclass(frozen=True)
class Entry:
    """An event as a page shows it."""

    at: Any
    kind: str
    title: str
    role: str
    note: str


def entries(application: Application) -> list[Entry]:
    """The application's timeline, oldest first, in the active language."""
    return [Entry(e.at, e.kind, str(KINDS[e.kind].title) if e.kind in KINDS else e.kind,
                  str(ROLE_LABELS.get(e.role, e.role)), e.note) for e in application.events.all()]


def public_url(application: Application) -> str:
    """The application's page as the applicant reaches it (site_address: SINOPSIS_HQ_PUBLIC_URL, else the
    request's address, else HQ's first host)."""
    return site_base() + reverse("applications:detail", kwargs={"number": application.number})


def message(event: ApplicationEvent) -> tuple[str, str]:
    """(subject, text) of the event's notification, in Bahasa Indonesia whatever the page's language: the same
    words for the e-mail and the WhatsApp text."""
    application = event.application
    with translation.override("id"):
        title = str(KINDS[event.kind].title)
        when = date_format(timezone.localtime(event.at), "j F Y H:i")
        subject = _("SINOPSIS: %(title)s — application %(number)s") % {"title": title, "number": application.number}
        lines = [_("Hello %(name)s,") % {"name": application.name}, "",
                 _("Your e-KTP recording application %(number)s: %(title)s (%(when)s).") % {
                     "number": application.number, "title": title, "when": when}]
        if event.note:
            lines.append(event.note)
        lines += ["", _("See your application and its timeline: %(url)s") % {"url": public_url(application)},
                  "", "SINOPSIS · Disdukcapil Kota Pekanbaru"]
    return subject, "\n".join(lines)


def whatsapp_link(application: Application) -> str:
    """A wa.me link to the applicant's phone with the latest notifying event's text, ready to send by the office
    (empty when there is no such event or no phone)."""
    latest = (application.events.filter(kind__in=[k for k, v in KINDS.items() if v.notify])
              .order_by("-at", "-id").first())
    digits = "".join(c for c in application.phone if c.isdigit())
    if latest is None or not digits:
        return ""
    _subject, text = message(latest)
    return f"https://wa.me/{digits}?text={quote(text, safe='')}"
