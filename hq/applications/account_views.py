"""Students' own accounts: registration (public), and the password-reset pages (Django's views with HQ's
templates; the mail goes through HQ's mail setting, a file in <data>/mail/ unless an SMTP server is set)."""

from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth import views as auth_views
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _

from hq.applications.account_forms import ApplicantPasswordResetForm, RegistrationForm
from hq.office.roles import STUDENT, grant_roles


def register(request: HttpRequest) -> HttpResponse:
    """GET: the form. POST: a student's login is made, logged in, and sent to the application form. Someone
    logged in already goes to their home page."""
    if request.user.is_authenticated:
        return redirect("office:home")
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        first, _sep, last = data["full_name"].strip().partition(" ")
        with transaction.atomic():
            user = get_user_model().objects.create_user(data["username"], data["email"], data["password1"],
                                                        first_name=first[:150], last_name=last[:150])
            grant_roles(user, STUDENT)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Your account is ready. Fill in the application below."))
        return redirect("applications:apply")
    status = 400 if request.method == "POST" else 200
    return render(request, "applications/register.html", {"form": form}, status=status)


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
