"""Issue 22 point 3: the fleet page's whole-fleet numbers are counted by the database from what ingest keeps on each
station's row (hq/fleet/overview.py), not worked out station by station per request. These tests hold the database's
answers to the dashboard's own rules (dashboard.alerts_for and effective_state over every station's view) for every
alert rule and state, now and later on HQ's clock; check that what ingest keeps follows random Health reports; that
the page lists the first stations with alerts (the bad ones first) and counts the rest; that a request works out
only the stations it shows; and that the upgrade's migration fills in what existing stations' last Health says.
"""

import datetime as dt
import importlib
import random
from collections import Counter

import pytest
from django.utils import timezone

from contract.wire import Reported
from hq.fleet import dashboard, overview, rules
from hq.fleet.enrolment import revoke_station
from hq.fleet.liveness import apply_reported
from hq.fleet.models import Reassignment, Station
from hq.ingest.models import Quarantine
from tests.hq.test_dashboard import (  # noqa: F401 - client and quick_passwords are fixtures
    KIT,
    client,
    enrol,
    quick_passwords,
    say_health,
    say_status,
    silence,
    store_records,
)


def days(n: float) -> str:
    return (timezone.now() + dt.timedelta(days=n)).isoformat()


def seed_every_case() -> None:
    """One station for each state and each alert rule, and some that change with time."""
    for sid in ("st-ok", "st-backlog", "st-late", "st-disk", "st-device", "st-battery", "st-blocked", "st-cert-near",
                "st-cert-gone", "st-cert-later", "st-q", "st-moved", "st-refused", "st-silent", "st-soon",
                "st-stopped", "st-will", "st-stolen", "st-new"):
        enrol(sid)
        if sid != "st-new":
            say_status(sid, "online")
        if sid not in ("st-new", "st-will"):
            say_health(sid)
    for depth in (2, 5, 5, 9):
        say_health("st-backlog", queue_depth=depth)
    say_health("st-late", queue_depth=4, oldest_pending_s=2 * 3600.0)
    say_health("st-disk", disk_free_bytes=3 * 10**9, disk_total_bytes=64 * 10**9)
    say_health("st-device", devices={**KIT, "iris": False})
    say_health("st-battery", battery_percent=12.0, charging=False)
    say_health("st-blocked", capture_blocked="offline terlalu lama")
    say_health("st-cert-near", certificate_expires=days(10))
    say_health("st-cert-gone", certificate_expires=days(-1))
    say_health("st-cert-later", certificate_expires=days(40))  # near in 15 days' time
    store_records("st-q", range(1, 2))
    Quarantine.objects.create(record_id="st-q-r1", station_id="st-q", seq=1, sha256="1" * 64, size=10,
                              path="quarantine/x")
    for sid in ("st-moved", "st-refused"):
        Reassignment.objects.create(station_id=sid, version=5, assignment_id="A-5", school="SMA 2", warning="w",
                                    confirmed_by="kepala")
    apply_reported("st-refused", Reported(refused_version=5, refused_reason="sesi terbuka", ts=days(0)))
    silence("st-silent", 3600)
    silence("st-soon", 200)  # lost once another 101 s pass without a word
    say_health("st-stopped", devices={**KIT, "camera": False, "printer": False}, battery_percent=5.0,
               charging=False)
    say_status("st-stopped", "offline")  # a stopped kit's devices and battery are not alerts
    say_status("st-will", "lost")
    revoke_station("st-stolen", "dicuri")


def ids(rows) -> set[str]:
    return {station.id for station in rows}


def assert_the_database_agrees(when: dt.datetime) -> set[str]:
    """The database's whole-fleet answers at `when` equal those of the dashboard's rules over each station's view
    (also run on PostgreSQL: tests/hq/pg_fleet_check.py); returns the stations with alerts."""
    views = dashboard.fleet(when)
    fleet = overview.summary(when)
    assert fleet.enrolled == len(views)
    assert fleet.states == {**dict.fromkeys(fleet.states, 0), **Counter(v.state for v in views)}
    assert list(fleet.states) == ["unknown", "online", "offline", "lost", "revoked"]
    with_alerts = {v.id for v in views if v.alerts}
    assert fleet.alerting == len(with_alerts)
    assert ids(overview.chosen("alerts", when)) == with_alerts
    assert ids(overview.chosen("lost", when)) == {v.id for v in views if v.state == Station.State.LOST}
    assert ids(overview.chosen("behind", when)) == {v.id for v in views
                                                    if v.oldest_pending_late or v.backlog_growing}
    assert ids(overview.chosen("disk_low", when)) == {v.id for v in views if v.disk_low}
    assert ids(overview.chosen("anything", when)) == {v.id for v in views}
    refused = [a for v in views for a in v.alerts if a.kind == "reassigned" and a.level == "bad"]
    assert [a.station_id for a in refused] == ["st-refused"]  # the database orders it with the warnings (_bad)
    assert ids(Station.objects.filter(overview._bad(when))) == {
        v.id for v in views if any(a.level == "bad" and a.kind != "reassigned" for a in v.alerts)}
    first = overview.alerting_first(when, 5)
    assert [s.id for s in first] == sorted(ids(Station.objects.filter(overview._bad(when))))[:5]
    return with_alerts


