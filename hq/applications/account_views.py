"""Students' own accounts: registration (public) with its activation link, and the password-reset pages
(Django's views with HQ's templates); the mails go through HQ's mail setting, a file in <data>/mail/ unless an
SMTP server is set. Registration and password reset answer the same for known and unknown addresses
(account_activation.py)."""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from hq.applications import account_activation
from hq.applications.account_forms import ApplicantPasswordResetForm, RegistrationForm


def register(request: HttpRequest) -> HttpResponse:
    """GET: the form. POST: the mail to the address (an activation link, or word that it has an account) and the
    same "check your email" page for every address. Someone logged in already goes to their home page."""
    if request.user.is_authenticated:
        return redirect("office:home")
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        account_activation.register(request, form.cleaned_data)
        return redirect("applications:register_sent")
    status = 400 if request.method == "POST" else 200
    return render(request, "applications/register.html", {"form": form}, status=status)


def register_sent(request: HttpRequest) -> HttpResponse:
    """The one answer to every registration: check your email."""
    return render(request, "applications/register_sent.html")


class ActivationForm(forms.Form):
    password = forms.CharField(label=_lazy("Password"), strip=False,
                               help_text=_lazy("the password you chose when you made the account"),
                               error_messages={"required": _lazy("Type your password.")},
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))


def _pending(uidb64: str, token: str) -> Any:
    """The inactive account the link is for, if the link is valid; else None."""
    try:
        user = get_user_model().objects.get(pk=int(force_str(urlsafe_base64_decode(uidb64))), is_active=False)
    except (ValueError, TypeError, OverflowError, get_user_model().DoesNotExist):
        return None
    return user if account_activation.activation_tokens.check_token(user, token) else None


def activate(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """GET: the password form (or why the link does not work). POST: the registration's password activates the
    account, logs in and opens the application form."""
    user = _pending(uidb64, token)
    form = ActivationForm(request.POST or None)
    if user is not None and request.method == "POST" and form.is_valid():
        if user.check_password(form.cleaned_data["password"]):
            user.is_active = True
            user.save(update_fields=["is_active"])
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Your account is ready. Fill in the application below."))
            return redirect("applications:apply")
        form.add_error("password", _("This is not the password chosen when the account was made. Type that "
                                     "one, or make the account again (a new link comes by email)."))
    status = 400 if request.method == "POST" or user is None else 200
    return render(request, "applications/register_activate.html", {"form": form, "validlink": user is not None},
                  status=status)


password_reset = auth_views.PasswordResetView.as_view(
    form_class=ApplicantPasswordResetForm,
    template_name="applications/password_reset.html",
    email_template_name="applications/password_reset_email.txt",
    subject_template_name="applications/password_reset_subject.txt",
    success_url=reverse_lazy("applications:password_reset_done"))
password_reset_done = auth_views.PasswordResetDoneView.as_view(
    template_name="applications/password_reset_done.html")
password_reset_confirm = auth_views.PasswordResetConfirmView.as_view(
    template_name="applications/password_reset_confirm.html",
    success_url=reverse_lazy("applications:password_reset_complete"))
password_reset_complete = auth_views.PasswordResetCompleteView.as_view(
    template_name="applications/password_reset_complete.html")
