"""Who may see which application: the login that applied, a school's login for its school's students, and office
staff holding applications.view_application. Anyone else gets 404 (not 403), so an application number reveals
nothing about someone else's application."""

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from hq.applications.models import Application, School, SchoolAccount


def school_of(user: Any) -> School | None:
    """The school a school's login applies for (None for everyone else)."""
    account = SchoolAccount.objects.filter(user=user).select_related("school").first()
    return account.school if account else None


def own_applications(user: Any) -> QuerySet[Application]:
    """The applications a student or school login made (a school's: every one of its students')."""
    school = school_of(user)
    if school is not None:
        return Application.objects.filter(Q(applicant=user) | Q(school=school))
    return Application.objects.filter(applicant=user)


def visible_applications(user: Any) -> QuerySet[Application]:
    """Every application for office staff who may view them; else the person's own."""
    if user.has_perm("applications.view_application"):
        return Application.objects.all()
    return own_applications(user)


def get_visible(user: Any, number: str) -> Application:
    """The application `number` if `user` may see it; Http404 otherwise (also when it does not exist)."""
    application = visible_applications(user).select_related("school").filter(number=number).first()
    if application is None:
        raise Http404("no such application")
    return application
