"""Issue 22 point 3, the service report at a province's fleet: its page and its CSV cost the same number of queries
for November's two stations as for twelve, each with records, Health history and withdrawals (no query per station
or per record). Each is asked twice: the first request opens the new packets once (hq/reports/record_index.py),
the second is what every later request costs. The withdrawals the stations reported are summed from the rise
kept with each stored Health (HealthSample.withdrawn_rise), which the upgrade's migration works out for the reports
already stored."""

import importlib
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from contract.keys import public_pem
from hq.fleet.enrolment import enrol_station
from hq.fleet.models import HealthSample
from hq.reports.counts import withdrawals_reported
from hq.reports.period import Period
from tests.hq.history import store_health
from tests.hq.reports.seed import COUNTS, Seed, nov, store_packet

URLS = ("/reports/?start=2026-11-01&end=2026-11-30", "/reports/laporan.csv?start=2026-11-01&end=2026-11-30")


def queries(client: Client) -> dict[str, int]:
    found = {}
    for url in URLS:
        assert client.get(url).status_code == 200  # opens what is new
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        found[url] = len(captured)
    return found


def test_the_reports_queries_do_not_grow_with_the_fleet(seeded: Seed, packet_key_file: Path, hq: Path,
                                                        client_for):
    client = client_for("admin")
    two = queries(client)
    for n in range(10):
        sid, key = f"st-p{n:02d}", Ed25519PrivateKey.generate()
        enrol_station(sid, public_pem(key.public_key()).encode(), school=f"SMA {n}")
        for seq in (1, 2):
            store_packet(seeded, hq, key, sid, f"{sid}-r{seq}", seq, nov(3 + n, 9, seq), f"APP-P{n}{seq}",
                         "10000001")
        store_health(sid, nov(3 + n, 12), {"counts": {"withdrawn": 1, "accepted": 2}})
    assert queries(client) == two
    assert "st-p09" in client.get(URLS[1]).content.decode()  # the new stations are in the report


def test_the_upgrade_works_out_each_stored_healths_withdrawal_rise(seeded: Seed):
    """Migration fleet 0006 gives every stored Health the rise ingest gives a new one (rules.withdrawn_rise), station by
    station in receipt order (a counter that falls counts on from there), and the month's count stays."""
    from django.apps import apps

    november = Period(nov(1).date(), nov(30).date())
    kept = dict(HealthSample.objects.values_list("id", "withdrawn_rise"))
    assert sorted(kept.values()) == [0, 1, 1, 1, 2, 2, 6]  # st-a reported 1, 2, 4, 0 (fell), 1, 7; st-b 2
    assert withdrawals_reported(november) == COUNTS["withdrawals"]
    HealthSample.objects.update(withdrawn_rise=0)  # as the new column starts, before the backfill
    importlib.import_module("hq.fleet.migrations.0006_health_withdrawn_rise").backfill(apps, None)
    assert dict(HealthSample.objects.values_list("id", "withdrawn_rise")) == kept
    assert withdrawals_reported(november) == COUNTS["withdrawals"]
