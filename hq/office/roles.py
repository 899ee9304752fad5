"""The SOP's people as Django groups with their permissions (issue 8, point 1), kept in step with this table on
every `migrate`. A person may hold several roles; a view names the permission it needs, never a role, and
answers 403 to anyone without it (`office.roles.require`).

- student: a student applying for themselves — apply, see their applications and corrections, ask the help desk
- school: a school applying for its students — the same, for its school's students
- admin: the office's admin / operator — verify, import SIAK and school lists, corrections, build and submit
  lists, help desk
- kasi_pendataan (Kasi Pendataan): verify (check) submitted lists
- kabid_dafduk (Kabid Dafduk): approve lists
- kasubbag_umum (Kasubbag Umum): issue SPTs
- kabid_piak (Kabid PIAK): assign stations to SPTs; with the admin, send commands to stations from the dashboard
- team (a recording team member): see their SPTs and their list's progress — only the schools of the SPTs they
  are named on (hq/lists/scope.py): another team's list, its NIKs and its SPT answer 404

Every staff role (all but student and school) sees the office pages, the fleet dashboard and the service report;
every staff role but team also sees every school's lists and SPTs (`office.view_all_schools`). No role is a
superuser: the demo's own login (`sinopsis demo`) holds the roles it needs, like any other person.
"""

from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

STUDENT, SCHOOL, ADMIN, KASI, KABID_DAFDUK, KASUBBAG, KABID_PIAK, TEAM = (
    "student", "school", "admin", "kasi_pendataan", "kabid_dafduk", "kasubbag_umum", "kabid_piak", "team")
APPLICANT_ROLES = (STUDENT, SCHOOL)
STAFF_ROLES = (ADMIN, KASI, KABID_DAFDUK, KASUBBAG, KABID_PIAK, TEAM)
ROLES = APPLICANT_ROLES + STAFF_ROLES

STAFF = ("office.view_office", "office.view_fleet", "office.view_service_report", "helpdesk.view_ticket")
ALL_SCHOOLS = "office.view_all_schools"  # every school's lists and SPTs; team members see only their own SPTs'
OFFICE = (*STAFF, ALL_SCHOOLS)  # the office's own staff (all staff roles but team)
GRANTS: dict[str, tuple[str, ...]] = {
    STUDENT: ("applications.add_application",),
    SCHOOL: ("applications.add_application",),
    ADMIN: (*OFFICE, "applications.view_application", "applications.verify_application", "applications.import_siak",
            "applications.handle_correction", "lists.build_list", "lists.view_applicationlist",
            "helpdesk.answer_ticket", "helpdesk.change_helpdesk_setting",
            "axes.delete_accessattempt",  # unlock a locked login early
            "fleet.send_command"),  # station commands from the dashboard
    KASI: (*OFFICE, "applications.view_application", "lists.view_applicationlist", "lists.check_list"),
    KABID_DAFDUK: (*OFFICE, "applications.view_application", "lists.view_applicationlist", "lists.approve_list"),
    KASUBBAG: (*OFFICE, "lists.view_applicationlist", "lists.issue_spt"),
    KABID_PIAK: (*OFFICE, "lists.view_applicationlist", "lists.assign_station", "fleet.send_command"),
    TEAM: (*STAFF, "lists.view_applicationlist"),
}


def ensure_roles(*_args: Any, **_kwargs: Any) -> None:
    """Make every group and give it exactly the permissions in GRANTS (post_migrate; safe to run again)."""
    from django.apps import apps
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():  # the permissions of apps migrated after this one, too
        create_permissions(app_config, verbosity=0)
    for role, grants in GRANTS.items():
        group, _ = Group.objects.get_or_create(name=role)
        wanted = []
        for grant in grants:
            app_label, codename = grant.split(".")
            wanted.append(Permission.objects.get(content_type__app_label=app_label, codename=codename))
        group.permissions.set(wanted)


def roles_of(user: Any) -> set[str]:
    """The SOP roles a user holds (their groups that are roles)."""
    if not user.is_authenticated:
        return set()
    return set(user.groups.filter(name__in=ROLES).values_list("name", flat=True))


def grant_roles(user: Any, *roles: str) -> None:
    """Add `user` to the groups of `roles` (ValueError for a name that is not a role)."""
    unknown = [r for r in roles if r not in ROLES]
    if unknown:
        raise ValueError(f"not a role: {', '.join(unknown)} (roles: {', '.join(ROLES)})")
    user.groups.add(*Group.objects.filter(name__in=roles))


def require(*perms: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """View decorator: a login (else the login page), then every permission in `perms` (else 403)."""
    from django.contrib.auth.decorators import login_required

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @login_required
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.has_perms(perms):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.__name__, wrapped.__doc__ = view.__name__, view.__doc__
        return wrapped

    return decorate
