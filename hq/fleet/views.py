"""The fleet dashboard's pages (a login with the office.view_fleet permission: every staff role; others get 403,
and the fleet page sends them to their office home): the fleet with its alerts, one station with its history, and for
each a small JSON document of the same cells that the page's script polls to update itself without reloading.

The fleet page lists the stations a page at a time (PAGE_SIZE), chosen by `?show=` (alerts, lost, behind,
disk_low; anything else: all) and `?q=` (a part of the station's id, name, school or SPT number); its JSON takes the
same parameters, so the live page keeps its choice. The state summary and the alerts always cover the whole fleet.
"""

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from hq.fleet import command_views, dashboard, display, fleet_rows
from hq.fleet.models import Station
from hq.office import listing
from hq.office.roles import require

FLEET = "office.view_fleet"

POLL_MS_DEFAULT = 5000
PAGE_SIZE = 50  # stations a page: a city's fleet on one or two pages, a province's in pages the browser draws fast

# ?show= → which stations the page lists (every one of them still counts in the summary and the alerts)
SHOW = {
    "": lambda v: True,
    "alerts": lambda v: bool(v.alerts),
    "lost": lambda v: v.state == Station.State.LOST,
    "behind": lambda v: v.oldest_pending_late or v.backlog_growing,
    "disk_low": lambda v: v.disk_low,
}


def show_labels() -> list[tuple[str, str]]:
    return [("", _("All stations")), ("alerts", _("With alerts")), ("lost", _("Lost")),
            ("behind", _("Behind on sending")), ("disk_low", _("Disk almost full"))]


def _poll_ms() -> int:
    return int(getattr(settings, "HQ_POLL_MS", POLL_MS_DEFAULT))


def _updated() -> str:
    return formats.time_format(timezone.localtime(), "H:i:s")


def fleet_data(request: HttpRequest) -> dict[str, Any]:
    """Everything the fleet page shows that changes: the cells of the stations on the page `request` asks for, the
    state summary of the whole fleet (the cell group "_summary", which no station id can be) and all alerts.
    `views`, `page`, `show` and `q` are for the template, not the JSON."""
    views = dashboard.fleet(max_age_s=settings.HQ_FLEET_REUSE_S)
    by_id = {v.id: v for v in views}
    show = request.GET.get("show", "")
    show = show if show in SHOW else ""
    q = listing.query(request)
    chosen = listing.matching_items([v for v in views if SHOW[show](v)], q, lambda v: v.id,
                                    lambda v: v.station.name, lambda v: v.station.school,
                                    lambda v: v.station.spt_number)
    page = listing.page_of(request, chosen, PAGE_SIZE)
    listed = list(page.object_list)
    cells = {v.id: display.station_cells(v) for v in listed}
    cells["_summary"] = {state: display.cell(n, display.STATE_LEVELS[state] if n else "muted")
                         for state, n in dashboard.state_counts(views).items()}
    return {
        "updated": _updated(),
        "stations": [v.id for v in listed],
        "cells": cells,
        "alerts": [display.alert_item(a, by_id) for a in dashboard.all_alerts(views)],
        "views": listed, "page": page, "show": show, "q": q, "enrolled": len(views), "found": len(chosen),
    }


def station_data(station_id: str) -> dict[str, Any]:
    """One station's cells, alerts and history tables; Http404 if it is not enrolled."""
    view = dashboard.station(station_id)
    if view is None:
        raise Http404(station_id)
    return {
        "updated": _updated(),
        "stations": [view.id],
        "cells": {view.id: display.station_cells(view)},
        "alerts": [display.alert_item(a, {view.id: view}) for a in view.alerts],
        "tables": display.history_tables(dashboard.history(station_id)),
        "view": view,  # for the template, not the JSON
    }


def _json(data: dict[str, Any]) -> JsonResponse:
    return JsonResponse({k: v for k, v in data.items() if k not in ("views", "view", "page", "show", "q")})


@never_cache
@login_required
def fleet_page(request: HttpRequest) -> HttpResponse:
    """Every station with its liveness, progress, queue and kit; the alerts on top."""
    if not request.user.has_perm(FLEET):
        return redirect("office:home")
    data = fleet_data(request)
    return render(request, "fleet/fleet.html", {
        **data, "rows": bool(data["views"]), "table_rows": fleet_rows.rows_html(data["views"], data["cells"]),
        "filters": show_labels(), "keep": [("show", data["show"])] if data["show"] else [],
        "search_hint": _("station, name, school or SPT"),
        "summary": data["cells"]["_summary"], "state_labels": list(display.STATE_LABELS.items()),
        "poll_ms": _poll_ms(), "lost_after": display.duration(dashboard.lost_after_s())})


@never_cache
@require(FLEET)
def fleet_json(request: HttpRequest) -> JsonResponse:
    return _json(fleet_data(request))


@never_cache
@require(FLEET)
def station_page(request: HttpRequest, station_id: str) -> HttpResponse:
    """One station: everything the fleet row shows, plus its recent status changes, health reports, records
    received and jobs."""
    data = station_data(station_id)
    commands = command_views.choices(station_id) if request.user.has_perm(command_views.SEND) else []
    return render(request, "fleet/station.html", {
        **data, "own": data["cells"][station_id], "heads": display.history_heads(), "poll_ms": _poll_ms(),
        "commands": commands})


@never_cache
@require(FLEET)
def station_json(request: HttpRequest, station_id: str) -> JsonResponse:
    return _json(station_data(station_id))