@pytest.mark.parametrize("later_s", [0, 200, 15 * 86400])
def test_the_databases_counts_and_choices_agree_with_the_dashboards_rules(hq, later_s):
    """Every state and alert rule, now and later on HQ's clock (silence turns into lost, a certificate comes near):
    the database's answers equal those of the dashboard's rules over each station's view."""
    seed_every_case()
    with_alerts = assert_the_database_agrees(timezone.now() + dt.timedelta(seconds=later_s))
    if later_s == 0:
        assert with_alerts == {"st-backlog", "st-late", "st-disk", "st-device", "st-battery", "st-blocked",
                               "st-cert-near", "st-cert-gone", "st-q", "st-moved", "st-refused", "st-silent",
                               "st-will", "st-stolen"}
    else:
        assert "st-soon" in with_alerts and ("st-cert-later" in with_alerts) == (later_s > 86400)


def test_what_ingest_keeps_follows_every_health_report(hq):
    """Random Health reports applied as ingest applies them: the levels kept on the row are the worst of the
    dashboard's own alerts about the report (state-independent ones; the kit's while online)."""
    rng = random.Random(22)
    enrol("st-a")
    say_status("st-a", "online")
    health_kinds = {"capture_blocked", "oldest_pending", "backlog_growing", "disk_low"}
    kit_kinds = {"device_missing", "battery_low"}

    def worst(view: dashboard.StationView, kinds: set[str]) -> str:
        levels = {a.level for a in view.alerts if a.kind in kinds}
        return rules.BAD if rules.BAD in levels else rules.WARN if levels else rules.NONE

    seen = Counter()
    for _ in range(80):
        total = 64 * 10**9
        say_health("st-a", queue_depth=rng.choice([0, 1, 3, 8, 20]),
                   oldest_pending_s=rng.choice([None, 60.0, 3600.0, 3601.0, 9000.0]),
                   disk_free_bytes=rng.choice([None, 0, int(total * 0.099), int(total * 0.1), total]),
                   disk_total_bytes=rng.choice([total, total, 0]),
                   battery_percent=rng.choice([None, 5.0, 19.9, 20.0, 90.0]), charging=rng.choice([None, True, False]),
                   devices={**KIT, "iris": rng.random() > 0.2}, capture_blocked=rng.choice([None, None, "offline"]),
                   certificate_expires=rng.choice([None, days(-2), days(29), days(31)]))
        row, view = Station.objects.get(pk="st-a"), dashboard.station("st-a")
        assert row.health_alert == worst(view, health_kinds)
        assert row.kit_alert == worst(view, kit_kinds)
        assert row.behind == (view.oldest_pending_late or view.backlog_growing) and row.disk_low == view.disk_low
        assert row.certificate_expires == view.certificate_expires
        seen[row.health_alert, row.kit_alert] += 1
    assert len(seen) == 9  # every combination of levels came up


def test_the_page_lists_the_first_stations_with_alerts_bad_first_and_counts_the_rest(client, monkeypatch):  # noqa: F811
    """With more stations alerting than the page lists, it lists the first (bad alerts first, then by id) and says
    how many more, linking to the list of them all; a request works out only the stations it shows."""
    from hq.fleet import views

    monkeypatch.setattr(overview, "ALERT_STATIONS", 3)
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    for n in range(8):
        enrol(f"st-{n}")
        say_status(f"st-{n}", "online")
        say_health(f"st-{n}", battery_percent=10.0, charging=False)  # a warning each
    say_health("st-6", disk_free_bytes=1, disk_total_bytes=64 * 10**9)  # bad (and charging again)
    worked_out = []
    real = dashboard.views_of
    monkeypatch.setattr(dashboard, "views_of", lambda stations, now, every=False: worked_out.append(
        len(stations)) or real(stations, now, every))
    data = client.get("/fleet.json").json()
    assert worked_out == [3]  # the page's two and the three alerting ones listed (two of them the same): not all 8
    listed = [(a["station"], a["kind"]) for a in data["alerts"]]
    assert listed == [("st-6", "disk_low"), ("st-0", "battery_low"), ("st-1", "battery_low"), ("", "more")]
    more = data["alerts"][-1]
    assert more["text"] == "Stasiun lain dengan peringatan: 5 (tampilkan semuanya)" and more["href"] == "?show=alerts"
    page = client.get("/").content.decode()
    assert '<li data-level="muted" data-kind="more"><a href="?show=alerts">Stasiun lain dengan peringatan: 5' in page
    assert client.get("/fleet.json?show=alerts&page=4").json()["stations"] == ["st-6", "st-7"]
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert client.get("/fleet.json").json()["alerts"][-1]["text"] == "Other stations with alerts: 5 (list them all)"


def test_the_upgrade_fills_in_what_each_stations_last_health_says(hq):
    """Migration fleet 0005 keeps what every existing station's last Health says, as ingest now does, and leaves
    a station without a readable Health with nothing to say."""
    from django.apps import apps

    for sid in ("st-disk", "st-device", "st-none", "st-garbled"):
        enrol(sid)
        say_status(sid, "online")
    say_health("st-disk", disk_free_bytes=1, disk_total_bytes=64 * 10**9, certificate_expires=days(5))
    say_health("st-device", devices={**KIT, "camera": False})
    Station.objects.filter(pk="st-garbled").update(last_health={"queue_depth": "many"})
    kept = {s.id: rules.Standing(s.health_alert, s.kit_alert, s.behind, s.disk_low, s.certificate_expires)
            for s in Station.objects.all()}
    Station.objects.update(**rules.Standing().fields())  # as the new columns start, before the backfill
    importlib.import_module("hq.fleet.migrations.0005_fleet_standing").backfill(apps, None)
    after = {s.id: rules.Standing(s.health_alert, s.kit_alert, s.behind, s.disk_low, s.certificate_expires)
             for s in Station.objects.all()}
    assert after == kept
    assert after["st-disk"].health_alert == "bad" and after["st-device"].kit_alert == "bad"
    assert after["st-none"] == after["st-garbled"] == rules.Standing()
