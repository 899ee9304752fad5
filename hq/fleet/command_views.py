"""Station commands from the dashboard (issue 21, point 9): for a login holding `fleet.send_command` (admin and
Kabid PIAK), the station page offers a button per command of the contract (contract.wire.COMMANDS). A button
opens a confirmation page that says what the command does and lets the person choose how long it stays valid;
only its POST sends it (hq/fleet/commands.py: a Job row, then the MQTT message with that expiry). The job's
state — sent, queued, in progress, succeeded, failed, refused, or expired when no final answer came before
its expiry — is in the station page's command table, which its live JSON updates every few seconds.
"""

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from contract.wire import COMMANDS
from hq.errors import HqError
from hq.fleet.commands import send_command_now
from hq.fleet.models import Station
from hq.office.roles import require

SEND = "fleet.send_command"

# What each command does, as the confirmation page says it (the station's agent: edge_agent/commands.py).
COMMAND_TEXTS = {
    "sync_now": (gettext_lazy("Send records now"),
                 gettext_lazy("The station sends every record still waiting to HQ now, without waiting for its "
                              "next round.")),
    "send_logs": (gettext_lazy("Send its log"),
                  gettext_lazy("The station answers with the last lines of its agent's log, shown in the "
                               "command table for the technician.")),
    "rotate_logs": (gettext_lazy("Start a new log file"),
                    gettext_lazy("The station closes its current log file and starts a new one; nothing is "
                                 "deleted.")),
    "purge_accepted": (gettext_lazy("Delete records HQ already holds"),
                       gettext_lazy("The station deletes the packets of records HQ accepted longer ago than its "
                                    "retention period, to free its disk. Records not yet at HQ are never "
                                    "deleted.")),
}
EXPIRY_CHOICES = ((15 * 60, gettext_lazy("15 minutes")), (3600, gettext_lazy("1 hour")),
                  (6 * 3600, gettext_lazy("6 hours")), (24 * 3600, gettext_lazy("1 day")))


class CommandForm(forms.Form):
    """How long the command stays valid: a station that comes back later never runs it."""

    expiry = forms.TypedChoiceField(label=gettext_lazy("Valid for"), coerce=int, choices=EXPIRY_CHOICES,
                                    initial=3600, error_messages={
        "required": gettext_lazy("Choose how long the command stays valid."),
        "invalid_choice": gettext_lazy("Choose one of the offered validity periods.")})


def choices(station_id: str) -> list[dict[str, str]]:
    """The command buttons of a station page: each command's name, label and confirmation page."""
    return [{"name": name, "label": str(COMMAND_TEXTS[name][0]),
             "href": reverse("fleet:command", args=[station_id, name])} for name in COMMANDS if name in COMMAND_TEXTS]


@require(SEND)
def command(request: HttpRequest, station_id: str, name: str) -> HttpResponse:
    """GET: the confirmation page for one command to one station. POST: send it with the chosen expiry, then
    back to the station's page, where its job's state shows as the station answers."""
    station = get_object_or_404(Station, pk=station_id)
    if name not in COMMANDS or name not in COMMAND_TEXTS:
        raise Http404(name)
    label, what = COMMAND_TEXTS[name]
    form = CommandForm(request.POST or None)
    context = {"station": station, "name": name, "label": label, "what": what, "form": form}
    if request.method != "POST":
        return render(request, "fleet/command.html", context)
    if station.revoked_at is not None:
        form.add_error(None, _("Station %(station)s is revoked: it can no longer connect, so no command can reach "
                               "it. Nothing was sent.") % {"station": station.id})
    if not form.is_valid():
        return render(request, "fleet/command.html", context, status=400)
    try:
        job = send_command_now(station.id, name, ttl_s=form.cleaned_data["expiry"],
                               created_by=request.user.get_username())
    except HqError as e:
        messages.error(request, _("The command '%(label)s' was not sent to station %(station)s: %(error)s. Try "
                                  "again when the message broker is back.") % {
            "label": label, "station": station.id, "error": str(e)})
        return redirect(reverse("fleet:station", args=[station.id]) + "#commands")
    messages.success(request, _("The command '%(label)s' was sent to station %(station)s (job %(job)s); it is valid "
                                "until %(until)s. Its state shows below as the station answers.") % {
        "label": label, "station": station.id, "job": job.id,
        "until": formats.time_format(timezone.localtime(job.expires_at), "H:i")})
    return redirect(reverse("fleet:station", args=[station.id]) + "#commands")
