"""The fleet dashboard's pages (a login with the office.view_fleet permission: every staff role; others get 403,
and the fleet page sends them to their office home): the fleet with its alerts, one station with its history, and for
each a small JSON document of the same cells that the page's script polls to update itself without reloading.

The fleet page lists the stations a page at a time (PAGE_SIZE), chosen by `?show=` (alerts, lost, behind,
disk_low; anything else: all) and `?q=` (a part of the station's id, name, school or SPT number); its JSON takes the
same parameters, so the live page keeps its choice. The state summary and the alerts always cover the whole fleet
(the alerts of the first overview.ALERT_STATIONS stations listed, the others counted), read from the database
(hq/fleet/overview.py): a request works out only the stations it shows, whatever the fleet's size.
"""

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from hq.fleet import alert_words, command_views, dashboard, display, fleet_rows, overview
from hq.office import listing
from hq.office.roles import require

FLEET = "office.view_fleet"

POLL_MS_DEFAULT = 5000
PAGE_SIZE = 50  # stations a page: a city's fleet on one or two pages, a province's in pages the browser draws fast


def show_labels() -> list[tuple[str, str]]:
    return [("", _("All stations")), ("alerts", _("With alerts")), ("lost", _("Lost")),
            ("behind", _("Behind on sending")), ("disk_low", _("Disk almost full"))]


def _poll_ms() -> int:
    return int(getattr(settings, "HQ_POLL_MS", POLL_MS_DEFAULT))


def _updated() -> str:
    return formats.time_format(timezone.localtime(), "H:i:s")


def fleet_data(request: HttpRequest) -> dict[str, Any]:
    """Everything the fleet page shows that changes: the cells of the stations on the page `request` asks for, the
    state summary of the whole fleet (the cell group "_summary", which no station id can be) and the alerts of the
    first overview.ALERT_STATIONS stations with alerts (then a line with how many more, which lists them all).
    The whole-fleet numbers are counted by the database (hq/fleet/overview.py); only the stations shown are worked
    out. `views`, `page`, `show` and `q` are for the template, not the JSON."""
    now = timezone.now()
    show = request.GET.get("show", "")
    show = show if show in overview.CHOICES else ""
    q = listing.query(request)
    page = listing.page_of(request, listing.matching(overview.chosen(show, now), q, overview.SEARCH_FIELDS),
                           PAGE_SIZE)
    fleet = overview.summary(now)
    first = overview.alerting_first(now, overview.ALERT_STATIONS)
    rows = list(page.object_list)
    shown = {s.id: s for s in [*rows, *first]}  # each worked out once, whether listed, alerting or both
    by_id = {v.id: v for v in dashboard.views_of(list(shown.values()), now)}
    listed = [by_id[s.id] for s in rows]
    cells = {v.id: display.station_cells(v) for v in listed}
    cells["_summary"] = {state: display.cell(n, display.STATE_LEVELS[state] if n else "muted")
                         for state, n in fleet.states.items()}
    alerts = [alert_words.alert_item(a, by_id) for a in dashboard.all_alerts([by_id[s.id] for s in first])]
    if fleet.alerting > len(first):
        alerts.append(alert_words.more_alerts(fleet.alerting - len(first)))
    return {
        "updated": _updated(), "stations": [v.id for v in listed], "cells": cells, "alerts": alerts,
        "views": listed, "page": page, "show": show, "q": q, "enrolled": fleet.enrolled, "found": page.paginator.count,
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
        "alerts": [alert_words.alert_item(a, {view.id: view}) for a in view.alerts],
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
