"""`sinopsis bench`: speed ratios of our kernels against a baseline run in the same process."""

import argparse
from pathlib import Path

from sinopsis.cli.common import number, print_json


def register(sub: argparse._SubParsersAction) -> None:
    """Add `bench`."""
    p = sub.add_parser("bench", help="measure our C kernels against the OpenCV/numpy way and NFIQ 2 (same run); "
                       "`bench hq-web`: HQ's web app under concurrent office users; `bench fleet`: HQ under N "
                       "simulated kits")
    p.add_argument("suite", nargs="?", choices=("kernels", "hq-web", "fleet"), default="kernels",
                   help="kernels (default: the C kernels, live loop, kiosk UI, link and ingest rows), hq-web (HQ's "
                        "login and dashboard pages from --clients concurrent users on `sinopsis hq serve`) or fleet "
                        "(--stations simulated kits on mosquitto, --workers ingest workers, the dashboard in use)")
    p.add_argument("--clients", type=number(1, 1000, whole=True),
                   default=16, help="hq-web: concurrent office users (default 16)")
    p.add_argument("--rounds", type=number(1, 100_000, whole=True),
                   default=25, help="hq-web: login page + dashboard fetches per user")
    p.add_argument("--stations", type=number(0, 100_000, whole=True), default=None,
                   help="hq-web: stations on the dashboard (default 30); fleet: simulated kits (default 1000)")
    p.add_argument("--think-ms", type=number(0, 60_000), default=None,
                   help="hq-web: each user's pause after a login page + dashboard pair (±50 %%; default 0: every user "
                        "requests without pause, the worst case); fleet: after a page + JSON pair (default 1000)")
    p.add_argument("--workers", type=number(1, 64, whole=True), default=None,
                   help="hq-web: the server's workers (default: `sinopsis hq serve`'s, one per CPU core); fleet: "
                        "`sinopsis hq ingest` processes on the shared subscription (default 2)")
    fleet = p.add_argument_group("fleet (sinopsis/bench_fleet.py)")
    fleet.add_argument("--minutes", type=number(0, 1440), default=3.0,
                       help="how long the kits record (default 3; then they drain: every record sent answered)")
    fleet.add_argument("--database", choices=("postgres", "sqlite", "both"), default=None,
                       help="HQ's database: a throw-away PostgreSQL cluster (fsync on), SQLite, or a row of each "
                            "(default: postgres where installed, else sqlite)")
    fleet.add_argument("--health-s", type=number(0.1, 3600), default=60.0,
                       help="seconds between a kit's Health reports (default 60, the agent's; it also reports on "
                            "change, checked every 2 s)")
    fleet.add_argument("--record-s", type=number(0.05, 86_400), default=60.0,
                       help="seconds between a kit's records (default 60: 1,000 kits offer about 17 records/s, "
                            "several times a field day's pace)")
    fleet.add_argument("--backlog", type=number(0, 100_000, whole=True), default=0,
                       help="records each kit holds at the start, as after a day offline (default 0)")
    fleet.add_argument("--ack-timeout-s", type=number(0.5, 3600), default=60.0,
                       help="a batch not acked in this time goes again in a new batch (default 60)")
    fleet.add_argument("--drain-s", type=number(0, 86_400), default=300.0,
                       help="longest wait after the run for every record sent to be answered (default 300)")
    fleet.add_argument("--dashboard-clients", type=number(0, 1000, whole=True), default=4,
                       help="logged-in users fetching the fleet page and its JSON meanwhile (default 4)")
    fleet.add_argument("--web-workers", type=number(1, 64, whole=True),
                       default=None, help="`sinopsis hq serve --workers` (default its own)")
    fleet.add_argument("--logs", type=Path, default=None, help="keep every process's log in this folder")
    p.add_argument("--repeat", type=number(1, 100_000, whole=True),
                   default=30, help="timed calls per measurement (median is reported)")
    p.add_argument("--nfiq2-repeat", type=number(1, 1000, whole=True),
                   default=5, help="timed NFIQ 2 calls per fingerprint image")
    p.add_argument("--live-seconds", type=number(0, 3600), default=3.0,
                   help="seconds of the 30 fps live loop per frame size (0 to skip it)")
    p.add_argument("--ui-frames", type=number(0, 100_000, whole=True), default=180,
                   help="kiosk UI frames measured during the live preview, offscreen (0 to skip the kiosk rows)")
    p.add_argument("--ui-students", type=number(0, 1000, whole=True),
                   default=5, help="kiosk check-ins timed from OK to the queue number")
    p.add_argument("--link-records", type=number(0, 10_000, whole=True), default=48,
                   help="≈1.4 MB records sent station outbox → HQ ack over a local mosquitto, against a bare paho "
                        "publish of the same bytes (0 to skip the link rows)")
    p.add_argument("--ingest-records", type=number(0, 1_000_000, whole=True), default=10_000,
                   help="small records stored by HQ's ingest in batches of 50, a group at a time, timed "
                        "(default 10000, a few seconds; 0 to skip)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_bench)


def _ms(value: float | None) -> str:
    return f"{value:9.3f}" if value is not None else f"{'-':>9}"


def _x(value: float | None) -> str:
    return f"{value:7.1f}x" if value is not None else f"{'-':>8}"


def format_rows(rows: list[dict]) -> str:
    """The side-by-side table: times in ms, then how many times faster our C path is than the best straightforward
    OpenCV/numpy way and than NFIQ 2, and how many plain read passes over the frame it costs (the memory floor)."""
    lines = [f"{'kernel':<14} {'frame':<16} {'C ms':>9} {'best ms':>9} {'NFIQ2 ms':>9} {'read ms':>9} "
             f"{'vs best':>8} {'vs NFIQ2':>8} {'reads':>8}  note"]
    for r in rows:
        lines.append(f"{r['kernel']:<14} {r['frame']:<16} {_ms(r['c_ms'])} {_ms(r.get('best_ms'))} "
                     f"{_ms(r['nfiq2_ms'])} {_ms(r.get('read_ms'))} {_x(r.get('speedup_vs_best'))} "
                     f"{_x(r['speedup_vs_nfiq2'])} {_x(r.get('read_passes'))}  {r['note']}")
    lines.append("best = the faster of the idiomatic OpenCV/numpy way (e.g. cv2.Laplacian(img, cv2.CV_64F).var()) and "
                 "OpenCV with preallocated outputs and 16-bit intermediates (both in --json); reads = C time in plain "
                 "read passes over the same frame (1.0 = the memory floor); medians of wall time on this machine now "
                 "(noisy: compare ratios, not absolute times)")
    return "\n".join(lines)


def _bench(args: argparse.Namespace) -> int:
    if args.suite == "fleet":
        return _fleet(args)
    if args.suite == "hq-web":
        from sinopsis.bench_web import run_web_bench  # HQ's Django on a throw-away data dir, in this process

        stations = 30 if args.stations is None else args.stations
        table, errors = run_web_bench(max(1, args.clients), max(1, args.rounds), max(0, stations), args.workers,
                                      max(0.0, args.think_ms or 0.0) / 1000)
        print(table)
        return 1 if errors else 0
    from native.bench import run_all  # OpenCV is imported only when benchmarking

    rows = run_all(repeat=max(1, args.repeat), nfiq2_repeat=max(1, args.nfiq2_repeat))
    if args.live_seconds > 0:
        rows += live_rows(args.live_seconds)
    if args.ui_frames > 0:
        from sinopsis.bench_ui import run_ui_bench  # in its own process: one Kivy window per process

        rows += run_ui_bench(args.ui_frames, max(1, args.ui_students))
    if args.link_records > 0 or args.ingest_records > 0:
        from sinopsis.bench_link import run_link_bench  # in its own process: HQ's Django on a throw-away data dir

        rows += run_link_bench(max(0, args.link_records), max(0, args.ingest_records))
    if args.json:
        print_json(rows)
    else:
        print(format_rows(rows))
    return 0


def _fleet(args: argparse.Namespace) -> int:
    """`sinopsis bench fleet`: the rows (text or --json; notes on stderr), exit 1 when a row fails its rules."""
    import sys
    import time

    from sinopsis.bench_fleet import FleetSettings, default_databases, failed, format_rows, run_fleet_bench

    databases, note = default_databases()
    if args.database is not None:
        databases = ["postgres", "sqlite"] if args.database == "both" else [args.database]
    settings = FleetSettings(stations=max(1, args.stations or 1000), seconds=max(0.0, 60 * args.minutes),
                             workers=max(1, args.workers or 2), health_s=max(1.0, args.health_s),
                             record_s=max(0.05, args.record_s), backlog=max(0, args.backlog),
                             ack_timeout_s=max(0.5, args.ack_timeout_s), drain_s=max(0.0, args.drain_s),
                             dashboard_clients=max(0, args.dashboard_clients),
                             think_s=max(0.0, 1000.0 if args.think_ms is None else args.think_ms) / 1000,
                             web_workers=args.web_workers, logs=args.logs)

    started = time.monotonic()

    def say(line: str) -> None:
        print(f"bench fleet: [{time.monotonic() - started:6.1f} s] {line}", file=sys.stderr, flush=True)

    if note:
        say(note)
    rows = run_fleet_bench(settings, databases, say)
    if args.json:
        print_json(rows)
    else:
        print(format_rows(rows))
    return 1 if any(failed(row) for row in rows) else 0


def live_rows(seconds: float) -> list[dict]:
    """The live loop (camera → analysis → event at 30 fps) at 720p and 1080p, as bench rows (p50 as the time)."""
    from drivers.bench_live import run_live_loop
    from native.bench_timing import row

    rows = []
    for width, height in ((1280, 720), (1920, 1080)):
        r = run_live_loop(width, height, seconds)
        rows.append(row("live loop", f"{width}x{height}", r.p50_ms, None, None,
                        note=f"camera→face analysis→event at 30 fps: p50 {r.p50_ms:.1f} ms "
                             f"({100 * r.budget_share:.0f}% of the frame budget), p99 {r.p99_ms:.1f} ms, "
                             f"{r.analysed}/{r.frames} frames analysed, {r.dropped} dropped"))
    return rows
