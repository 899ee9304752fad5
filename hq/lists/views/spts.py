"""SOP steps 6–7 as pages: the SPTs (with what waits), one SPT (its team, the stations assigned and their
progress, the assignment form for the Kabid PIAK), and its printable PDF."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from hq.fleet import dashboard, display, reassign
from hq.fleet.models import Station
from hq.lists import progress
from hq.lists.content import changed_after_approval
from hq.lists.forms import AssignForm
from hq.lists.models import Spt, SptMember
from hq.lists.scope import spt_for, visible_spts
from hq.lists.spt_pdf import render_spt_pdf
from hq.office import listing
from hq.office.roles import require

SPT_SEARCH = ("number", "application_list__number", "application_list__school__name",
              "application_list__school__npsn", "members__name", "members__operator_id")


@require("lists.view_applicationlist")
def spts(request: HttpRequest) -> HttpResponse:
    """Every SPT (a team member: their own), newest first, with its list, school, recording date, team size and
    stations; `?q=` searches (SPT or list number, school, NPSN, a team member's name or operator id)."""
    q = listing.query(request)
    found = listing.matching(visible_spts(request.user), q, SPT_SEARCH)
    page = listing.page_of(request, found.select_related("application_list__school", "issued_by")
                           .prefetch_related("members", "assignments").order_by("-issued_at", "-pk"))
    rows = [{"spt": s, "members": len(s.members.all()), "stations": len({a.station_id for a in s.assignments.all()}),
             "errors": any(a.publish_error for a in s.assignments.all())} for s in page.object_list]
    mine = SptMember.objects.filter(user=request.user).count()
    return render(request, "lists/spts.html", {
        "rows": rows, "mine": mine, "page": page, "q": q, "found": page.paginator.count,
        "search_hint": _("SPT or list number, school, NPSN, team member")})


def spt_context(request: HttpRequest, spt: Spt, pins: dict[str, str] | None = None,
                assign_form: AssignForm | None = None) -> dict[str, Any]:
    """What the SPT page shows; `pins` only right after issuing or renewing them (never stored)."""
    application_list = spt.application_list
    changed = changed_after_approval(application_list)
    can_assign = request.user.has_perm("lists.assign_station") and not changed
    chosen = set(assign_form["stations"].value() or []) if assign_form is not None and assign_form.is_bound else set()
    return {
        "spt": spt, "list": application_list, "members": spt.members.order_by("role", "name"),
        "students": application_list.applications.count(), "changed": changed,
        "pins": sorted((pins or {}).items()),
        "progress": progress.for_spt(spt),
        "assignments": spt.assignments.select_related("station", "assigned_by").order_by("-assigned_at"),
        "can_assign": can_assign,
        "stations": station_choices() if can_assign else [],
        "chosen_stations": {str(c) for c in chosen},
        "can_renew_pins": request.user.has_perm("lists.issue_spt"),
        "assign_form": assign_form or AssignForm(),
    }


def station_choices() -> list[dict[str, str]]:
    """The enrolled stations to assign, each with where it is now, whether it is alive and what HQ knows it still
    holds of its current assignment (records not at HQ, a session open)."""
    found, now = [], timezone.now()
    stations = list(Station.objects.all())
    held = reassign.guards(stations)  # said before choosing: assigning a busy one will ask for a confirmation
    for station in stations:
        state = display.state_text(dashboard.effective_state(station, now)[0])
        busy = held.get(station.id)
        found.append({"id": station.id, "name": station.name, "school": station.school,
                      "spt_number": station.spt_number, "state_text": state["text"],
                      "state_level": state["level"], "busy": "; ".join(busy.facts()) if busy else ""})
    return found


@never_cache
@require("lists.view_applicationlist")
def spt_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One SPT: the team (no PINs), the school and date, the stations and the team's progress."""
    return render(request, "lists/spt.html", spt_context(request, spt_for(request.user, pk)))


@require("lists.view_applicationlist")
def spt_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The SPT letter as PDF (no PINs), shown in the browser with a file name to save it under; its QR opens this
    HQ as the request reached it unless SINOPSIS_HQ_PUBLIC_URL says otherwise."""
    spt = spt_for(request.user, pk)
    response = HttpResponse(render_spt_pdf(spt, request.build_absolute_uri("/")), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="SPT-{spt.year}-{spt.serial:03d}.pdf"'
    return response
