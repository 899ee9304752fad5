"""Seal one checked-in record inside a booted kit, as the operator's *Simpan* does, for the boot check (issue 23):
`python -m sinopsis.boot_seal --config /etc/sinopsis/station.toml --record ID`, run as the kit's user. The captures
are the demo's (the project's sample images), sealed by the kit's real sealer with the kit's enrolled keys; a record
left `capturing` by a power cut is sealed again, as the operator saves it again after the kit restarts."""

import argparse
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--config", type=Path, required=True)
    p.add_argument("--record", required=True, help="a checked-in record's id (`sinopsis station checkin` prints it)")
    args = p.parse_args(argv)
    from sinopsis.demo import demo_captures
    from station.config import load_config
    from station.records import get_record, transition
    from station.sealing import station_sealer
    from station.store import StationStore

    config = load_config(args.config)
    with StationStore(config.station.data_dir) as store:
        if get_record(store.conn, args.record)["state"] == "checked_in":
            transition(store, args.record, "capturing", actor="OP-BOOT")
        sealed = station_sealer(store, config).seal_and_commit(args.record, demo_captures(), operator_id="OP-BOOT")
    print(f"record {args.record} sealed as seq {sealed.seq}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
