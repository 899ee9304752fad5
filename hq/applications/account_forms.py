"""A student's own account (SOP step 1): the registration form and the password-reset form that serves only
applicants (office staff get new passwords from `sinopsis hq createuser --update`)."""

from collections.abc import Iterator
from typing import Any

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from hq.applications.identity import person_name
from hq.office.roles import APPLICANT_ROLES


class RegistrationForm(forms.Form):
    """Full name, email (for password resets), an optional user name (the email when empty), the password
    twice, checked with Django's password validators."""

    full_name = forms.CharField(label=_lazy("Full name"), max_length=150,
                                error_messages={"required": _lazy("Type your full name.")},
                                widget=forms.TextInput(attrs={"autocomplete": "name"}))
    email = forms.EmailField(label=_lazy("Email"), help_text=_lazy("a new password is sent here if you forget yours"),
                             error_messages={"required": _lazy("Type your email address."),
                                             "invalid": _lazy("This is not an email address; type it like "
                                                              "nama@contoh.id.")},
                             widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    username = forms.CharField(label=_lazy("User name"), max_length=150, required=False,
                               help_text=_lazy("to log in; leave it empty to log in with your email"),
                               widget=forms.TextInput(attrs={"autocomplete": "username"}))
    password1 = forms.CharField(label=_lazy("Password"), strip=False,
                                help_text=_lazy("at least 10 characters, not a common password"),
                                error_messages={"required": _lazy("Choose a password.")},
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(label=_lazy("Password again"), strip=False,
                                error_messages={"required": _lazy("Type the password again.")},
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def clean_full_name(self) -> str:
        return person_name(self.cleaned_data["full_name"])

    def clean_email(self) -> str:
        """The address, lower case. Whether an account has it already is never said here (issue 19 point 6):
        account_activation.register answers the same and mails the address's owner instead."""
        return self.cleaned_data["email"].strip().lower()

    def clean_username(self) -> str:
        name = self.cleaned_data["username"].strip()
        if name:
            try:
                UnicodeUsernameValidator()(name)
                if "@" in name:  # an email as a chosen name would tell whether that email has an account
                    raise forms.ValidationError("@")
            except forms.ValidationError:
                raise forms.ValidationError(_("A user name has only letters, digits and . + - _ (no spaces, no @). "
                                              "Or leave it empty to log in with your email."),
                                            code="username") from None
        return name

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        username = data.get("username") or data.get("email")
        if username and not data.get("username") and not _usable_username(username):
            self.add_error("username", _("Your email cannot be a user name here. Choose a user name."))
            username = None
        if data.get("username") and get_user_model().objects.filter(username__iexact=username).exists():
            self.add_error("username", _("This user name is taken. Choose another one."))  # a chosen one only
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords are not the same. Type the same password twice."))
        elif first and username:
            candidate = get_user_model()(username=username, email=data.get("email", ""),
                                         first_name=data.get("full_name", ""))
            try:
                password_validation.validate_password(first, candidate)
            except forms.ValidationError as e:
                self.add_error("password1", e)
        data["username"] = username
        return data


def _usable_username(name: str) -> bool:
    try:
        UnicodeUsernameValidator()(name)
    except forms.ValidationError:
        return False
    return len(name) <= 150


class ApplicantPasswordResetForm(PasswordResetForm):
    """Django's reset form, for students' and schools' logins only."""

    email = forms.EmailField(label=_lazy("Email"), max_length=254,
                             help_text=_lazy("the email address of your SINOPSIS account"),
                             error_messages={"required": _lazy("Type your email address."),
                                             "invalid": _lazy("This is not an email address; type it like "
                                                              "nama@contoh.id.")},
                             widget=forms.EmailInput(attrs={"autocomplete": "email"}))

    def get_users(self, email: str) -> Iterator[Any]:
        for user in super().get_users(email):
            if user.groups.filter(name__in=APPLICANT_ROLES).exists():
                yield user
