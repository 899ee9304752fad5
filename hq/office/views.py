"""The office home: where each person starts after logging in, by what they may do."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from hq.office.menu import menu_for, waiting_for


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The person's menu as large links: a student sees 'Apply' and 'My applications', a Kabid the lists; above
    it, what waits for the Kasi (lists to check) and the Kabid (lists to approve), with how many have problems."""
    return render(request, "office/home.html", {"entries": menu_for(request), "waiting": waiting_for(request.user)})
