"""Help-desk tickets without the web around them (SOP step 10): numbering, opening, answering, closing, and the
response time the standard is measured by — opened → first answer, 10 minutes (hq/office/sop.py).

The views call these; the service report may call `response_time` and `within_standard` too, so the rule for
"answered in time" lives in one place.
"""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hq.helpdesk.models import Ticket
from hq.office.sop import STEPS

STANDARD: dt.timedelta = next(s.standard for s in STEPS if s.number == 10)
NUMBER_DIGITS = 5


class TicketClosedError(Exception):
    """The ticket is closed: it takes no more answers."""


def next_number(year: int) -> str:
    """The next free ticket number of `year`: TKT-<YYYY>-<5 digits>, counting on from the highest one."""
    prefix = f"TKT-{year}-"
    last = (Ticket.objects.filter(number__startswith=prefix).order_by("-number").values_list("number", flat=True)
            .first())
    serial = int(last.removeprefix(prefix)) + 1 if last else 1
    return f"{prefix}{serial:0{NUMBER_DIGITS}d}"


def open_ticket(*, subject: str, question: str, asked_by: Any = None, channel: str = Ticket.Channel.WEB,
                contact: str = "", application: Any = None, now: dt.datetime | None = None) -> Ticket:
    """Save a new open ticket with the next number (two askers at the same moment: the later one takes the next
    number; the unique number makes the database decide)."""
    opened = now or timezone.now()
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return Ticket.objects.create(number=next_number(timezone.localtime(opened).year), subject=subject,
                                             question=question, asked_by=asked_by, channel=channel,
                                             contact=contact, application=application, opened_at=opened)
        except IntegrityError:
            continue
    raise RuntimeError("no free ticket number after 5 tries")


def answer_ticket(ticket: Ticket, answer: str, by: Any, now: dt.datetime | None = None) -> Ticket:
    """Write (or rewrite) the answer; the first answer's time and author stay: they are the response time."""
    if ticket.state == Ticket.State.CLOSED:
        raise TicketClosedError(ticket.number)
    ticket.answer = answer
    if ticket.answered_at is None:
        ticket.answered_at, ticket.answered_by = now or timezone.now(), by
    ticket.state = Ticket.State.ANSWERED
    ticket.save(update_fields=["answer", "answered_at", "answered_by", "state"])
    return ticket


def close_ticket(ticket: Ticket, now: dt.datetime | None = None) -> Ticket:
    """Close the ticket (done: no more answers). Closing twice keeps the first time."""
    if ticket.state != Ticket.State.CLOSED:
        ticket.state, ticket.closed_at = Ticket.State.CLOSED, now or timezone.now()
        ticket.save(update_fields=["state", "closed_at"])
    return ticket


def response_time(ticket: Ticket) -> dt.timedelta | None:
    """Opened → first answer, or None while nobody has answered."""
    return ticket.answered_at - ticket.opened_at if ticket.answered_at else None


def within_standard(ticket: Ticket) -> bool | None:
    """True/False: answered within / after the 10-minute standard; None while unanswered."""
    taken = response_time(ticket)
    return None if taken is None else taken <= STANDARD


def duration_text(span: dt.timedelta) -> str:
    """A span as people say it, in the page's language: "45 s", "7 min", "2 h 5 min", "3 days 4 h" (in words in
    Indonesian: "2 jam 5 menit"). Placeholder names of its own: HQ's catalogues are merged, and the fleet's
    "%(h)d h %(m)d min" is abbreviated ("mnt")."""
    seconds = max(0, int(span.total_seconds()))
    if seconds < 60:
        return _("%(seconds)d s") % {"seconds": seconds}
    minutes = seconds // 60
    if minutes < 60:
        return _("%(minutes)d min") % {"minutes": minutes}
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return _("%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": minutes}
    days, hours = divmod(hours, 24)
    return _("%(days)d days %(hours)d h") % {"days": days, "hours": hours}


@dataclass(frozen=True)
class Timing:
    """How a ticket stands against the standard, for the pages: the span shown and its level (ok/warn/bad)."""

    label: str  # "answered in" / "waiting for"
    span: str
    level: str
    verdict: str


def timing(ticket: Ticket, now: dt.datetime | None = None) -> Timing:
    """The response time of an answered ticket, or how long an open one has waited, against the standard."""
    taken = response_time(ticket)
    if taken is not None:
        ok = taken <= STANDARD
        return Timing(_("answered in"), duration_text(taken), "ok" if ok else "bad",
                      _("within the 10-minute standard") if ok else _("over the 10-minute standard"))
    waited = (now or timezone.now()) - ticket.opened_at
    late = waited > STANDARD
    return Timing(_("waiting for"), duration_text(waited), "bad" if late else "warn",
                  _("over the 10-minute standard") if late else _("not answered yet"))


@dataclass(frozen=True)
class Summary:
    """The queue's headline: open tickets, answered ones, and how many of those within the standard."""

    open: int
    answered: int
    in_time: int
    median: str


def summary(tickets: list[Ticket]) -> Summary:
    """Count the tickets' states and response times (the median over the answered ones)."""
    times = sorted(t for t in (response_time(ticket) for ticket in tickets) if t is not None)
    median = ""
    if times:
        middle = len(times) // 2
        value = times[middle] if len(times) % 2 else (times[middle - 1] + times[middle]) / 2
        median = duration_text(value)
    return Summary(sum(1 for t in tickets if t.answered_at is None and t.state != Ticket.State.CLOSED),
                   len(times), sum(1 for t in times if t <= STANDARD), median)
