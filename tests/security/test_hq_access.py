"""Every HQ URL against the wrong people (issue 10, point 6a). Django's URL resolver is walked recursively and each
pattern filled with real ids (a list, its SPT, an application, a correction, a ticket, a station, all made for
the test) or plausible values; every URL found must be in ACCESS below, so a new page — public above all — is a
conscious decision. Then, for each URL:

- anonymous GET and POST: a redirect to the login page, or 403/404/405 — never a page, except the deliberately
  public ones (login, registration, password reset, the language switch, static files);
- a student: 403/404 on every page that needs a permission a student lacks;
- each staff role: 403 on every page of a permission its GRANTS (hq/office/roles.py) do not hold, and not 403 on
  the pages it may see (so the table below and the views agree);
- object pages open to any login (an application, a ticket) answer 404 to a login it does not belong to;
- CSRF: a POST without the token is refused (403) on every URL, even by a login holding every permission.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve

from hq.office.roles import GRANTS, ROLES, STAFF_ROLES, STUDENT
from tests.hq.lists.conftest import PEOPLE, indonesian, make_list, people, quick_passwords, recording_day, school

__all__ = ["indonesian", "make_list", "people", "quick_passwords", "school"]  # the lists tests' fixtures


@dataclass(frozen=True)
class Rule:
    """Who may open a URL: `public` (anyone), `login` (any login; the view shows only the person's own data), or
    a login holding every permission in `all_of` and (when given) at least one of `any_of`."""

    all_of: tuple[str, ...] = ()
    any_of: tuple[str, ...] = ()
    public: bool = False
    login: bool = False

    def allows(self, role: str) -> bool:
        held = set(GRANTS[role])
        return self.public or self.login or (set(self.all_of) <= held and
                                             (not self.any_of or bool(set(self.any_of) & held)))


EXPORTS = {"reports:pdf", "reports:xlsx", "reports:csv", "lists:spt_pdf"}
PUBLIC, LOGIN = Rule(public=True), Rule(login=True)


def perm(*names: str, any_of: tuple[str, ...] = ()) -> Rule:
    return Rule(all_of=names, any_of=any_of)


FLEET, REPORT = perm("office.view_fleet"), perm("office.view_service_report")
VIEW_LISTS, BUILD = perm("lists.view_applicationlist"), perm("lists.build_list")
SPT, ASSIGN = perm("lists.issue_spt"), perm("lists.assign_station")
APPLY, VERIFY = perm("applications.add_application"), perm("applications.verify_application")
IMPORT, CORRECT = perm("applications.import_siak"), perm("applications.handle_correction")
ANSWER = perm("helpdesk.answer_ticket")

# Every URL HQ serves, by name (an unnamed one by its route). A new URL fails test_every_url_is_known until
# it is added here: PUBLIC only on purpose.
ACCESS: dict[str, Rule] = {
    "fleet:login": PUBLIC, "applications:register": PUBLIC, "applications:register_sent": PUBLIC,
    "applications:activate": PUBLIC, "applications:password_reset": PUBLIC,
    "applications:password_reset_done": PUBLIC, "applications:password_reset_complete": PUBLIC,
    "applications:password_reset_confirm": PUBLIC, "set_language": PUBLIC,
    "spt_verify": PUBLIC,  # an SPT letter's QR: number, dates, school and validity only (tests/hq/lists/test_spt.py)
    "office:home": LOGIN, "fleet:index": LOGIN, "fleet:logout": LOGIN, "applications:detail": LOGIN,
    "helpdesk:tickets": LOGIN, "helpdesk:ticket": LOGIN,
    "applications:correction_reply": LOGIN, "applications:reply_attachment": LOGIN,  # the applicant's own only
    "fleet:fleet_json": FLEET, "fleet:station": FLEET, "fleet:station_json": FLEET,
    "fleet:command": perm("fleet.send_command"),
    "reports:service": REPORT, "reports:csv": REPORT, "reports:xlsx": REPORT, "reports:pdf": REPORT,
    "helpdesk:setting": perm("helpdesk.change_helpdesk_setting"), "helpdesk:answer": ANSWER,
    "helpdesk:close": ANSWER,
    "lists:index": VIEW_LISTS, "lists:mine": VIEW_LISTS, "lists:new": BUILD, "lists:group": BUILD,
    "lists:detail": VIEW_LISTS, "lists:edit": BUILD, "lists:submit": BUILD, "lists:verify": perm("lists.check_list"),
    "lists:approve": perm("lists.approve_list"), "lists:reapprove": perm("lists.approve_list"),
    "lists:return": perm("lists.view_applicationlist", any_of=("lists.check_list", "lists.approve_list")),
    "lists:issue": SPT, "lists:spts": VIEW_LISTS, "lists:spt": VIEW_LISTS, "lists:spt_pdf": VIEW_LISTS,
    "lists:renew_pins": SPT, "lists:assign": ASSIGN, "lists:resend": ASSIGN,
    "lists:bulk_verify": perm("lists.check_list"), "lists:bulk_approve": perm("lists.approve_list"),
    "applications:apply": APPLY, "applications:mine": APPLY, "applications:queue": VERIFY,
    "applications:review": perm("applications.view_application"),  # the Kasi and Kabid read it (issue 21)
    "applications:decide": VERIFY, "applications:undo_verification": VERIFY, "applications:imports": IMPORT,
    "applications:import_siak": IMPORT, "applications:import_school": IMPORT,
    "applications:corrections": CORRECT, "applications:correction": CORRECT,
    "applications:correction_answer": CORRECT, "applications:correction_resolve": CORRECT,
    "applications:lockouts": perm("axes.delete_accessattempt"),
    "applications:conflicts": VERIFY, "applications:conflict_resolve": VERIFY,
    "ingest:verify": perm("office.view_office"), "ingest:verify_slip": perm("office.view_office"),
}


@dataclass(frozen=True)
class Url:
    key: str
    path: str


def walk(patterns: list, prefix: str = "", namespace: str = "") -> Iterator[tuple[str, str, URLPattern]]:
    """(key, route with placeholders, pattern) for every URL pattern, recursively through includes."""
    for p in patterns:
        route = str(p.pattern)
        if isinstance(p, URLResolver):
            inner = f"{namespace}:{p.namespace}" if namespace and p.namespace else (p.namespace or namespace)
            yield from walk(p.url_patterns, prefix + route.lstrip("^"), inner)
        else:
            key = (f"{namespace}:{p.name}" if namespace else p.name) if p.name else prefix + route
            yield key, prefix + route, p


def fill(route: str, values: dict[str, str]) -> str:
    """A concrete path for a route (`<int:pk>`, `<str:npsn>`) or a regex (`(?P<number>…)`)."""
    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: values[m.group(1)], route)
    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: values[m.group(1)], path)
    return "/" + path.replace("^", "").replace("$", "")


def every_url(values: dict[str, str], path_values: dict[str, str]) -> list[Url]:
    urls = []
    for key, route, pattern in walk(get_resolver().url_patterns):
        filled = fill(route, {**values, "path": path_values.get(key, "x")})
        assert resolve(filled).func == pattern.callback, f"{key}: {filled} resolves elsewhere"
        urls.append(Url(key, filled))
    return urls


@pytest.fixture
def objects(people: dict[str, Any], make_list, school) -> Iterator[dict[str, str]]:
    """One of everything a URL can name: an approved list with its SPT, the school's applications, a correction,
    a student's help-desk ticket, an enrolled station; the values to fill the URLs with."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from contract.keys import public_pem
    from hq.applications.decisions import request_correction
    from hq.applications.models import Application, Correction
    from hq.fleet.enrolment import enrol_station
    from hq.helpdesk.models import Ticket
    from hq.helpdesk.tickets import open_ticket
    from hq.lists.spt import issue_spt

    application_list = make_list("approved")
    spt, _pins = issue_spt(application_list, recording_day(), people["rina.tim"], [people["agus.tim"]],
                           people["kasubbag1"])
    application = Application.objects.filter(state=Application.State.SUBMITTED).first()
    correction = request_correction(application, people["admin1"], ["kk_number"], "KK berbeda")
    ticket = open_ticket(subject="Jadwal", question="Kapan perekaman?", asked_by=people["student1"])
    enrol_station("st-sec", public_pem(Ed25519PrivateKey.generate().public_key()).encode(), school="SMA")
    yield {"pk": str(application_list.pk), "npsn": school.npsn, "number": application.number,
           "station_id": "st-sec", "uidb64": "MQ", "token": "set-password", "ticket": ticket.number,
           "spt": str(spt.pk), "correction": str(correction.pk), "payload": "SINOPSIS-SLIP", "name": "sync_now"}
    for model in (Ticket, Correction):
        model.objects.all().delete()


def urls_for(objects: dict[str, str]) -> list[Url]:
    """Every URL with the test's objects in it (a path's own pk: the list's, the SPT's or the correction's)."""
    found = []
    for url in every_url({**objects, "number": objects["number"]}, {}):  # /static/ is whitenoise's, not a URL
        path = url.path
        if url.key.startswith("lists:") and "/spt/" in path:
            path = path.replace(f"/spt/{objects['pk']}/", f"/spt/{objects['spt']}/")
        if url.key.startswith("applications:correction"):
            path = path.replace(f"/corrections/{objects['pk']}/", f"/corrections/{objects['correction']}/")
        if url.key.startswith("helpdesk:") and "/tickets/" in path:
            path = path.replace(f"/tickets/{objects['number']}/", f"/tickets/{objects['ticket']}/")
        found.append(Url(url.key, path))
    return found


def client(user: Any = None, csrf: bool = False) -> Client:
    browser = Client(SERVER_NAME="localhost", enforce_csrf_checks=csrf)
    if user is not None:
        browser.force_login(user)
    return browser


def test_every_url_is_known(objects):
    keys = {u.key for u in urls_for(objects)}
    assert keys == set(ACCESS), f"new: {sorted(keys - set(ACCESS))}; gone: {sorted(set(ACCESS) - keys)}"
    assert len(keys) >= 50


def test_anonymous_requests_reach_only_the_public_pages(objects):
    anonymous = client()
    for url in urls_for(objects):
        for method in ("get", "post"):
            response = getattr(anonymous, method)(url.path)
            status = response.status_code
            where = f"anonymous {method.upper()} {url.path} ({url.key}): {status}"
            if ACCESS[url.key].public:
                assert status in (200, 302, 400, 404, 405), where
                continue
            if status == 302:
                assert response["Location"].startswith("/login/"), where
            else:
                assert status in (403, 404, 405), where


def test_a_student_gets_nothing_of_the_staff(objects, people):
    student = client(people["student1"])
    for url in urls_for(objects):
        rule = ACCESS[url.key]
        if rule.allows(STUDENT):
            continue
        for method in ("get", "post"):
            response = getattr(student, method)(url.path)
            assert response.status_code in (403, 404, 405), f"student {method.upper()} {url.path} ({url.key}): " \
                                                             f"{response.status_code}"
            if method == "get" and response.status_code == 404:
                pytest.fail(f"{url.key}: 404 where a missing permission should say 403")


def test_each_staff_role_gets_403_on_the_pages_of_other_roles(objects, people):
    logins = {role: next(u for name, (r, _n) in PEOPLE.items() if r == role for u in [people[name]])
              for role in STAFF_ROLES}
    seen_denied, exported = set(), set()
    for role in STAFF_ROLES:
        browser = client(logins[role])
        for url in urls_for(objects):
            rule = ACCESS[url.key]
            if rule.public or url.key == "fleet:logout" or (url.key in EXPORTS and rule.allows(role) and
                                                            url.key in exported):
                continue  # the exports are rendered for the first role that may have them (a PDF costs ~0.25 s)
            if rule.allows(role):
                exported.update({url.key} & EXPORTS)
            get = browser.get(url.path)
            where = f"{role} GET {url.path} ({url.key}): {get.status_code}"
            if rule.allows(role):
                assert get.status_code != 403, where
                assert get.status_code in (200, 302, 404, 405), where
            else:
                seen_denied.add(url.key)
                assert get.status_code in (403, 405), where
                post = browser.post(url.path)
                assert post.status_code == 403, f"{role} POST {url.path} ({url.key}): {post.status_code}"
    assert len(seen_denied) >= 25, "most staff pages are closed to some staff role"


def test_object_pages_open_to_any_login_show_only_the_persons_own(objects, people):
    from hq.users import create_user

    create_user("siswa-lain", "kata-sandi-panjang-sekali", roles=("student",))
    other = client(get_user_model().objects.get(username="siswa-lain"))
    kasubbag = client(people["kasubbag1"])  # staff, but not holding applications.view_application
    application, ticket = f"/applications/{objects['number']}/", f"/helpdesk/tickets/{objects['ticket']}/"
    assert client(people["student1"]).get(application).status_code == 200  # the applicant
    assert client(people["admin1"]).get(application).status_code == 200  # the office
    assert other.get(application).status_code == 404 and kasubbag.get(application).status_code == 404
    assert client(people["student1"]).get(ticket).status_code == 200
    assert other.get(ticket).status_code == 404
    assert client(people["admin1"]).get(ticket).status_code == 200  # the help desk


def test_a_post_without_the_csrf_token_is_refused_on_every_url(objects):
    everything = get_user_model().objects.create_superuser("super", "super@contoh.id", "kata-sandi-panjang-sekali")
    with_all_permissions, anonymous = client(everything, csrf=True), client(csrf=True)
    for url in urls_for(objects):
        for who, browser in (("superuser", with_all_permissions), ("anonymous", anonymous)):
            response = browser.post(url.path, {"state": "approved", "reason": "x", "next": "/"})
            assert response.status_code == 403, f"{who} POST {url.path} ({url.key}) without CSRF token: " \
                                                 f"{response.status_code}"
    assert set(GRANTS) == set(ROLES)


def test_public_pages_do_not_redirect_off_site_or_serve_outside_their_folder(people):
    """The login's and the language switch's `next` never sends anyone to another site (an open redirect would
    dress a phishing page as HQ's login), and the static routes serve only their own folder."""
    from tests.hq.lists.conftest import PASSWORD

    evil = "https://evil.example/login/"
    anonymous = client()
    landed = anonymous.post(f"/login/?next={evil}", {"username": "admin1", "password": PASSWORD, "next": evil})
    assert landed.status_code == 302 and not landed["Location"].startswith(("http", "//")), landed["Location"]
    for next_url in (evil, "//evil.example/", "https:evil.example"):
        switched = client().post("/i18n/setlang/", {"language": "en", "next": next_url},
                                 headers={"referer": evil})
        assert switched.status_code in (302, 204), next_url
        if switched.status_code == 302:
            assert "evil" not in switched["Location"], switched["Location"]
    for path in ("/static/fleet/..", "/static/office/..", "/static/fleet/...", "/static/office/.%2e",
                 "/static/fleet/..%2fviews.py", "/static/office/%2e%2e"):
        assert anonymous.get(path).status_code == 404, path


# The object pages a team member may open (issue 21 point 4): only for the lists and SPTs they are named on.
TEAM_SCOPED = {"lists:detail", "lists:spt", "lists:spt_pdf"}


def test_a_team_member_sees_only_the_schools_of_their_own_spts(objects, people):
    """Every URL the team role may open that names a list or an SPT answers 404 to a team member not on its SPT
    (as if it did not exist) and opens for the members; the index pages leave the other school out."""
    from hq.applications.models import Application
    from hq.users import create_user

    create_user("budi.tim", "kata-sandi-panjang-sekali", roles=("team",))
    outsider = client(get_user_model().objects.get(username="budi.tim"))
    member = client(people["agus.tim"])
    named = {u.key: u.path for u in urls_for(objects)
             if ACCESS[u.key].allows("team") and not ACCESS[u.key].login and "<" not in u.path and
             (f"/{objects['pk']}/" in u.path or f"/{objects['spt']}/" in u.path)}
    assert set(named) == TEAM_SCOPED, sorted(named)
    for key, path in named.items():
        assert outsider.get(path).status_code == 404, key
        assert member.get(path).status_code == 200, key
    nik = Application.objects.filter(lists__pk=objects["pk"]).values_list("nik", flat=True).first()
    for index in ("/lists/", "/lists/spt/"):
        assert nik not in outsider.get(index).content.decode(), index
    assert nik in member.get(f"/lists/{objects['pk']}/").content.decode()
    assert "SMA Negeri 1" not in outsider.get("/lists/spt/").content.decode()
    assert "SMA Negeri 1" in member.get("/lists/spt/").content.decode()
