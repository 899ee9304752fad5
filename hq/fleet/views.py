"""The fleet dashboard's pages (a login with the office.view_fleet permission: every staff role; others get 403,
and the fleet page sends them to their office home): the fleet with its alerts, one station with its history, and for
each a small JSON document of the same cells that the page's script polls to update itself without reloading."""

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.views.decorators.cache import never_cache

from hq.fleet import command_views, dashboard, display, fleet_rows
from hq.office.roles import require

FLEET = "office.view_fleet"

POLL_MS_DEFAULT = 5000


def _poll_ms() -> int:
    return int(getattr(settings, "HQ_POLL_MS", POLL_MS_DEFAULT))


def _updated() -> str:
    return formats.time_format(timezone.localtime(), "H:i:s")


def fleet_data() -> dict[str, Any]:
    """Everything the fleet page shows that changes: per-station cells, the state summary (the cell group
    "_summary", which no station id can be) and the alerts. `views` is for the template, not the JSON."""
    views = dashboard.fleet()
    by_id = {v.id: v for v in views}
    cells = {v.id: display.station_cells(v) for v in views}
    cells["_summary"] = {state: display.cell(n, display.STATE_LEVELS[state] if n else "muted")
                         for state, n in dashboard.state_counts(views).items()}
    return {
        "updated": _updated(),
        "stations": [v.id for v in views],
        "cells": cells,
        "alerts": [display.alert_item(a, by_id) for a in dashboard.all_alerts(views)],
        "views": views,
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
    return JsonResponse({k: v for k, v in data.items() if k not in ("views", "view")})


@never_cache
@login_required
def fleet_page(request: HttpRequest) -> HttpResponse:
    """Every station with its liveness, progress, queue and kit; the alerts on top."""
    if not request.user.has_perm(FLEET):
        return redirect("office:home")
    data = fleet_data()
    return render(request, "fleet/fleet.html", {
        **data, "rows": bool(data["views"]), "table_rows": fleet_rows.rows_html(data["views"], data["cells"]),
        "summary": data["cells"]["_summary"], "state_labels": list(display.STATE_LABELS.items()),
        "poll_ms": _poll_ms(), "lost_after": display.duration(dashboard.lost_after_s())})


@never_cache
@require(FLEET)
def fleet_json(request: HttpRequest) -> JsonResponse:
    return _json(fleet_data())


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
