"""`sinopsis hq …`: HQ's commands (database, station enrolment, MQTT ingest, offline import, web logins).

Each handler starts Django with HQ's settings (hq/runtime.py) first; Django is imported only then, so the
station's commands stay quick. HQ's own errors (HqError) are printed like every other bad input (exit 2).
"""

import argparse
import functools
import getpass
import logging
import signal
import sys
import threading
from collections.abc import Callable
from pathlib import Path

from contract.errors import SinopsisError
from contract.files import read_bounded, read_bounded_text
from sinopsis.cli.common import SECONDS, number


def register(sub: argparse._SubParsersAction) -> None:
    """Add the `hq` command group."""
    hq = sub.add_parser("hq", help="HQ: database, enrolment, ingest, offline import, web logins, service report")
    commands = hq.add_subparsers(dest="hq_command", required=True, metavar="COMMAND")
    p = _command(commands, "migrate", "create or update HQ's database schema", _migrate)
    p = _command(commands, "enrol-station", "enrol a station: its id and Ed25519 public key", _enrol)
    p.add_argument("station_id", metavar="ID", help="the station id (its MQTT username and packet station_id)")
    p.add_argument("--key", type=Path, required=True, help="the station's public signing key (PEM)")
    p.add_argument("--name", help="a name for people (e.g. 'Kit 3')")
    p.add_argument("--school", help="the school it records at")
    p.add_argument("--spt", dest="spt_number", help="the SPT (assignment letter) number")
    p.add_argument("--replace-key", action="store_true", help="replace the key of an already enrolled station")
    p = _command(commands, "ingest", "run an ingest worker: verify, store and ack the stations' batches", _ingest)
    p.add_argument("--broker", default=None,
                   help="mqtt[s]://user@host:port (default: $SINOPSIS_HQ_MQTT_URL, else "
                   "mqtt://hq-ingest@127.0.0.1:1883)")
    p.add_argument("--password-file", type=Path, help="the broker password (default: $SINOPSIS_HQ_MQTT_PASSWORD)")
    p.add_argument("--worker", default="1",
                   help="this worker's name, stable across restarts (its MQTT session); one per process")
    p.add_argument("--seconds", type=SECONDS, default=None, help="stop after N seconds (default: until Ctrl-C)")
    p = _command(commands, "import", "ingest a station's offline export (from `sinopsis station export`)",
                 _import)
    p.add_argument("directory", type=Path, metavar="DIR", help="the export folder (manifest.json, packets/)")
    p = _command(commands, "createuser", "make an office login for HQ's web app, with its SOP role(s)", _createuser)
    p.add_argument("username")
    p.add_argument("--password-file", type=Path, help="read the password from this file (default: ask)")
    p.add_argument("--superuser", action="store_true", help="may do everything, including managing logins")
    p.add_argument("--update", action="store_true", help="change the password of an existing login")
    p.add_argument("--role", action="append", dest="roles", metavar="ROLE",
                   help="admin (default), kasi_pendataan, kabid_dafduk, kasubbag_umum, kabid_piak, team, school or "
                        "student; repeat for several")
    p.add_argument("--name", default="", help="the person's full name (shown on pages and on SPTs)")
    p = _command(commands, "officer", "set the NIP, pangkat/golongan and jabatan of an office login, as printed on "
                 "the SPT letters issued from now on", _officer)
    p.add_argument("username")
    p.add_argument("--nip", help="18 digits (Nomor Induk Pegawai)")
    p.add_argument("--rank", help="pangkat/golongan, e.g. 'Penata, III/c'")
    p.add_argument("--position", help="jabatan, e.g. 'Kepala Sub Bagian Umum' (the signer's post on the SPT)")
    p = _command(commands, "demo-seed", "the office's demo: one login per role and a school's list through the "
                 "whole SOP, assigned to the demo station (used by `sinopsis demo`)", _demo_seed)
    p.add_argument("--bundle", type=Path, required=True, help="the demo station's assignment bundle (its applicants)")
    p.add_argument("--station", required=True, help="the enrolled demo station to assign")
    p.add_argument("--passwords", type=Path, required=True, help="write the demo logins' fresh passwords here (0600)")
    p.add_argument("--no-publish", action="store_true", help="store the assignment but do not send it to the broker")
    p = _command(commands, "command", "send a command to one station over the broker (it runs when the station is "
                 "online before the command expires); the answer shows on the station's dashboard page", _send)
    p.add_argument("station_id", metavar="ID", help="the enrolled station")
    p.add_argument("name", choices=("sync_now", "send_logs", "rotate_logs", "purge_accepted"),
                   help="sync_now: send the outbox now; send_logs: the agent's log tail; rotate_logs: start a new log "
                        "file; purge_accepted: delete packets HQ accepted longer ago than the station's retention")
    p.add_argument("--ttl", type=number(1, 7 * 86_400, whole=True), default=None, metavar="S",
                   help="seconds before the command expires (default: $SINOPSIS_HQ_COMMAND_TTL_S)")
    p = _command(commands, "report", "write the SINOPSIS service report (laporan pelayanan) for a period to a "
                 "CSV, XLSX or PDF file", _report)
    p.add_argument("--from", dest="start", required=True, metavar="YYYY-MM-DD", help="the period's first day")
    p.add_argument("--to", dest="end", required=True, metavar="YYYY-MM-DD", help="the period's last day")
    p.add_argument("--format", dest="fmt", choices=("csv", "xlsx", "pdf"), default="pdf", help="default pdf")
    p.add_argument("--out", type=Path, default=Path(), help="folder to write into (default: here)")
    p.add_argument("--language", choices=("id", "en"), default="id",
                   help="id (Bahasa Indonesia, default) or en")
    p = _command(commands, "serve", "run HQ's web app: the office (SOP steps 1-7, 9, 10, service report) and the fleet "
                 "dashboard", _serve)
    p.add_argument("--port", type=number(0, 65_535, whole=True),
                   default=8000, help="TCP port (default 8000; 0: any free port)")
    p.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default: this computer only; another name needs "
                   "SINOPSIS_HQ_ALLOWED_HOSTS)")
    p.add_argument("--workers", type=number(1, 64, whole=True), default=None, metavar="N",
                   help="gunicorn worker processes (default: $SINOPSIS_HQ_WEB_WORKERS, else one per CPU core)")
    p.add_argument("--threads", type=number(1, 64, whole=True), default=None, metavar="N",
                   help="threads per worker (default: $SINOPSIS_HQ_WEB_THREADS, else 2)")
    text = "write the nginx site (Debian's nginx) that serves HQ over HTTPS in front of `sinopsis hq serve`"
    p = commands.add_parser("nginx-site", help=text, description=text)
    p.set_defaults(handler=_nginx_site)  # text only: no Django, no data directory
    p.add_argument("--server-name", required=True, metavar="NAME", help="HQ's public host name (e.g. "
                   "sinopsis.disdukcapil.pekanbaru.go.id); also put it in SINOPSIS_HQ_ALLOWED_HOSTS")
    p.add_argument("--cert", type=Path, required=True, help="the TLS certificate chain (PEM) nginx presents")
    p.add_argument("--key", type=Path, required=True, help="its private key (PEM)")
    p.add_argument("--upstream", default="127.0.0.1:8000", metavar="HOST:PORT",
                   help="where `sinopsis hq serve` listens (default 127.0.0.1:8000)")
    p.add_argument("--out", type=Path, default=None,
                   help="write the site here (e.g. /etc/nginx/sites-available/sinopsis-hq); default: print it")


