"""Storing a submitted application (SOP step 1): its number, its times, and the duplicate rule.

One open (not rejected) application per NIK, and one NIK belongs to one applicant account (issue 19 point 6). The
same login sending the same NIK and name again (a double click, a reload, coming back a week later) gets the
application it has; the same login with another name is told its own application's number. Another login's claim
on the NIK never touches the first application and learns nothing of it: it becomes a NikConflict for the office's
admin (who finds out whose NIK it is) and the claimant gets one neutral answer, whatever the other application's
state. The database's constraint `one_open_application_per_nik` backs the check, so two requests at the same
moment cannot both get in.
"""

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from hq.applications.access import own_applications
from hq.applications.models import Application, NikConflict
from hq.applications.numbering import next_number

NUMBER_ATTEMPTS = 5


class DuplicateApplicationError(Exception):
    """An open application of the same login has this NIK already (`existing`: theirs to see)."""

    def __init__(self, existing: Application) -> None:
        super().__init__(f"NIK has an open application {existing.number} ({existing.state})")
        self.existing = existing


class NikClaimedError(Exception):
    """Another login's open application holds this NIK: the claim went to the admin as `conflict`. Nothing of the
    other application may be shown to the claimant."""

    def __init__(self, conflict: NikConflict) -> None:
        super().__init__(f"NIK claimed by another account: conflict {conflict.pk}")
        self.conflict = conflict


def open_application(nik: str) -> Application | None:
    """The NIK's application that is not rejected, if any."""
    return Application.objects.exclude(state=Application.State.REJECTED).filter(nik=nik).first()


def _same_person(existing: Application, applicant: Any, name: str) -> bool:
    return existing.applicant_id == applicant.pk and " ".join(existing.name.split()).casefold() == name.casefold()


def _claimed(data: dict[str, Any]) -> dict[str, Any]:
    """The form's data as JSON for the admin (the date as ISO, the school as its NPSN)."""
    return {k: (v.isoformat() if hasattr(v, "isoformat") else getattr(v, "pk", v)) for k, v in data.items()}


def record_conflict(existing: Application, claimant: Any, fields: dict[str, Any], now: dt.datetime) -> NikConflict:
    """The open conflict of `claimant` on `existing` (made, or its attempts counted up with the latest data)."""
    for _attempt in range(2):
        conflict = NikConflict.objects.filter(application=existing, claimant=claimant,
                                              state=NikConflict.State.OPEN).first()
        if conflict is not None:
            NikConflict.objects.filter(pk=conflict.pk).update(attempts=F("attempts") + 1, last_at=now,
                                                              claimed=_claimed(fields))
            return conflict
        try:
            with transaction.atomic():
                return NikConflict.objects.create(nik=existing.nik, application=existing, claimant=claimant,
                                                  claimed=_claimed(fields), opened_at=now, last_at=now)
        except IntegrityError:
            continue  # the same claimant's other request made it a moment ago: count this one on it
    raise RuntimeError("the NIK conflict could not be recorded")


def submit_application(applicant: Any, data: dict[str, Any], opened_at: dt.datetime | None,
                       now: dt.datetime | None = None) -> tuple[Application, bool]:
    """Store the application of the form's cleaned `data` for `applicant` (the student's or the school's login),
    submitted `now` (default: HQ's now); returns (application, created). created is False when the same login
    sent the same NIK and name before. DuplicateApplicationError when the same login's open application has the NIK
    under another name; NikClaimedError (after recording the conflict) when another login's has it."""
    fields = {k: data[k] for k in ("nik", "kk_number", "name", "birth_place", "birth_date", "sex", "school",
                                   "phone", "email")}
    now = now or timezone.now()
    for _attempt in range(NUMBER_ATTEMPTS):
        existing = open_application(fields["nik"])
        if existing is not None:
            if _same_person(existing, applicant, fields["name"]):
                return existing, False
            if own_applications(applicant).filter(pk=existing.pk).exists():
                raise DuplicateApplicationError(existing)
            raise NikClaimedError(record_conflict(existing, applicant, fields, now))
        try:
            with transaction.atomic():
                application = Application.objects.create(number=next_number(now), applicant=applicant,
                                                         form_opened_at=opened_at, submitted_at=now, **fields)
            return application, True
        except IntegrityError:
            continue  # another request took the NIK (found on the next turn) or the number (a new one is taken)
    raise RuntimeError(f"no application number could be given after {NUMBER_ATTEMPTS} attempts")
