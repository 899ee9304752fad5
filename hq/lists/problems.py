"""Approvals with context (issue 21 point 5): what the Kasi Pendataan and the Kabid Dafduk see of a list's
applicants before they check or approve it — each applicant's SIAK match with the reason it was verified anyway —
and the list's open problems, which keep it out of a bulk check or approval:

- an applicant not verified (any more),
- an applicant SIAK does not know, or disagrees with, verified without a reason (e.g. verified before the rule, or
  a newer SIAK extract disagrees with what was verified),
- an applicant with a correction that is not resolved.

A list with problems can still be opened and decided one by one (the person reads it and returns it, or approves
it knowingly); only the bulk action skips it, and says why.
"""

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from hq.applications.models import Application, Correction, VerificationAudit
from hq.applications.siak_gate import SiakMatch, siak_matches
from hq.lists.models import ApplicationList

State = ApplicationList.State


@dataclass
class Row:
    """One applicant of a list as the Kasi and the Kabid see it."""

    application: Application
    match: SiakMatch
    reason: str = ""  # why it was verified despite SIAK (the latest verification's reason)
    problems: list[str] = field(default_factory=list)


def rows(application_list: ApplicationList) -> list[Row]:
    """The list's applicants in number order, each with its SIAK match, verification reason and problems (a few
    queries for the whole list, not a few per applicant)."""
    applications = list(application_list.applications.order_by("number"))
    matches = siak_matches(applications)
    reasons: dict[int, str] = {}
    for line in VerificationAudit.objects.filter(application__in=applications,
                                                 action=VerificationAudit.Action.VERIFIED).order_by("at", "id"):
        reasons[line.application_id] = line.reason  # the latest wins
    open_corrections = set(Correction.objects.filter(application__in=applications)
                           .exclude(state=Correction.State.RESOLVED).values_list("application_id", flat=True))
    found = []
    for a in applications:
        row = Row(a, matches[a.pk], reasons.get(a.pk, "") if a.state == Application.State.VERIFIED else "")
        if a.state != Application.State.VERIFIED:
            row.problems.append(_("not verified (%(state)s)") % {"state": a.get_state_display()})
        elif row.match.needs_reason and not row.reason:
            row.problems.append(_("%(match)s, verified without a reason") % {"match": row.match.describe()})
        if a.pk in open_corrections:
            row.problems.append(_("a correction is open"))
        found.append(row)
    return found


def list_problems(application_list: ApplicationList, of: list[Row] | None = None) -> list[str]:
    """The list's open problems in words, one per applicant that has any ("APL-…: …"); empty: none."""
    return [f"{r.application.number} {r.application.name}: {'; '.join(r.problems)}"
            for r in (rows(application_list) if of is None else of) if r.problems]


# what waits for whom on the office's home page: (permission, list state, label, URL name of the bulk page)
WAITING = (("lists.check_list", State.SUBMITTED, "check"), ("lists.approve_list", State.VERIFIED, "approve"))


def waiting_for(user: Any) -> list[dict[str, Any]]:
    """The lists waiting for `user`'s check (Kasi) or approval (Kabid): how many, and how many of them have open
    problems, with the page to act on them."""
    from django.urls import reverse

    found = []
    for perm, state, step in WAITING:
        if not user.has_perm(perm):
            continue
        lists = list(ApplicationList.objects.filter(state=state))
        troubled = sum(1 for lst in lists if list_problems(lst))
        label = _("Lists to check") if step == "check" else _("Lists to approve")
        found.append({"step": step, "label": label, "count": len(lists), "with_problems": troubled,
                      "url": reverse("lists:bulk_verify" if step == "check" else "lists:bulk_approve")})
    return found
