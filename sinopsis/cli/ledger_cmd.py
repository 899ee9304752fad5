"""`sinopsis ledger`: what each station committed against what HQ holds — lost, duplicated, conflicting, pending
(hq/ledger.py). Exit 0 when nothing is lost, duplicated, conflicting or missing at HQ; 1 when something is."""

import argparse
from pathlib import Path

from contract.errors import SinopsisError
from sinopsis.cli.common import print_json


def register(sub: argparse._SubParsersAction) -> None:
    """Add `ledger`."""
    p = sub.add_parser("ledger", help="compare what stations committed with what HQ holds (lost, duplicated, "
                       "conflicting, pending)", description=__doc__)
    p.add_argument("--station-db", type=Path, action="append", required=True, metavar="FILE",
                   help="a station's database (station.db in its data dir, or a copy); repeat for several stations")
    p.add_argument("--hq-data", type=Path, default=None,
                   help="HQ's data directory (default: $SINOPSIS_HQ_DATA; PostgreSQL through "
                        "$SINOPSIS_HQ_DATABASE_URL)")
    p.add_argument("--json", action="store_true", help="counts and record ids as JSON")
    p.set_defaults(handler=_ledger)


def _ledger(args: argparse.Namespace) -> int:
    from hq.errors import HqError
    from hq.runtime import setup

    try:
        hq_data = setup(args.hq_data)
        from hq.ledger import compare_station, format_ledger

        ledgers = [compare_station(db, hq_data) for db in args.station_db]
    except HqError as e:
        raise SinopsisError(str(e), e.code) from None
    if args.json:
        print_json([{"station": x.station_id, "counts": x.counts(),
                     **{k: getattr(x, k) for k in ("lost", "duplicate", "conflicting", "missing_files", "pending",
                                                   "rejected", "unknown")}} for x in ledgers])
    else:
        print(format_ledger(ledgers))
    return 1 if any(x.problems for x in ledgers) else 0
