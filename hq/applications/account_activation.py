"""A student's registration that says nothing about which e-mail addresses have accounts (issue 19 point 6).

Whatever the address, the registration answers the same page ("check your email") after the same work (one
password hash, one mail), and the mail tells only the address's owner what happened:

- a new address: an inactive account is made and the mail holds its activation link;
- an address whose account was never activated: the account takes the new password and name, and the mail holds
  a fresh activation link (links mailed before stop working, since the token covers the password);
- an address with an active account: the mail says someone tried to make an account with it, with the links to
  log in and to choose a new password.

The activation page asks for the password chosen at registration before it activates and logs in: a link from a
registration somebody else made with this address (who knows that password, the owner does not) cannot hand the
owner an account its maker can log in to.
"""

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.mail import send_mail
from django.db import transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from hq.office.roles import STUDENT, grant_roles

USERNAME_TRIES = 20


class ActivationTokenGenerator(PasswordResetTokenGenerator):
    """Tokens of activation links: valid for PASSWORD_RESET_TIMEOUT (3 days), until the account is active or
    its password changes."""

    key_salt = "hq.applications.account_activation.ActivationTokenGenerator"

    def _make_hash_value(self, user: Any, timestamp: int) -> str:
        return f"{user.pk}{user.password}{user.is_active}{timestamp}{user.email}"


activation_tokens = ActivationTokenGenerator()


def _free_username(wanted: str) -> str:
    """`wanted` (the e-mail address when no user name was chosen), or it with -2, -3 … when that is taken."""
    users = get_user_model().objects
    for n in range(1, USERNAME_TRIES + 1):
        name = wanted if n == 1 else f"{wanted[:140]}-{n}"
        if not users.filter(username__iexact=name).exists():
            return name
    raise RuntimeError(f"no free user name after {USERNAME_TRIES} tries for {wanted!r}")


def _mail(request: HttpRequest, template: str, user: Any, **context: Any) -> None:
    base = f"{request.scheme}://{request.get_host()}"
    context = {"user": user, "name": user.get_full_name() or user.get_username(), "base": base,
               "login_url": base + reverse("fleet:login"),
               "reset_url": base + reverse("applications:password_reset"), **context}
    subject = " ".join(render_to_string(f"applications/{template}_subject.txt", context, request).split())
    send_mail(subject, render_to_string(f"applications/{template}_email.txt", context, request), None, [user.email])


def register(request: HttpRequest, data: dict[str, Any]) -> None:
    """Act on a valid RegistrationForm's data as the module says; the caller answers the same in every case."""
    first, _sep, last = data["full_name"].strip().partition(" ")
    users = get_user_model().objects
    with transaction.atomic():
        known = users.select_for_update().filter(email__iexact=data["email"]).order_by("pk").first()
        if known is not None and known.is_active:
            make_password(data["password1"])  # the same work as the other cases: no answer comes quicker
            user, template = known, "register_exists"
        elif known is not None:
            known.set_password(data["password1"])
            known.first_name, known.last_name = first[:150], last[:150]
            known.save(update_fields=["password", "first_name", "last_name"])
            user, template = known, "register_activate"
        else:
            user = users.create_user(_free_username(data["username"]), data["email"], data["password1"],
                                     first_name=first[:150], last_name=last[:150], is_active=False)
            grant_roles(user, STUDENT)
            template = "register_activate"
    link = ""
    if template == "register_activate":
        link = request.build_absolute_uri(reverse("applications:activate", kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)), "token": activation_tokens.make_token(user)}))
    _mail(request, template, user, link=link)
