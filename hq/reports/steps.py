"""The SOP's steps 1–10 measured (hq/office/sop.py: the standards, and from what to what each is measured).

A case belongs to the period when it STARTED in it. A case with an end is done: within the standard when its
time is at most the standard, else missed; a case without an end yet is open (neither met nor missed). The share
is met / done, the median over the done cases. How each step finds its start and end in the models is in
docs/service-report.md (steps 4, 5 and 8 are approximations, named there).
"""

import datetime as dt
import statistics
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Min, Q

from hq.applications.models import Application, Correction
from hq.helpdesk.models import Ticket
from hq.ingest.models import CorrectionRequest
from hq.lists.models import ApplicationList, ListEvent, Spt, StationAssignment
from hq.office.sop import STEPS, Step
from hq.reports.models import RecordSummary
from hq.reports.period import Period, local_zone, today

Case = tuple[dt.datetime, dt.datetime | None]  # (start, end or None while open)

# The list state an event leaves the list in, when the event does not say it (to_state blank).
ACTION_STATE = {ListEvent.Action.CREATED: "draft", ListEvent.Action.SUBMITTED: "submitted",
                ListEvent.Action.VERIFIED: "verified", ListEvent.Action.APPROVED: "approved",
                ListEvent.Action.RETURNED: "draft"}


@dataclass(frozen=True)
class StepResult:
    """One step's numbers for the period."""

    step: Step
    cases: int
    met: int
    missed: int
    open: int
    median: dt.timedelta | None

    @property
    def done(self) -> int:
        return self.met + self.missed

    @property
    def share(self) -> float | None:
        """The share of done cases within the standard (0–1), None without a done case."""
        return self.met / self.done if self.done else None


def measure(step: Step, cases: list[Case], period: Period) -> StepResult:
    """Count the cases that started in the period: met, missed, open; the median of the done ones' times."""
    mine = [(start, end) for start, end in cases if period.contains(start)]
    times = [max(end - start, dt.timedelta(0)) for start, end in mine if end is not None]
    met = sum(t <= step.standard for t in times)
    return StepResult(step, len(mine), met, len(times) - met, len(mine) - len(times),
                      statistics.median(sorted(times)) if times else None)


def _between(name: str, period: Period) -> Q:
    return Q(**{f"{name}__gte": period.start_at, f"{name}__lt": period.end_at})


def application_cases(period: Period) -> list[Case]:
    """Step 1: the application form opened → submitted."""
    return list(Application.objects.filter(_between("form_opened_at", period))
                .values_list("form_opened_at", "submitted_at"))


def verification_cases(period: Period) -> list[Case]:
    """Step 2: opened in the admin's queue → verified or rejected (waiting or in correction: open)."""
    done = {Application.State.VERIFIED, Application.State.REJECTED}
    return [(opened, decided if state in done else None) for opened, decided, state in
            Application.objects.filter(_between("review_opened_at", period))
            .values_list("review_opened_at", "decided_at", "state")]


def grouping_cases(period: Period) -> list[Case]:
    """Step 3: the list started (grouping opened) → the list created."""
    return list(ApplicationList.objects.filter(_between("grouping_started_at", period))
                .values_list("grouping_started_at", "created_at"))


def _state_of(event: ListEvent) -> str:
    return event.to_state or ACTION_STATE.get(event.action, "")


def stint_cases(state: str, period: Period) -> list[Case]:
    """Steps 4 and 5: each time a list entered `state` (submitted: with the Kasi; verified: with the Kabid) →
    the next event that moved it on (verified / approved, or returned with a reason: also a decision)."""
    entered = Q(to_state=state) | Q(to_state="", action__in=[a for a, s in ACTION_STATE.items() if s == state])
    lists = ListEvent.objects.filter(entered, _between("at", period)).values("application_list")
    events: dict[int, list[ListEvent]] = defaultdict(list)
    for event in ListEvent.objects.filter(application_list__in=lists).order_by("at", "id"):
        events[event.application_list_id].append(event)
    cases: list[Case] = []
    for timeline in events.values():
        current, since = "", None
        for event in timeline:
            new = _state_of(event)
            if not new or new == current:
                continue
            if current == state and since is not None:
                cases.append((since, event.at))
            current, since = new, event.at
        if current == state and since is not None:
            cases.append((since, None))
    return cases


