"""`sinopsis hq demo-seed`: the office side of `sinopsis demo` (issue 8, point 10).

One login per SOP role (fresh passwords written to a 0600 file, never fixed ones) and the demo school whose list
has gone through the whole workflow — applications verified against SIAK and the school's list, the list
submitted, verified by the Kasi, approved by the Kabid, the SPT issued, the demo station assigned and the signed
assignment published as its `desired` — so a new user can click through every step. A second school has work
waiting at each early step: applications to verify (one with a SIAK mismatch to see highlighted), one verified
applicant to group into a new list.

The applicants are the demo station's own (sinopsis/demo_data.py), so the records the kiosk tour seals belong to
applications HQ knows, and the SPT's team are the station's demo operators with the station's demo PINs (the
kiosk logins keep working after the station applies HQ's assignment). Everything goes through the same functions
the web pages call (hq/lists/workflow.py, spt.py, assign.py); only the times are moved back so the timelines and
the service report show a plausible morning's work.
"""

import datetime as dt
import hashlib
import json
import random
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from contract.assignment import canonical_bytes
from contract.durable import private_dir, write_private
from contract.phone import normalize_phone
from contract.pins import hash_pin
from hq.office.roles import grant_roles
from sinopsis.demo_data import TEAM, demo_applicants

SECOND_SCHOOL = {"npsn": "10404055", "name": "SMK Negeri 2 Pekanbaru"}


@dataclass(frozen=True)
class Login:
    role: str
    username: str
    full_name: str


LOGINS = (
    Login("student", "demo-siswa", "Muhammad Harahap"),
    Login("school", "demo-sekolah", "Tata Usaha SMA Negeri 1"),
    Login("admin", "demo-admin", "Rina Marlina"),
    Login("kasi_pendataan", "demo-kasi", "Siti Aminah"),
    Login("kabid_dafduk", "demo-kabid", "Drs. Hasan Basri"),
    Login("kasubbag_umum", "demo-kasubbag", "Dewi Kartika"),
    Login("kabid_piak", "demo-piak", "Ir. Fauzan Akbar"),
    *(Login("team", operator_id, name, ) for operator_id, name, _role, _pin in TEAM),
)


# Made-up particulars in the NIP's real form (birth date, appointment month, sex, serial) so the demo's SPT prints
# NIP, pangkat/golongan and jabatan as a real one does (`sinopsis hq officer` sets them for real logins).
OFFICERS = {
    "demo-kasubbag": ("197805142005012003", "Penata Tingkat I, III/d", "Kepala Sub Bagian Umum"),
    "OP-01": ("198503122010011004", "Penata Muda Tingkat I, III/b", "Pengadministrasi Kependudukan"),
    "OP-02": ("199107242015032002", "Pengatur, II/c", "Operator Perekaman KTP-el"),
}


def _user(login: Login, password: str) -> Any:
    users = get_user_model()
    user = users.objects.filter(username=login.username).first() or users(username=login.username)
    user.first_name, _, user.last_name = login.full_name.partition(" ")
    user.set_password(password)
    user.save()
    grant_roles(user, login.role)
    return user


def _people(passwords: Path) -> dict[str, Any]:
    """Every demo login with a fresh password, written as 'role username password' lines (0600)."""
    from hq.lists.officers import set_officer  # Django's models: after setup, like the rest of the seed

    made, lines = {}, []
    for login in LOGINS:
        password = secrets.token_urlsafe(9)
        made[login.username] = _user(login, password)
        if login.username in OFFICERS:
            nip, rank, position = OFFICERS[login.username]
            set_officer(login.username, nip=nip, rank=rank, position=position)
        lines.append(f"{login.role:15} {login.username:14} {password}")
    private_dir(passwords.parent, tighten=False)
    write_private(passwords, "# SINOPSIS demo logins (fresh on every run; demo only)\n" + "\n".join(lines) + "\n")
    return made


def _application(person: dict, school: Any, applicant: Any, state: str, at: dt.datetime, admin: Any) -> Any:
    from hq.applications.models import Application

    decided = state in (Application.State.VERIFIED, Application.State.REJECTED)
    return Application.objects.create(
        number=person["application_id"], nik=person["nik"], kk_number=person["kk_number"], name=person["name"],
        birth_place=person["birth_place"], birth_date=dt.date.fromisoformat(person["birth_date"]),
        sex=person["sex"], school=school, phone=normalize_phone(person["phone"]), applicant=applicant, state=state,
        form_opened_at=at - dt.timedelta(seconds=50), submitted_at=at,
        review_opened_at=at + dt.timedelta(hours=2) if decided else None,
        decided_at=at + dt.timedelta(hours=2, seconds=45) if decided else None, decided_by=admin if decided else None)


def _siak_and_school_list(people: list[dict], school: Any, source: str) -> None:
    from hq.applications.models import SchoolListEntry, SiakRecord

    for p in people:
        birth = dt.date.fromisoformat(p["birth_date"])
        SiakRecord.objects.update_or_create(nik=p["nik"], defaults={
            "kk_number": p["kk_number"], "name": p["name"], "birth_place": p["birth_place"], "birth_date": birth,
            "sex": p["sex"], "source": f"{source} (SIAK extract)"})
        SchoolListEntry.objects.update_or_create(school=school, nik=p["nik"], defaults={
            "name": p["name"], "birth_date": birth, "class_name": "XII", "source": f"{source} (school list)"})


