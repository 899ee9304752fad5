"""`sinopsis station …`: config check, start-up check, audit verify, assignment import, check-in, status."""

import argparse
import datetime as dt
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from contract.keys import load_public_key
from sinopsis.cli.common import add_config_argument, print_json
from station import audit
from station.checkin import check_in_by_application, check_in_by_nik
from station.config import SIM_SDK, StationConfig, load_config
from station.integrity import check_store
from station.records import counts_by_state
from station.roster import current_assignment, import_assignment
from station.store import StationStore


def register(sub: argparse._SubParsersAction) -> None:
    """Add the `station` command group."""
    station = sub.add_parser("station", help="the recording station's core (no UI)")
    commands = station.add_subparsers(dest="station_command", required=True, metavar="COMMAND")

    config = commands.add_parser("config", help="station.toml").add_subparsers(
        dest="config_command", required=True, metavar="COMMAND")
    p = config.add_parser("check", help="validate a station.toml: exit 0 when valid, 2 with file/key/reason")
    p.add_argument("file", type=Path)
    p.add_argument("--devices", action="store_true",
                   help="also check that every configured device and vendor SDK is there now (exit 1 if not)")
    p.set_defaults(handler=_config_check)

    p = commands.add_parser("check", help="start-up check: sweep orphan packet files, report missing ones")
    add_config_argument(p)
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_check)

    p = commands.add_parser("audit", help="the audit log").add_subparsers(
        dest="audit_command", required=True, metavar="COMMAND").add_parser(
        "verify", help="verify the hash chain; exit 1 when a row was edited or deleted")
    add_config_argument(p)
    p.set_defaults(handler=_audit_verify)

    p = commands.add_parser("assignment", help="the school assignment").add_subparsers(
        dest="assignment_command", required=True, metavar="COMMAND").add_parser(
        "import", help="import a signed assignment bundle (all or nothing)")
    p.add_argument("file", type=Path)
    add_config_argument(p)
    p.set_defaults(handler=_assignment_import)

    p = commands.add_parser("checkin", help="check a student in (what the kiosk does)")
    who = p.add_mutually_exclusive_group(required=True)
    who.add_argument("--application", help="application id from the student's QR")
    who.add_argument("--nik", help="NIK (with --birth-date)")
    p.add_argument("--birth-date", type=dt.date.fromisoformat, help="YYYY-MM-DD, with --nik")
    p.add_argument("--phone", required=True, help="mobile number, e.g. 0812 3456 7890")
    add_config_argument(p)
    p.set_defaults(handler=_checkin)

    p = commands.add_parser("status", help="assignment, records by state, outbox")
    add_config_argument(p)
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_status)

    p = commands.add_parser("summary", help="end-of-day summary of the current assignment (station/day_summary.py)")
    add_config_argument(p)
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_summary)

    p = commands.add_parser("export", help="copy the records HQ has not confirmed, with a signed manifest, to "
                            "removable media (for sinopsis hq import)")
    p.add_argument("--to", type=Path, required=True, metavar="DIR", help="folder on the removable media")
    add_config_argument(p)
    p.set_defaults(handler=_export)

    from sinopsis.cli import db_cmd, simulate_cmd

    db_cmd.register(commands)

    simulate_cmd.register(commands)
    from sinopsis.cli import kiosk_cmd

    kiosk_cmd.register_run(commands)


def _open(args: argparse.Namespace) -> tuple[StationConfig, StationStore]:
    config = load_config(args.config)
    return config, StationStore(config.station.data_dir)


def _config_check(args: argparse.Namespace) -> int:
    config = load_config(args.file)
    print(f"{args.file}: valid (station {config.station.id}, data in {config.station.data_dir})")
    if not args.devices:
        return 0
    problems = missing_devices(config, str(args.file)) + _missing_usb(config, str(args.file))
    for problem in problems:
        print(problem)
    print(f"{args.file}: devices: " + (f"{len(problems)} missing" if problems else "all present"))
    return 1 if problems else 0