def _command(commands: argparse._SubParsersAction, name: str, text: str,
             handler: Callable[[argparse.Namespace], int]) -> argparse.ArgumentParser:
    p = commands.add_parser(name, help=text, description=text)
    p.add_argument("--data", type=Path, default=None,
                   help="HQ's data directory (default: $SINOPSIS_HQ_DATA, else ~/.local/share/sinopsis/hq)")
    p.set_defaults(handler=functools.partial(_run, handler))
    return p


def _run(handler: Callable[[argparse.Namespace], int], args: argparse.Namespace) -> int:
    """Start Django, then run the handler; HqError becomes the CLI's bad-input error."""
    from hq.errors import HqError
    from hq.runtime import setup

    try:
        setup(args.data)
        from django.utils import translation

        translation.activate("en")  # the CLI speaks English like the rest of `sinopsis`; the web app does not
        return handler(args)
    except HqError as e:
        raise SinopsisError(str(e), e.code) from None


def _require_schema() -> None:
    from hq.errors import HqError
    from hq.runtime import pending_migrations

    pending = pending_migrations()
    if pending:
        raise HqError(f"HQ's database lacks {len(pending)} migration(s) (e.g. {pending[0]}): run "
                      "`sinopsis hq migrate` first", "hq.migrate")


def _migrate(args: argparse.Namespace) -> int:
    from hq.runtime import migrate

    migrate(verbosity=1 if args.verbose else 0)
    print("HQ database is up to date")
    return 0


