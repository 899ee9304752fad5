"""HQ's people: an office login for the web app, with its SOP roles (hq/office/roles.py), made from the command
line. Students make their own accounts on the web."""

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from hq.errors import HqError


def create_user(username: str, password: str, *, superuser: bool = False, update: bool = False,
                roles: tuple[str, ...] = ("admin",), full_name: str = "") -> bool:
    """Create a login with `roles` (or change its password with `update`, adding `roles`); returns True when
    created. HqError for a weak password, a bad name, an unknown role, or an existing name without `update`."""
    from hq.office.roles import ROLES, grant_roles

    unknown = [r for r in roles if r not in ROLES]
    if unknown:
        raise HqError(f"{', '.join(unknown)} is not a role; the roles are {', '.join(ROLES)}", "hq.user_role")
    users = get_user_model()
    user = users.objects.filter(username=username).first()
    if user is not None and not update:
        raise HqError(f"{username!r} has a login already; give --update to change its password", "hq.user_exists")
    candidate = user or users(username=username)
    try:
        candidate.full_clean(exclude=["password"], validate_unique=False)
        validate_password(password, candidate)
    except ValidationError as e:
        raise HqError(f"user {username!r}: {' '.join(e.messages)}", "hq.user") from None
    candidate.set_password(password)
    if superuser:
        candidate.is_staff = candidate.is_superuser = True
    if full_name:
        candidate.first_name, _, candidate.last_name = full_name.partition(" ")
    candidate.save()
    grant_roles(candidate, *roles)
    return user is None