def _backdate(application_list: Any, start: dt.datetime, minutes: dict[str, float]) -> None:
    """Move the list's events (and its SPT's and assignments' times) to a plausible morning: each action
    `minutes` after the one before."""
    at, when = start, {}
    for event in application_list.events.order_by("at", "id"):
        at += dt.timedelta(minutes=minutes.get(event.action, 1))
        type(event).objects.filter(pk=event.pk).update(at=at)
        when[event.action] = at
    application_list.grouping_started_at = start - dt.timedelta(minutes=9)
    application_list.created_at = start
    application_list.save(update_fields=["grouping_started_at", "created_at"])
    type(application_list.spt).objects.filter(pk=application_list.spt.pk).update(issued_at=when["spt_issued"])
    application_list.spt.assignments.update(assigned_at=when["assigned"])


def seed(bundle_path: Path, station_id: str, passwords: Path, publish: bool = True) -> dict[str, Any]:
    """Seed the office from the demo station's assignment bundle; returns what was made (for the demo's output).
    Run once on a fresh HQ (a second run refuses: the applications exist)."""
    from hq.applications.models import Application, School, SchoolAccount
    from hq.fleet.models import Station
    from hq.lists import assign, spt, workflow
    from hq.lists.models import ApplicationList, StationAssignment

    content = json.loads(bundle_path.read_text(encoding="utf-8"))["content"]
    station = Station.objects.get(pk=station_id)
    if (station.assignment_version or 0) < content["version"]:  # the demo made the station's first bundle itself
        Station.objects.filter(pk=station_id).update(assignment_version=content["version"])
        station.refresh_from_db()
    recording = max(dt.date.fromisoformat(content["recording_date"]), timezone.localdate())  # never in the past
    now = timezone.now()
    with transaction.atomic():
        people = _people(passwords)
        admin, kasi, kabid = people["demo-admin"], people["demo-kasi"], people["demo-kabid"]
        school = School.objects.create(npsn=content["school"]["npsn"], name=content["school"]["name"],
                                       district="Pekanbaru Kota")
        SchoolAccount.objects.create(user=people["demo-sekolah"], school=school)
        applied = now - dt.timedelta(days=5)
        for i, person in enumerate(content["applicants"]):
            owner = people["demo-siswa"] if i == 0 else people["demo-sekolah"]
            _application(person, school, owner, Application.State.VERIFIED, applied + dt.timedelta(minutes=3 * i),
                         admin)
        _siak_and_school_list(content["applicants"], school, "demo")

        other = School.objects.create(**SECOND_SCHOOL, district="Sukajadi")
        rng = random.Random(2026)  # noqa: S311 -- demo names, reproducible on purpose
        waiting = demo_applicants(rng, recording, 3)
        for i, person in enumerate(waiting):
            person["application_id"] = f"PMH-{recording.year}-{len(content['applicants']) + i + 1:06d}"  # next ones
        _siak_and_school_list(waiting, other, "demo")
        from hq.applications.models import SiakRecord

        SiakRecord.objects.filter(nik=waiting[1]["nik"]).update(name=waiting[1]["name"] + " Putra")  # a mismatch
        states = (Application.State.SUBMITTED, Application.State.SUBMITTED, Application.State.VERIFIED)
        for i, (person, state) in enumerate(zip(waiting, states, strict=True)):
            _application(person, other, people["demo-siswa"] if i == 0 else admin, state,
                         now - dt.timedelta(hours=3, minutes=-10 * i), admin)

        made = workflow.create_list(school, Application.objects.filter(school=school).values_list("pk", flat=True),
                                    admin)
        workflow.transition(made, "submit", admin, expected=ApplicationList.State.DRAFT)
        workflow.transition(made, "verify", kasi, expected=ApplicationList.State.SUBMITTED)
        workflow.transition(made, "approve", kabid, expected=ApplicationList.State.VERIFIED)
        team = {operator_id: people[operator_id] for operator_id, *_rest in TEAM}
        lead = next(team[o] for o, _n, role, _p in TEAM if role == "lead")
        issued, _pins = spt.issue_spt(made, recording, lead, [u for u in team.values() if u != lead],
                                      people["demo-kasubbag"])
        for operator_id, _name, _role, pin in TEAM:  # the station's demo PINs, so the kiosk logins keep working
            issued.members.filter(operator_id=operator_id).update(pin_hash=hash_pin(pin))
        # the demo signed the station's first bundle with HQ's demo key: HQ keeps it as issued under this SPT, so
        # the records the station seals under it are credited to this school, not refused at ingest (issue 21)
        StationAssignment.objects.get_or_create(station=station, version=content["version"], defaults={
            "spt": issued, "assignment_id": content["assignment_id"], "assigned_by": people["demo-piak"],
            "bundle": bundle_path.read_text(encoding="utf-8"), "published_at": now,
            "content_sha256": hashlib.sha256(canonical_bytes(content)).hexdigest()})
        assignment = assign.assign(issued, station, people["demo-piak"])
        _backdate(made, now - dt.timedelta(days=2, hours=3),
                  {"created": 0, "submitted": 6, "verified": 12, "approved": 4, "spt_issued": 8, "assigned": 25})
    if publish:
        assign.publish(assignment, people["demo-piak"])
        assignment.refresh_from_db()
    return {"logins": [(login.role, login.username) for login in LOGINS], "list": made.number,
            "spt": issued.number, "assignment_version": assignment.version,
            "published": assignment.published_at is not None, "publish_error": assignment.publish_error}
