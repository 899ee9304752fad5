"""What several list pages share: finding a list or SPT (404 when absent), a person's name for the timeline, and
turning a refused request into a message on the page it came from."""

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect

from hq.lists.errors import ListError
from hq.lists.models import ApplicationList, Spt


def get_list(pk: int) -> ApplicationList:
    return get_object_or_404(ApplicationList.objects.select_related("school", "created_by"), pk=pk)


def get_spt(pk: int) -> Spt:
    return get_object_or_404(Spt.objects.select_related("application_list__school", "issued_by"), pk=pk)


def person(user: Any) -> str:
    """A person's name as the pages show it."""
    if user is None:
        return "—"
    return user.get_full_name() or user.get_username()


def refused(request: HttpRequest, error: ListError, to: str, *args: Any) -> HttpResponse:
    """Show why the request was refused (nothing changed) on the page `to`."""
    messages.error(request, str(error))
    return redirect(to, *args)