def _enrol(args: argparse.Namespace) -> int:
    from hq.errors import HqError
    from hq.fleet.enrolment import enrol_station

    _require_schema()
    pem = read_bounded(args.key, "key", error=HqError, what="station key", code="hq.station_key")
    station, created = enrol_station(args.station_id, pem, source=str(args.key), name=args.name,
                                     school=args.school, spt_number=args.spt_number, replace_key=args.replace_key)
    print(f"station {station.id} {'enrolled' if created else 'updated'}"
          + (f" (school: {station.school})" if station.school else ""))
    return 0


def _ingest(args: argparse.Namespace) -> int:
    from django.conf import settings

    from hq.ingest.worker import run_worker
    from hq.mqtt import broker_from_url

    _require_schema()
    broker = broker_from_url(args.broker or settings.HQ_MQTT_URL, args.password_file)
    if not args.verbose:
        logging.getLogger("hq").setLevel(logging.INFO)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    run_worker(broker, args.worker, args.seconds, stop)
    return 0


def _import(args: argparse.Namespace) -> int:
    from hq.ingest.offline import import_export
    from hq.ingest.storage import ACCEPTED, DUPLICATE

    _require_schema()
    summary = import_export(args.directory)
    print(f"{args.directory}: export of station {summary.station_id} made {summary.created_at}, "
          f"{len(summary.outcomes)} record(s): {len(summary.ids(ACCEPTED))} accepted, "
          f"{len(summary.ids(DUPLICATE))} duplicate (already at HQ), {len(summary.rejected)} rejected")
    for outcome in summary.rejected:
        print(f"  rejected {outcome.record_id}: {outcome.code}")
    return 1 if summary.rejected else 0


def _createuser(args: argparse.Namespace) -> int:
    from hq.errors import HqError
    from hq.users import create_user

    _require_schema()
    if args.password_file is not None:
        password = read_bounded_text(args.password_file, "secret", error=HqError, what="password",
                                     code="hq.password").strip()
    else:
        password = getpass.getpass(f"password for {args.username}: ")
        if getpass.getpass("again: ") != password:
            print("sinopsis: the passwords differ; nothing changed", file=sys.stderr)
            return 2
    created = create_user(args.username, password, superuser=args.superuser, update=args.update,
                          roles=tuple(args.roles or ("admin",)), full_name=args.name)
    print(f"login {args.username} {'created' if created else 'updated'}")
    return 0


def _officer(args: argparse.Namespace) -> int:
    from hq.lists.officers import set_officer

    _require_schema()
    officer = set_officer(args.username, args.nip, args.rank, args.position)
    print(f"{args.username}: NIP {officer.nip or '-'}, {officer.rank or '-'}, {officer.position or '-'}")
    return 0


