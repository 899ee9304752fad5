"""SOP step 7: the Kabid PIAK assigns stations to an SPT (each gets the signed assignment as its `desired`), and
sends an assignment again when the broker could not take it.

A chosen station that HQ knows still holds records or a session of its current assignment (hq/fleet/reassign.py)
is not reassigned until the person confirms the warning shown for it: the page comes back (409) with each
warning and a checkbox per station; nothing is assigned until every such station is confirmed."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hq.fleet import reassign
from hq.lists.assign import assign, publish, ready_to_assign, tell_station
from hq.lists.errors import ListError
from hq.lists.forms import AssignForm
from hq.lists.models import StationAssignment
from hq.lists.views.common import get_spt
from hq.lists.views.spts import spt_context
from hq.office.roles import require


@require_POST
@require("lists.assign_station")
def assign_stations(request: HttpRequest, pk: int) -> HttpResponse:
    """POST: assign the chosen stations: each is checked, signed, stored and published; the page then says per
    station whether it was sent, refused (with the station's reasons) or waits for the broker."""
    spt = get_spt(pk)
    form = AssignForm(request.POST)
    if not form.is_valid():
        return render(request, "lists/spt.html", spt_context(request, spt, assign_form=form), status=400)
    confirmed = dict(v.split(":", 1) for v in request.POST.getlist("confirm") if ":" in v)
    guards = [g for g in map(reassign.guard, form.cleaned_data["stations"])
              if g is not None and confirmed.get(g.station_id) != g.token]
    if guards:  # nothing is assigned until each busy station is confirmed (as shown: the figures of now)
        return render(request, "lists/spt.html", {**spt_context(request, spt, assign_form=form),
                                                  "confirmations": guards}, status=409)
    for station in form.cleaned_data["stations"]:
        try:
            made = assign(spt, station, request.user, confirmed)
        except ListError as e:
            messages.error(request, str(e))
            continue
        publish(made, by=request.user)
        if tell_station(made, request.user) is not None:
            messages.warning(request, _("Station %(station)s was reassigned although it was busy (confirmed and "
                                        "recorded). The fleet dashboard shows an alert for it until the station "
                                        "confirms the new assignment.") % {"station": station.id})
        if made.publish_error:
            messages.error(request, _("Station %(station)s: assignment version %(v)d is saved but not sent: "
                                      "%(error)s") % {"station": station.id, "v": made.version,
                                                      "error": made.publish_error})
        else:
            messages.success(request, _("Station %(station)s: assignment version %(v)d was sent.") % {
                "station": station.id, "v": made.version})
    return redirect("lists:spt", pk)


@require_POST
@require("lists.assign_station")
def resend(request: HttpRequest, pk: int) -> HttpResponse:
    """POST: publish a stored assignment again (the same signed bundle), e.g. after the broker was down."""
    assignment = get_object_or_404(StationAssignment.objects.select_related("spt"), pk=pk)
    newer = StationAssignment.objects.filter(station_id=assignment.station_id, version__gt=assignment.version)
    if newer.exists():
        messages.error(request, _("Station %(station)s has a newer assignment already; this one is not sent "
                                  "again.") % {"station": assignment.station_id})
        return redirect("lists:spt", assignment.spt_id)
    try:
        ready_to_assign(assignment.spt)  # a list changed after approval waits for the Kabid, even the old bundle
    except ListError as e:
        messages.error(request, str(e))
        return redirect("lists:spt", assignment.spt_id)
    publish(assignment, by=request.user)
    if assignment.publish_error:
        messages.error(request, _("Station %(station)s: still not sent: %(error)s") % {
            "station": assignment.station_id, "error": assignment.publish_error})
    else:
        messages.success(request, _("Station %(station)s: assignment version %(v)d was sent.") % {
            "station": assignment.station_id, "v": assignment.version})
    return redirect("lists:spt", assignment.spt_id)
