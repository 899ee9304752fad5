"""HQ's people: a login for the web app (the fleet dashboard), made from the command line."""

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from hq.errors import HqError


def create_user(username: str, password: str, *, superuser: bool = False, update: bool = False) -> bool:
    """Create a login (or change its password with `update`); returns True when created. HqError for a weak
    password, a bad name, or an existing name without `update`."""
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
    candidate.save()
    return user is None
