"""What every page's layout needs from the office: the person's roles (which menu entries to show). The help
desk's contacts (SOP step 10: on every page for students) come from hq/helpdesk/context.py."""

from typing import Any

from django.http import HttpRequest

from hq.office.menu import menu_for
from hq.office.roles import STAFF_ROLES, roles_of


def office(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    roles = roles_of(user) if user is not None else set()
    return {"roles": roles, "is_staff_role": bool(roles & set(STAFF_ROLES)),
            "office_menu": menu_for(request) if user is not None and user.is_authenticated else []}
