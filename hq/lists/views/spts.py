"""SOP steps 6–7 as pages: the SPTs (with what waits), one SPT (its team, the stations assigned and their
progress, the assignment form for the Kabid PIAK), and its printable PDF."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from hq.lists import progress
from hq.lists.content import changed_after_approval
from hq.lists.forms import AssignForm
from hq.lists.models import Spt
from hq.lists.spt_pdf import render_spt_pdf
from hq.lists.views.common import get_spt
from hq.office.roles import require


@require("lists.view_applicationlist")
def spts(request: HttpRequest) -> HttpResponse:
    """Every SPT, newest first, with its list, school, recording date, team size and stations."""
    found = (Spt.objects.select_related("application_list__school", "issued_by")
             .prefetch_related("members", "assignments").order_by("-issued_at"))
    rows = [{"spt": s, "members": len(s.members.all()), "stations": len({a.station_id for a in s.assignments.all()}),
             "errors": any(a.publish_error for a in s.assignments.all())} for s in found]
    return render(request, "lists/spts.html", {"rows": rows})


def spt_context(request: HttpRequest, spt: Spt, pins: dict[str, str] | None = None,
                assign_form: AssignForm | None = None) -> dict[str, Any]:
    """What the SPT page shows; `pins` only right after issuing or renewing them (never stored)."""
    application_list = spt.application_list
    changed = changed_after_approval(application_list)
    return {
        "spt": spt, "list": application_list, "members": spt.members.order_by("role", "name"),
        "students": application_list.applications.count(), "changed": changed,
        "pins": sorted((pins or {}).items()),
        "progress": progress.for_spt(spt),
        "assignments": spt.assignments.select_related("station", "assigned_by").order_by("-assigned_at"),
        "can_assign": request.user.has_perm("lists.assign_station") and not changed,
        "can_renew_pins": request.user.has_perm("lists.issue_spt"),
        "assign_form": assign_form or AssignForm(),
    }


@never_cache
@require("lists.view_applicationlist")
def spt_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One SPT: the team (no PINs), the school and date, the stations and the team's progress."""
    return render(request, "lists/spt.html", spt_context(request, get_spt(pk)))


@require("lists.view_applicationlist")
def spt_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The SPT letter as PDF (no PINs), shown in the browser with a file name to save it under."""
    spt = get_spt(pk)
    response = HttpResponse(render_spt_pdf(spt), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="SPT-{spt.year}-{spt.serial:03d}.pdf"'
    return response
