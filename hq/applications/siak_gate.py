"""Verification gated by SIAK (issue 21 point 1): each application's SIAK match — found, not found, or which fields
differ — and the rules that follow from it.

- Verifying an application SIAK does not know, or disagrees with, needs an explicit reason (ReasonRequiredError
  otherwise); every verification is written as a VerificationAudit (who, when, the reason, SIAK's answer then).
- A verification can be undone, with a reason, audited, until the school's list holding the application is
  approved (UndoRefusedError after that: the list is frozen, its data went into the SPT and to the station).

Only SIAK gates: the school's list is shown beside it on the review page but a student missing from the school's
file is the school's paperwork, not the registry's word on who the person is.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hq.applications.compare import FIELDS, _differs
from hq.applications.models import Application, VerificationAudit
from hq.applications.siak import SiakPerson, adapter

FOUND, NOT_FOUND, DIFFERS = "found", "not_found", "differs"


@dataclass(frozen=True)
class SiakMatch:
    """SIAK's answer for one application: `status` (found / not_found / differs) and the fields that differ."""

    status: str
    fields: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()

    @property
    def needs_reason(self) -> bool:
        """Verifying it needs a reason: SIAK does not know the NIK, or holds other data."""
        return self.status != FOUND

    def describe(self) -> str:
        """The match in words, for the pages."""
        if self.status == NOT_FOUND:
            return _("Not in SIAK")
        if self.status == DIFFERS:
            return _("Differs from SIAK: %(fields)s") % {"fields": ", ".join(self.labels)}
        return _("Matches SIAK")


def match_of(application: Application, person: SiakPerson | None) -> SiakMatch:
    """The match of `application` against SIAK's `person` (None: SIAK does not know the NIK)."""
    if person is None:
        return SiakMatch(NOT_FOUND)
    differing = [(name, str(label)) for name, label, with_siak, _school in FIELDS
                 if with_siak and _differs(getattr(application, name), getattr(person, name))]
    if not differing:
        return SiakMatch(FOUND)
    return SiakMatch(DIFFERS, tuple(n for n, _label in differing), tuple(label for _n, label in differing))


def siak_match(application: Application) -> SiakMatch:
    """The application's SIAK match now (asks the configured adapter)."""
    return match_of(application, adapter().lookup(application.nik))


def siak_matches(applications: Iterable[Application]) -> dict[int, SiakMatch]:
    """The SIAK match of many applications by pk: one query with an adapter that has `lookup_many(niks)` (a
    dict NIK → SiakPerson; the default extract adapter has it), one lookup each otherwise."""
    applications = list(applications)
    source = adapter()
    many = getattr(source, "lookup_many", None)
    found = many({a.nik for a in applications}) if many else {a.nik: source.lookup(a.nik) for a in applications}
    return {a.pk: match_of(a, found.get(a.nik)) for a in applications}


class ReasonRequiredError(ValueError):
    """Verifying a not-found or mismatched application without a reason, or undoing one without a reason."""


class UndoRefusedError(Exception):
    """The verification cannot be undone (the application's list is approved)."""


class NotVerifiedError(Exception):
    """The application to undo is not verified (any more): someone changed it since the page was made."""


def check_reason(match: SiakMatch, reason: str) -> None:
    """ReasonRequiredError, saying what SIAK answered and what to do, when `match` needs a reason and `reason` is
    empty."""
    if match.needs_reason and not reason.strip():
        raise ReasonRequiredError(_("%(match)s. To verify it anyway, write in \"Reason for verifying\" why the data "
                                    "are right (for example: the applicant showed the KK; SIAK will be updated); "
                                    "otherwise request a correction or reject it.") % {"match": match.describe()})


def audit(application: Application, action: str, by: Any, reason: str, match: SiakMatch) -> VerificationAudit:
    """The audit line of a verification or its undoing."""
    return VerificationAudit.objects.create(application=application, action=action, by=by, reason=reason.strip(),
                                            siak_status=match.status, siak_fields=list(match.fields),
                                            at=timezone.now())


def approved_list_of(application: Application) -> Any:
    """The approved list holding `application`, or None (through the lists app's relation: this app does not
    import the lists app, which builds on it)."""
    return application.lists.filter(state="approved").first()


def undo_verification(application: Application, by: Any, reason: str) -> Application:
    """verified → submitted again (back in the queue), with the reason audited. ReasonRequiredError without a
    reason; NotVerifiedError when the application is not verified (any more); UndoRefusedError when the school's
    list holding it is approved. A list still in progress then shows it as not verified and cannot move on until
    it is verified again or removed."""
    if not reason.strip():
        raise ReasonRequiredError(_("Write in \"Reason for undoing\" why the verification is undone; it is kept in "
                                    "the application's audit."))
    match = siak_match(application)
    with transaction.atomic():
        row = Application.objects.select_for_update().get(pk=application.pk)
        if row.state != Application.State.VERIFIED:
            raise NotVerifiedError(row.state)
        approved = approved_list_of(row)
        if approved is not None:
            raise UndoRefusedError(_("The verification of %(number)s cannot be undone: list %(list)s of its school "
                                     "is approved already, and its data went into the SPT. If the data are wrong, "
                                     "open a correction: a change after approval needs the Kabid's approval "
                                     "again.") % {"number": row.number, "list": approved.number})
        row.state, row.decided_at, row.decided_by = Application.State.SUBMITTED, None, None
        row.save(update_fields=["state", "decided_at", "decided_by"])
        audit(row, VerificationAudit.Action.UNDONE, by, reason, match)
    return row


def reason_of(application: Application) -> VerificationAudit | None:
    """The audit line of the application's latest verification, if it is verified now."""
    if application.state != Application.State.VERIFIED:
        return None
    return application.verification_audits.filter(action=VerificationAudit.Action.VERIFIED).order_by("-at",
                                                                                                     "-id").first()