def spt_cases(period: Period) -> list[Case]:
    """Step 6: approved → SPT issued. Per list, the approval its SPT followed (the last one before it), or for an
    approved list without an SPT its last approval (open). An approval later undone by a change is not a case."""
    approvals: dict[int, list[dt.datetime]] = defaultdict(list)
    for list_id, at in (ListEvent.objects.filter(Q(action=ListEvent.Action.APPROVED) | Q(to_state="approved"))
                        .order_by("at").values_list("application_list_id", "at")):
        approvals[list_id].append(at)
    issued = dict(Spt.objects.values_list("application_list_id", "issued_at"))
    approved_now = set(ApplicationList.objects.filter(state=ApplicationList.State.APPROVED).values_list("pk",
                                                                                                        flat=True))
    cases: list[Case] = []
    for list_id, times in approvals.items():
        spt_at = issued.get(list_id)
        if spt_at is not None:
            before = [t for t in times if t <= spt_at]
            if before:
                cases.append((before[-1], spt_at))
        elif list_id in approved_now:
            cases.append((times[-1], None))
    return cases


def assignment_cases(period: Period) -> list[Case]:
    """Step 7: SPT issued → the first assignment of it the broker confirmed sent to a station (published)."""
    return list(Spt.objects.filter(_between("issued_at", period))
                .annotate(sent=Min("assignments__published_at")).values_list("issued_at", "sent"))


def recording_cases(period: Period) -> list[Case]:
    """Step 8: per list with an SPT, its first → last record sealed. A record belongs to the list whose SPT's
    assignment it names, else to the list with an SPT its application is on. Open while students of the list are
    not recorded and the SPT's recording date has not passed; a list without any record is open, in the period
    of its recording date."""
    spts = {spt.application_list_id: spt for spt in Spt.objects.all()}
    by_assignment: dict[str, set[int]] = defaultdict(set)
    for assignment_id, list_id in StationAssignment.objects.values_list("assignment_id", "spt__application_list_id"):
        by_assignment[assignment_id].add(list_id)
    members: dict[int, set[str]] = defaultdict(set)
    list_of_app: dict[str, int] = {}
    for list_id, number in ApplicationList.applications.through.objects.filter(
            applicationlist_id__in=spts).values_list("applicationlist_id", "application__number").order_by(
            "applicationlist__created_at"):
        members[list_id].add(number)
        list_of_app[number] = list_id  # the newest list with an SPT the application is on
    sealed: dict[int, list[dt.datetime]] = defaultdict(list)
    recorded: dict[int, set[str]] = defaultdict(set)
    for number, assignment_id, at in RecordSummary.objects.filter(
            outcome=RecordSummary.RECORDED, sealed_at__isnull=False).values_list(
            "application_number", "assignment_id", "sealed_at"):
        owners = by_assignment.get(assignment_id, set())
        list_id = next(iter(owners)) if len(owners) == 1 else list_of_app.get(number)
        if list_id is not None:
            sealed[list_id].append(at)
            recorded[list_id].add(number)
    cases: list[Case] = []
    for list_id, spt in spts.items():
        times = sorted(sealed.get(list_id, []))
        if not times:
            day = dt.datetime.combine(spt.recording_date, dt.time(12), tzinfo=local_zone())
            cases.append((day, None))
            continue
        finished = members[list_id] <= recorded[list_id] or spt.recording_date < today()
        cases.append((times[0], times[-1] if finished else None))
    return cases


def correction_cases(period: Period) -> list[Case]:
    """Step 9: a correction opened → resolved; a station's request the office has not made a correction of:
    received → handled."""
    office = list(Correction.objects.filter(_between("opened_at", period)).values_list("opened_at", "resolved_at"))
    return office + list(CorrectionRequest.objects.filter(_between("received_at", period),
                                                          office_correction__isnull=True)
                         .values_list("received_at", "handled_at"))


def helpdesk_cases(period: Period) -> list[Case]:
    """Step 10: a ticket opened → its first answer."""
    return list(Ticket.objects.filter(_between("opened_at", period)).values_list("opened_at", "answered_at"))


CASES = {1: application_cases, 2: verification_cases, 3: grouping_cases,
         4: lambda period: stint_cases("submitted", period), 5: lambda period: stint_cases("verified", period),
         6: spt_cases, 7: assignment_cases, 8: recording_cases, 9: correction_cases, 10: helpdesk_cases}


def measure_steps(period: Period) -> list[StepResult]:
    """Every SOP step's result for the period, in the SOP's order."""
    return [measure(step, CASES[step.number](period), period) for step in STEPS]