PLUGGED = ("camera", "signature_pad", "qr_scanner", "printer")  # [devices] keys naming a device node
SDK_NAMES = {"fingerprint_sdk": "Futronic ftrScanAPI (libScanAPI.so)", "iris_sdk": "IriTech IDDK 2000 (libIddk2000.so)"}


def missing_devices(config: StationConfig, source: str = "station.toml") -> list[str]:
    """One line (file, key, what to do) per device path or vendor SDK library in [devices] that is not there now;
    empty when all are. Only looks (stat), never opens a device or touches the data directory, so it is safe to
    run beside a running kiosk. A dangling /dev/sinopsis symlink counts as missing."""
    d, problems = config.devices, []
    from drivers.presence import DEVICE_NAMES

    for key in PLUGGED:
        value, what = getattr(d, key), f"the {DEVICE_NAMES[key]}"
        if not value.startswith("/dev/"):
            continue  # "sim", "camera", "touchscreen", "none": nothing to plug in
        path = Path(value)
        if not path.exists():
            problems.append(f"{source}: devices.{key}: {value} does not exist (is {what} plugged in? "
                            f"`ls -l {path.parent}/`)")
        elif path.is_dir():
            problems.append(f"{source}: devices.{key}: {value} is a folder, not a device (name the device in it)")
    for key, what in SDK_NAMES.items():
        value = getattr(d, key)
        if value != SIM_SDK and not Path(value).expanduser().is_file():
            problems.append(f"{source}: devices.{key}: {value} does not exist (install the vendor's {what} there, "
                            f'or set "{SIM_SDK}")')
    if d.sim_script is not None and not d.sim_script.is_file():
        problems.append(f"{source}: devices.sim_script: {d.sim_script} does not exist")
    return problems


def _missing_usb(config: StationConfig, source: str) -> list[str]:
    """The libusb units (no /dev node of their own in config): a vendor SDK is set but its device is not on USB."""
    from drivers.discovery import USB_KINDS, scan

    wanted = {kind: key for kind, key in (("fingerprint", "fingerprint_sdk"), ("iris", "iris_sdk"))
              if getattr(config.devices, key) != SIM_SDK}
    if not wanted:
        return []
    present = {d.kind for d in scan().values()}
    return [f"{source}: devices.{key}: no {kind} {'scanner' if kind == 'fingerprint' else 'camera'} on USB (is it "
            f"plugged in? `lsusb` should list {' or '.join(k for k, v in USB_KINDS.items() if v == kind)})"
            for kind, key in wanted.items() if kind not in present]


def _check(args: argparse.Namespace) -> int:
    _, store = _open(args)
    with store:
        report = check_store(store)
    if args.json:
        print_json(vars(report) | {"ok": report.ok})
    else:
        print(f"checked {report.packets_checked} packet files; swept {len(report.swept_orphans)} orphan(s) "
              f"and {len(report.swept_temp)} temp file(s)")
        for problem in report.missing + report.altered:
            print(f"PROBLEM: {problem}")
    return 0 if report.ok else 1


def _audit_verify(args: argparse.Namespace) -> int:
    _, store = _open(args)
    with store:
        report = audit.verify(store.conn)
    for problem in report.problems:
        print(f"PROBLEM: {problem}")
    print(f"audit log: {report.rows} rows, {'chain intact' if report.ok else f'{len(report.problems)} problem(s)'}")
    return 0 if report.ok else 1


def _assignment_import(args: argparse.Namespace) -> int:
    config, store = _open(args)
    key = load_public_key(config.key_path("hq_assignment_public_key"), Ed25519PublicKey)
    with store:
        result = import_assignment(store, args.file, key, station_id=config.station.id,
                                   min_age=config.roster.min_age, actor="cli")
    verb = "imported" if result.outcome == "imported" else "already imported (no change)"
    print(f"assignment v{result.version} for {result.school_name}: {verb}; {result.applicants} applicants")
    return 0


