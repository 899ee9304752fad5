"""`sinopsis bench fleet`'s HQ side in its own process (HQ's Django, set up on the bench's throw-away data dir and
database, SINOPSIS_HQ_DATA / SINOPSIS_HQ_DATABASE_URL): first the seed, then, when asked on stdin, the check.

Seed: migrate, enrol every simulated kit with its public key (one transaction: 1,000 enrolments are one commit,
not 1,000 flushes), a login with the Kabid PIAK role for the dashboard clients; prints `{"event": "seeded"}`.
Check (`check` on stdin, once the ingest workers have stopped): what HQ holds — every stored record id, rows
stored twice (the same id, or the same station and seq, or more than one packet file for a record), times a
stored packet came again (`redelivered`), the first and last `received_at`, batches by worker, dead letters,
health samples — printed as one JSON line. One process for both, so Django starts once.
"""

import argparse
import collections
import json
import sys
import time
from pathlib import Path

from sinopsis.signals import stop_on_signals


def seed(stations: list[tuple[str, str]], login: str, password: str) -> None:
    """Migrate, enrol `stations` (id, public key PEM), create the dashboard's login."""
    from django.db import connections, transaction

    from hq.fleet.enrolment import enrol_station
    from hq.runtime import migrate
    from hq.users import create_user

    migrate(verbosity=0)
    with transaction.atomic():
        for n, (station_id, pem) in enumerate(stations):
            enrol_station(station_id, pem.encode(), name=f"Kit {n + 1}", school=f"SMA Bench {n % 300 + 1}",
                          spt_number=f"800/{n + 1}/BENCH")
    create_user(login, password, roles=("kabid_piak",), full_name="Bench Fleet")
    connections.close_all()  # hold no connection (nor SQLite lock) while the ingest workers run


def check(data: Path) -> dict:
    """What HQ holds now (see the module's docstring)."""
    from django.db import connections
    from django.db.models import Count, Max, Min, Sum

    from hq.fleet.models import HealthSample
    from hq.ingest.models import Batch, DeadLetter, Record

    rows = list(Record.objects.values_list("record_id", "station_id", "seq"))
    ids = [r[0] for r in rows]
    files = collections.Counter(path.name.split(".", 1)[0] for path in (data / "records").glob("*/*.sinopkt"))
    twice = (len(ids) - len(set(ids))) + (len(rows) - len({(s, q) for _, s, q in rows})) \
        + sum(n - 1 for n in files.values() if n > 1)
    span = Record.objects.aggregate(first=Min("received_at"), last=Max("received_at"),
                                    redelivered=Sum("duplicates"))
    result = {"stored": ids, "duplicates": twice, "files": sum(files.values()),
              "redelivered": span["redelivered"] or 0,
              "ingest_span_s": (span["last"] - span["first"]).total_seconds() if rows else 0.0,
              "batches_by_worker": dict(Batch.objects.values_list("worker").annotate(n=Count("id"))),
              "dead_letters": DeadLetter.objects.count(), "health_samples": HealthSample.objects.count()}
    connections.close_all()
    return result


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--stations", type=Path, required=True, help="JSON: [[station id, public key PEM], …]")
    p.add_argument("--login", default="bench")
    p.add_argument("--password-file", type=Path, required=True)
    args = p.parse_args(argv)
    from hq.runtime import setup

    with stop_on_signals():
        data = setup()
        start = time.monotonic()
        seed(json.loads(args.stations.read_text()), args.login, args.password_file.read_text().strip())
        print(json.dumps({"event": "seeded", "seconds": round(time.monotonic() - start, 2)}), flush=True)
        for line in sys.stdin:
            if line.strip() == "check":
                print(json.dumps({"event": "checked", **check(data)}), flush=True)
                return 0
    return 1


if __name__ == "__main__":
    sys.exit(main())
