"""SOP step 6: the Kasubbag Umum issues the SPT (surat perintah tugas) for an approved list: its number, the
recording date and the team — one lead and operators, chosen from the logins in the `team` group.

Each member gets a fresh 6-digit PIN (`secrets`) for logging in at the station; HQ keeps only its hash
(contract.pins.hash_pin), which travels inside the signed assignment. The PINs are returned once, to be shown on
the page right after issuing and handed to the team; they are never stored or shown again (`new_pins` makes new
ones, which the stations get with the next assignment).
"""

import datetime as dt
import re
import secrets
from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from contract.pins import hash_pin
from hq.lists.content import changed_after_approval
from hq.lists.errors import ListError
from hq.lists.models import ApplicationList, ListEvent, Officer, Spt, SptMember
from hq.lists.numbering import next_spt_serial, spt_number, this_year, with_fresh_number
from hq.office.roles import TEAM

OPERATOR_ID = re.compile(r"^[A-Za-z0-9._-]{2,32}\Z")  # contract/assignment.py TeamMember.operator_id
MAX_TEAM = 20  # contract/assignment.py: team max_length
PIN_DIGITS = 6


def team_candidates() -> QuerySet[Any]:
    """The logins that may be put on an SPT (group `team`), by name."""
    return get_user_model().objects.filter(groups__name=TEAM, is_active=True).order_by(
        "first_name", "last_name", "username")


def member_name(user: Any) -> str:
    return (user.get_full_name() or user.get_username())[:120]


SIGNER_POSITION = "Kepala Sub Bagian Umum"  # the Kasubbag Umum signs "a.n. Kepala Dinas" unless their Officer says


def particulars(user: Any) -> tuple[str, str, str]:
    """(NIP, pangkat/golongan, jabatan) of a login as set with `sinopsis hq createuser`; blanks when not set."""
    officer = Officer.objects.filter(user=user).first()
    return (officer.nip, officer.rank, officer.position) if officer else ("", "", "")


def new_pin() -> str:
    """A fresh 6-digit PIN from the OS's secure random source (leading zeros kept)."""
    return f"{secrets.randbelow(10 ** PIN_DIGITS):0{PIN_DIGITS}d}"


def ready_for_spt(application_list: ApplicationList) -> None:
    """ListError unless the list may get an SPT: approved, unchanged since, and without one yet."""
    if application_list.state != ApplicationList.State.APPROVED:
        raise ListError(_("An SPT is issued only for an approved list; list %(number)s is: %(state)s.") % {
            "number": application_list.number, "state": application_list.get_state_display()}, "lists.not_approved")
    if changed_after_approval(application_list):
        raise ListError(_("List %(number)s changed after approval: the Kabid must approve it again before an SPT "
                          "is issued.") % {"number": application_list.number}, "lists.changed")
    if Spt.objects.filter(application_list=application_list).exists():
        raise ListError(_("List %(number)s has an SPT already (%(spt)s).") % {
            "number": application_list.number, "spt": application_list.spt.number}, "lists.has_spt")


def _team(lead: Any, operators: Iterable[Any]) -> list[tuple[Any, str]]:
    """[(user, role)], the lead first; ListError for a login outside the team group or without a usable id."""
    candidates = set(team_candidates().values_list("pk", flat=True))
    chosen = [(lead, SptMember.Role.LEAD)] + [(u, SptMember.Role.OPERATOR) for u in operators if u.pk != lead.pk]
    seen: set[int] = set()
    team = []
    for user, role in chosen:
        if user.pk in seen:
            continue
        seen.add(user.pk)
        if user.pk not in candidates:
            raise ListError(_("%(name)s is not a recording team member (group “team”); choose from the team.")
                            % {"name": member_name(user)}, "lists.not_team")
        if not OPERATOR_ID.match(user.get_username()):
            raise ListError(_("%(name)s's login %(login)s cannot be an operator id at the station (2–32 letters, "
                              "digits, dot, dash or underscore); give them a login that can, or choose another "
                              "member.") % {"name": member_name(user), "login": user.get_username()},
                            "lists.operator_id")
        team.append((user, role))
    if len(team) > MAX_TEAM:
        raise ListError(_("A team has at most %(max)d members; %(count)d were chosen.") % {
            "max": MAX_TEAM, "count": len(team)}, "lists.team_size")
    return team


def issue_spt(application_list: ApplicationList, recording_date: dt.date, lead: Any, operators: Iterable[Any],
              by: Any) -> tuple[Spt, dict[str, str]]:
    """Issue the SPT of an approved list; returns it and the team's new PINs {operator_id: pin} (shown once).

    PermissionDenied without `lists.issue_spt`; ListError for a list not approved (or changed after approval,
    or with an SPT already), a recording date in the past, or a team member who cannot be one.
    """
    if not by.has_perm("lists.issue_spt"):
        raise PermissionDenied
    if recording_date < timezone.localdate():
        raise ListError(_("The recording date %(date)s is in the past; choose today or a later day.") % {
            "date": recording_date.strftime("%d-%m-%Y")}, "lists.date_past")
    team = _team(lead, operators)
    pins: dict[str, str] = {}
    with transaction.atomic():
        current = ApplicationList.objects.select_for_update().get(pk=application_list.pk)
        ready_for_spt(current)

        def insert() -> Spt:
            ready_for_spt(current)  # again on a retry: the race lost may have been for this very list
            year = this_year()
            serial = next_spt_serial(year)
            nip, rank, position = particulars(by)
            return Spt.objects.create(number=spt_number(serial, year), year=year, serial=serial,
                                      application_list=current, recording_date=recording_date, issued_by=by,
                                      issued_at=timezone.now(), signer_name=member_name(by), signer_nip=nip,
                                      signer_rank=rank, signer_position=position or SIGNER_POSITION)

        spt = with_fresh_number(insert)
        for user, role in team:
            pins[user.get_username()] = pin = new_pin()
            nip, rank, position = particulars(user)
            SptMember.objects.create(spt=spt, user=user, operator_id=user.get_username(), name=member_name(user),
                                     role=role, pin_hash=hash_pin(pin), nip=nip, rank=rank, position=position)
        ListEvent.objects.create(application_list=current, action=ListEvent.Action.SPT_ISSUED, by=by,
                                 at=spt.issued_at, reason=spt.number)
    return spt, pins


def new_pins(spt: Spt, by: Any) -> dict[str, str]:
    """New PINs for every member of the SPT (a lost PIN sheet); the old ones stop working at a station once it
    gets its next assignment. PermissionDenied without `lists.issue_spt`."""
    if not by.has_perm("lists.issue_spt"):
        raise PermissionDenied
    pins: dict[str, str] = {}
    with transaction.atomic():
        for member in spt.members.select_for_update():
            pins[member.operator_id] = pin = new_pin()
            member.pin_hash = hash_pin(pin)
            member.save(update_fields=["pin_hash"])
        ListEvent.objects.create(application_list=spt.application_list, action=ListEvent.Action.CHANGED, by=by,
                                 reason=_("new PINs for the team of %(spt)s") % {"spt": spt.number})
    return pins
