"""`sinopsis soak`: the whole system (station sealing, agent, broker, HQ ingest) under random faults for a while,
then the ledger (sinopsis/soak.py). Exit 0 only when nothing was lost, duplicated or left pending."""

import argparse
import tempfile
from pathlib import Path

from sinopsis.cli.common import number


def register(sub: argparse._SubParsersAction) -> None:
    """Add `soak`."""
    p = sub.add_parser("soak", help="run station, agent, broker and HQ under random faults, then print the ledger",
                       description=__doc__)
    p.add_argument("--minutes", type=float, default=5.0, help="how long the faults go on (default 5; 0.5 = 30 s)")
    p.add_argument("--dir", type=Path, default=None,
                   help="an empty folder for everything (default: a new temp folder, kept for its logs)")
    p.add_argument("--seed", type=number(0, 2**32 - 1, whole=True),
                   default=1, help="the faults' random seed (the same seed, the same faults)")
    p.add_argument("--fault-every", type=float, default=4.0, metavar="S",
                   help="seconds between faults, on average (default 4)")
    p.set_defaults(handler=_soak)


def _soak(args: argparse.Namespace) -> int:
    from contract.errors import SinopsisError
    from sinopsis.soak import Soak, summary

    if not 0 < args.minutes <= 24 * 60:
        raise SinopsisError(f"--minutes {args.minutes:g}: give a time between 0 and 1440 minutes", "soak.minutes")
    if not 0.5 <= args.fault_every <= 3600:
        raise SinopsisError(f"--fault-every {args.fault_every:g}: give 0.5 to 3600 seconds", "soak.faults")
    root = args.dir or Path(tempfile.mkdtemp(prefix="sinopsis-soak-"))
    print(f"soak: {args.minutes:g} min in {root} (seed {args.seed}); logs in {root / 'logs'}", flush=True)
    result = Soak(root, seed=args.seed, fault_every_s=args.fault_every,
                  say=lambda line: print(line, flush=True)).run(args.minutes * 60)
    print(result.ledger_text.rstrip())
    for line in summary(result):
        print(line)
    return result.exit_code
