"""What the admin decides about a submitted application (SOP step 2), and what resolves a correction (step 9):
each a state change checked against the state the application is in at that moment (row lock), timestamped and
attributed. A decision on an application that is no longer waiting is refused (someone else decided first)."""

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from hq.applications import siak_gate
from hq.applications.models import Application, Correction, VerificationAudit
from hq.applications.signals import correction_resolved


class StateConflictError(Exception):
    """The application or correction is not in a state that allows this (the page was out of date)."""


def _waiting(application_id: int) -> Application:
    application = Application.objects.select_for_update().get(pk=application_id)
    if application.state != Application.State.SUBMITTED:
        raise StateConflictError(application.state)
    return application


def mark_review_opened(application: Application, now: dt.datetime | None = None) -> None:
    """Step 2 starts the first time an admin opens the application in the queue (later openings change
    nothing)."""
    if application.review_opened_at is None and application.state == Application.State.SUBMITTED:
        now = now or timezone.now()
        if Application.objects.filter(pk=application.pk, review_opened_at=None).update(review_opened_at=now):
            application.review_opened_at = now


def verify(application: Application, by: Any, reason: str = "") -> Application:
    """submitted → verified, audited with SIAK's answer (siak_gate): an application SIAK does not know or
    disagrees with needs a `reason` (siak_gate.ReasonRequiredError otherwise)."""
    match = siak_gate.siak_match(application)
    with transaction.atomic():
        row = _waiting(application.pk)
        siak_gate.check_reason(match, reason)
        row.state, row.decided_at, row.decided_by = Application.State.VERIFIED, timezone.now(), by
        row.save(update_fields=["state", "decided_at", "decided_by"])
        siak_gate.audit(row, VerificationAudit.Action.VERIFIED, by, reason, match)
    return row


def reject(application: Application, by: Any, reason: str) -> Application:
    """submitted → rejected, with the reason the applicant reads (the NIK may then apply again)."""
    if not reason.strip():
        raise ValueError("a rejection needs a reason")
    with transaction.atomic():
        row = _waiting(application.pk)
        row.state, row.decided_at, row.decided_by = Application.State.REJECTED, timezone.now(), by
        row.decision_note = reason.strip()
        row.save(update_fields=["state", "decided_at", "decided_by", "decision_note"])
    return row


def request_correction(application: Application, by: Any, fields: list[str], note: str = "") -> Correction:
    """submitted → correction: a Correction (source verification) naming the `fields` that differ."""
    if not fields:
        raise ValueError("a correction names at least one field")
    with transaction.atomic():
        row = _waiting(application.pk)
        row.state = Application.State.CORRECTION
        row.save(update_fields=["state"])
        return Correction.objects.create(application=row, source=Correction.Source.VERIFICATION, fields=fields,
                                         problem=note.strip(), opened_by=by)


def answer(correction: Correction, by: Any, problem: str, solution: str) -> Correction:
    """open/answered → answered: the problem and the solution the applicant reads (an answer may be rewritten
    until the correction is resolved; answered_at stays the first answer's time)."""
    if not (problem.strip() and solution.strip()):
        raise ValueError("an answer has a problem and a solution")
    with transaction.atomic():
        row = Correction.objects.select_for_update().get(pk=correction.pk)
        if row.state == Correction.State.RESOLVED:
            raise StateConflictError(row.state)
        row.problem, row.solution, row.state = problem.strip(), solution.strip(), Correction.State.ANSWERED
        if row.answered_at is None:
            row.answered_at, row.answered_by = timezone.now(), by
        row.save(update_fields=["problem", "solution", "state", "answered_at", "answered_by"])
    return row


def resolve(correction: Correction, by: Any, changes: dict[str, Any]) -> Correction:
    """answered → resolved, with the application's data fixed by `changes` (name, birth_place, birth_date,
    kk_number; those equal to the stored value are ignored). The application goes back to `submitted` for a new
    verification when it was waiting for this correction or its data changed; a station's request is marked
    handled."""
    with transaction.atomic():
        row = Correction.objects.select_for_update().select_related("application").get(pk=correction.pk)
        if row.state not in (Correction.State.ANSWERED, Correction.State.REPLIED) or not row.solution:
            raise StateConflictError(row.state)  # the applicant must have read the office's answer first
        application = Application.objects.select_for_update().get(pk=row.application_id)
        changed = [name for name, value in changes.items() if value not in (None, "")
                   and getattr(application, name) != value]
        for name in changed:
            setattr(application, name, changes[name])
        back = changed or application.state == Application.State.CORRECTION
        if back and application.state != Application.State.REJECTED:
            application.state = Application.State.SUBMITTED
            application.review_opened_at = application.decided_at = application.decided_by = None
        application.save()
        now = timezone.now()
        row.state, row.resolved_at, row.resolved_by = Correction.State.RESOLVED, now, by
        row.save(update_fields=["state", "resolved_at", "resolved_by"])
        correction_resolved.send(sender=Correction, correction=row, at=now, by=by.get_username())
    return row
