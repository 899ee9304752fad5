"""Storing a submitted application (SOP step 1): its number, its times, and the duplicate rule.

One open (not rejected) application per NIK. The same login sending the same NIK and name again (a double click,
a reload, coming back a week later) gets the application it has; anyone else is refused with the existing
application's number and state. The database's constraint `one_open_application_per_nik` backs the check, so two
requests at the same moment cannot both get in.
"""

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from hq.applications.models import Application
from hq.applications.numbering import next_number

NUMBER_ATTEMPTS = 5


class DuplicateApplicationError(Exception):
    """An open application has this NIK already (`existing`)."""

    def __init__(self, existing: Application) -> None:
        super().__init__(f"NIK has an open application {existing.number} ({existing.state})")
        self.existing = existing


def open_application(nik: str) -> Application | None:
    """The NIK's application that is not rejected, if any."""
    return Application.objects.exclude(state=Application.State.REJECTED).filter(nik=nik).first()


def _same_person(existing: Application, applicant: Any, name: str) -> bool:
    return existing.applicant_id == applicant.pk and " ".join(existing.name.split()).casefold() == name.casefold()


def submit_application(applicant: Any, data: dict[str, Any], opened_at: dt.datetime | None,
                       now: dt.datetime | None = None) -> tuple[Application, bool]:
    """Store the application of the form's cleaned `data` for `applicant` (the student's or the school's login),
    submitted `now` (default: HQ's now); returns (application, created). created is False when the same login
    sent the same NIK and name before. DuplicateApplicationError when someone else's open application has the
    NIK."""
    fields = {k: data[k] for k in ("nik", "kk_number", "name", "birth_place", "birth_date", "sex", "school",
                                   "phone", "email")}
    now = now or timezone.now()
    for _attempt in range(NUMBER_ATTEMPTS):
        existing = open_application(fields["nik"])
        if existing is not None:
            if _same_person(existing, applicant, fields["name"]):
                return existing, False
            raise DuplicateApplicationError(existing)
        try:
            with transaction.atomic():
                application = Application.objects.create(number=next_number(now), applicant=applicant,
                                                         form_opened_at=opened_at, submitted_at=now, **fields)
            return application, True
        except IntegrityError:
            continue  # another request took the NIK (found on the next turn) or the number (a new one is taken)
    raise RuntimeError(f"no application number could be given after {NUMBER_ATTEMPTS} attempts")
