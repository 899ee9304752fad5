"""The office foundation (issue 8, point 1): the SOP roles as groups with their permissions, the login landing
on the person's own home with the menu of what they may do, the fleet closed to students and schools, and the
help desk's contacts on every office page. Django's test client on HQ's real (temp) SQLite."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.test import Client, override_settings

from hq.errors import HqError
from hq.office.roles import GRANTS, ROLES, STAFF_ROLES, ensure_roles
from hq.users import create_user

PASSWORD = "kata-sandi-rahasia"


@pytest.fixture(autouse=True)
def quick_passwords() -> Iterator[None]:
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


def logged_in(username: str, *roles: str) -> Client:
    create_user(username, PASSWORD, roles=roles)
    client = Client(SERVER_NAME="localhost")
    assert client.login(username=username, password=PASSWORD)
    return client


def test_every_role_is_a_group_with_exactly_its_permissions(hq: Path):
    ensure_roles()  # again: safe to run twice, nothing doubles
    for role in ROLES:
        group = Group.objects.get(name=role)
        held = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}
        assert held == set(GRANTS[role]), role
    for role in STAFF_ROLES:
        assert "office.view_fleet" in GRANTS[role]
    assert "office.view_fleet" not in GRANTS["student"] and "office.view_fleet" not in GRANTS["school"]


def test_logging_in_lands_on_a_home_with_only_what_the_role_may_do(hq: Path):
    anonymous = Client(SERVER_NAME="localhost")
    assert anonymous.get("/office/")["Location"].startswith("/login/?next=/office/")
    create_user("kabid", PASSWORD, roles=("kabid_dafduk",))
    landed = anonymous.post("/login/", {"username": "kabid", "password": PASSWORD})
    assert landed.status_code == 302 and landed["Location"] == "/office/"

    kabid = anonymous.get("/office/").content.decode()
    assert "Selamat datang, kabid" in kabid and 'href="/"' in kabid  # the fleet, as staff
    student = logged_in("siswa", "student").get("/office/").content.decode()
    assert 'href="/"' not in student.split("<main")[1]  # no fleet tile for a student


def test_the_fleet_is_closed_to_students_and_schools(hq: Path):
    student = logged_in("siswa", "student")
    assert student.get("/")["Location"] == "/office/"  # the fleet page sends them home
    assert student.get("/fleet.json").status_code == 403
    assert logged_in("sekolah", "school").get("/stations/st-a/live.json").status_code == 403
    assert logged_in("piak", "kabid_piak").get("/fleet.json").status_code == 200


def test_the_help_desk_is_on_every_office_page_and_the_login_page(hq: Path):
    from hq.helpdesk.models import HelpDesk

    desk = HelpDesk.current()
    desk.whatsapp = "0812-7777-1234"
    desk.save()
    assert "0812-7777-1234" in Client(SERVER_NAME="localhost").get("/login/").content.decode()
    page = logged_in("admin1", "admin").get("/office/").content.decode()
    assert "0812-7777-1234" in page and "Butuh bantuan?" in page


def test_a_login_is_made_with_roles_and_an_unknown_role_is_refused(hq: Path):
    assert create_user("kasi", PASSWORD, roles=("kasi_pendataan", "team"), full_name="Siti Aminah")
    from django.contrib.auth.models import User

    kasi = User.objects.get(username="kasi")
    assert kasi.get_full_name() == "Siti Aminah"
    assert kasi.has_perm("lists.check_list") and not kasi.has_perm("lists.approve_list")
    with pytest.raises(HqError, match="not a role"):
        create_user("x", PASSWORD, roles=("kepala",))


def test_a_text_in_two_catalogues_is_translated_the_same_in_both():
    """Django merges every app's catalogue into one: a text two apps translate differently would show the wrong
    one on some page (the fleet's durations once said 'menit' because the help desk's won)."""
    from hq.fleet.catalog import HQ_DIR, parse_po

    seen: dict[str, tuple[str, str]] = {}
    clashes = []
    for po in sorted(HQ_DIR.glob("**/locale/id/LC_MESSAGES/django.po")):
        for msgid, msgstr in parse_po(po.read_text(encoding="utf-8")).items():
            if not msgid or not msgstr:
                continue
            first = seen.setdefault(msgid, (msgstr, str(po.relative_to(HQ_DIR))))
            if first[0] != msgstr:
                clashes.append(f"{msgid!r}: {first[1]} says {first[0]!r}, {po.relative_to(HQ_DIR)} {msgstr!r}")
    assert not clashes, "\n".join(clashes)