def _checkin(args: argparse.Namespace) -> int:
    _, store = _open(args)
    with store:
        if args.application:
            ticket = check_in_by_application(store, args.application, args.phone)
        else:
            if args.birth_date is None:
                raise SystemExit("sinopsis station checkin: --nik needs --birth-date")
            ticket = check_in_by_nik(store, args.nik, args.birth_date, args.phone)
    again = " (was already checked in)" if ticket.already_checked_in else ""
    print(f"queue number {ticket.queue_number} for {ticket.display_name}{again}; record {ticket.record_id}")
    return 0


def _status(args: argparse.Namespace) -> int:
    config, store = _open(args)
    with store:
        assignment = current_assignment(store.conn)
        counts = counts_by_state(store.conn)
        pending = store.conn.execute(
            "SELECT COUNT(*), MIN(enqueued_at) FROM outbox WHERE acked_at IS NULL").fetchone()
    status = {
        "station_id": config.station.id, "data_dir": str(config.station.data_dir),
        "assignment": None if assignment is None else {
            k: assignment[k] for k in ("assignment_id", "version", "school_name", "spt_number", "recording_date")},
        "records": counts, "outbox_pending": pending[0], "outbox_oldest": pending[1],
    }
    if args.json:
        print_json(status)
        return 0
    print(f"station {status['station_id']} (data in {status['data_dir']})")
    a = status["assignment"]
    print("assignment: none imported" if a is None else
          f"assignment: {a['school_name']} v{a['version']}, SPT {a['spt_number']}, recording {a['recording_date']}")
    print("records: " + ", ".join(f"{k} {v}" for k, v in counts.items() if v) or "records: none")
    print(f"outbox: {pending[0]} waiting for HQ" + (f" (oldest {pending[1]})" if pending[1] else ""))
    return 0


def _export(args: argparse.Namespace) -> int:
    """The offline path (station/export.py): the records stay in the outbox until HQ answers."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from contract.keys import load_private_key
    from station.export import export_outbox

    config, store = _open(args)
    key = load_private_key(config.key_path("station_signing_key"), Ed25519PrivateKey)
    with store:
        result = export_outbox(store, config.station.id, key, args.to)
    if result.outcome == "empty":
        print("no records are waiting for HQ: nothing exported")
    else:
        again = " (this export was already there; checked)" if result.outcome == "unchanged" else ""
        print(f"exported {result.records} record(s), {result.bytes} bytes, to {result.directory}{again}; "
              "they stay on the station until HQ confirms them")
    return 0


def _summary(args: argparse.Namespace) -> int:
    """The end-of-day numbers: what was recorded, what is left, what HQ has not confirmed yet."""
    from station.day_summary import day_summary

    _, store = _open(args)
    with store:
        summary = day_summary(store)
    if args.json:
        print_json(None if summary is None else summary.to_dict())
        return 0
    if summary is None:
        print("no assignment imported: nothing to summarise")
        return 0
    s = summary
    oldest = f" (oldest {s.oldest_unsent_s / 60:.0f} min)" if s.oldest_unsent_s is not None else ""
    lines = [f"{s.school_name}, {s.recording_date} (SPT {s.spt_number})",
             f"on the list {s.on_list}; checked in {s.checked_in}; not checked in {s.not_checked_in}",
             f"recorded {s.recorded}" + "".join(f", {k} {v}" for k, v in s.recorded_by_state.items()),
             f"still waiting {s.waiting}; being recorded {s.being_served}",
             "withdrawn: " + (", ".join(f"{k} {v}" for k, v in s.withdrawn.items()) or "none"),
             "correction requests: " + (", ".join(f"{k} {v}" for k, v in s.corrections.items()) or "none"),
             *(f"{m} exceptions: " + (", ".join(f"{k} {v}" for k, v in codes.items()) or "none")
               for m, codes in s.exceptions.items()),
             f"accepted below threshold: {s.below_threshold}",
             f"not yet confirmed by HQ: {s.unsent}{oldest}"]
    lines += [f"  {o.operator_id} {o.name}: called {o.called}, recorded {o.recorded}, withdrawn {o.withdrawn}, "
              f"corrections {o.corrections}" for o in s.operators]
    print("\n".join(lines))
    return 0