def _demo_seed(args: argparse.Namespace) -> int:
    from sinopsis.demo_office import seed

    _require_schema()
    made = seed(args.bundle, args.station, args.passwords, publish=not args.no_publish)
    sent = "sent to the station" if made["published"] else f"NOT sent ({made['publish_error'] or 'not asked'})"
    print(f"list {made['list']} approved, SPT {made['spt']}, assignment v{made['assignment_version']} {sent}; "
          f"logins in {args.passwords}")
    return 0


def _send(args: argparse.Namespace) -> int:
    from hq.fleet.commands import send_command_now

    _require_schema()
    job = send_command_now(args.station_id, args.name, ttl_s=args.ttl, created_by="cli")
    print(f"command {args.name} sent to {args.station_id} as {job.id}, expires {job.expires_at.isoformat()}")
    return 0


def _report(args: argparse.Namespace) -> int:
    import datetime as dt

    from hq.errors import HqError
    from hq.reports.files import write_report

    _require_schema()
    days = []
    for option, text in (("--from", args.start), ("--to", args.end)):
        try:
            days.append(dt.date.fromisoformat(text))
        except ValueError:
            raise HqError(f"{option} {text!r}: not a date; write it as YYYY-MM-DD (e.g. 2026-11-01)",
                          "hq.report_period") from None
    if days[1] < days[0]:
        raise HqError(f"--to {args.end} is before --from {args.start}: the period must end on or after its first "
                      "day", "hq.report_period")
    try:
        path = write_report(days[0], days[1], args.fmt, args.out, language=args.language)
    except OSError as e:
        raise HqError(f"{args.out}: cannot write the report there: {e.strerror}", "hq.report_out") from None
    print(f"service report {days[0]} - {days[1]} written to {path}")
    return 0


def _serve(args: argparse.Namespace) -> int:
    from django.conf import settings

    from hq.errors import HqError
    from hq.fleet.server import listen, serve

    _require_schema()
    workers = args.workers if args.workers is not None else settings.HQ_WEB_WORKERS
    threads = args.threads if args.threads is not None else settings.HQ_WEB_THREADS
    for option, value in (("--workers", workers), ("--threads", threads)):
        if not 1 <= value <= 64:
            raise HqError(f"{option} {value}: must be 1 to 64 (workers: about one per CPU core)", "hq.serve")
    try:
        sock = listen(args.host, args.port)
    except OSError as e:
        raise HqError(f"cannot listen on {args.host}:{args.port}: {e.strerror}; choose another --port or --host "
                      "(or stop the server that uses it)", "hq.serve") from None

    def ready(url: str) -> None:  # listening: SIGTERM / SIGHUP / Ctrl-C stop the server cleanly from now on
        print(f"HQ fleet dashboard on {url} ({workers} worker(s) x {threads} thread(s); Ctrl-C stops)", flush=True)

    return serve(sock, workers, threads, ready=ready)


def _nginx_site(args: argparse.Namespace) -> int:
    from hq.errors import HqError
    from hq.fleet.nginx_site import site_text

    try:
        text = site_text(args.server_name, args.cert, args.key, args.upstream)
    except HqError as e:
        raise SinopsisError(str(e), e.code) from None
    for option, path in (("--cert", args.cert), ("--key", args.key)):
        if not path.is_file():
            print(f"sinopsis: warning: {option} {path} does not exist here yet; nginx needs it before `nginx -t`",
                  file=sys.stderr)
    if args.out is None:
        print(text, end="")
        return 0
    try:
        args.out.write_text(text)
    except OSError as e:
        raise SinopsisError(f"{args.out}: cannot write the nginx site there: {e.strerror}; choose another --out",
                            "hq.nginx_site") from None
    print(f"nginx site for {args.server_name} written to {args.out}; enable it with "
          f"`ln -s {args.out.resolve()} /etc/nginx/sites-enabled/ && nginx -t && systemctl reload nginx`")
    return 0
