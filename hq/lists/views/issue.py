"""SOP step 6: the Kasubbag Umum issues an approved list's SPT (recording date and team), and may renew the
team's PINs. The new PINs are in the answer to that POST only — shown once, not cached, never stored."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from hq.lists.errors import ListError
from hq.lists.forms import SptForm
from hq.lists.spt import issue_spt, new_pins, ready_for_spt, team_candidates
from hq.lists.views.common import get_list, get_spt, refused
from hq.lists.views.spts import spt_context
from hq.office.roles import require


@never_cache
@require("lists.issue_spt")
def issue(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the SPT form for an approved list (refused with the reason for any other list). POST: the SPT; the
    answer is its page with the team's PINs, this once."""
    application_list = get_list(pk)
    try:
        ready_for_spt(application_list)
    except ListError as e:
        return refused(request, e, "lists:detail", pk)
    form = SptForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            spt, pins = issue_spt(application_list, data["recording_date"], data["lead"], data["operators"],
                                  request.user)
        except ListError as e:
            form.add_error(None, str(e))
        else:
            messages.success(request, _("SPT %(number)s was issued. Hand each member their PIN now: this page is "
                                        "the only time the PINs are shown.") % {"number": spt.number})
            return render(request, "lists/spt.html", spt_context(request, spt, pins=pins))
    return render(request, "lists/issue.html", {"list": application_list, "form": form,
                                                "team": team_candidates(),
                                                "students": application_list.applications.count()},
                  status=400 if form.is_bound else 200)


@never_cache
@require_POST
@require("lists.issue_spt")
def renew_pins(request: HttpRequest, pk: int) -> HttpResponse:
    """POST: new PINs for the SPT's team (a lost PIN sheet), shown once; stations get them with the next
    assignment."""
    spt = get_spt(pk)
    pins = new_pins(spt, request.user)
    messages.warning(request, _("New PINs were made. Hand them to the team now (they are shown only this once), "
                                "then have the Kabid PIAK send the assignment to the stations again."))
    return render(request, "lists/spt.html", spt_context(request, spt, pins=pins))

