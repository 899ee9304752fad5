"""`sinopsis bench fleet`: HQ under a fleet of N simulated kits (issue 22 point 2), each part its own process on
this machine, on PostgreSQL (a throw-away cluster, fsync on) and/or SQLite.

Per database row: a LocalBroker (the real mosquitto, passwords and the ACL by direction, one account per kit) on a
random port; HQ seeded (migrated, every kit enrolled with its own Ed25519 key, a dashboard login;
sinopsis/bench_fleet_hq.py); `--workers` `sinopsis hq ingest` processes on the shared subscription;
`sinopsis hq serve` (gunicorn) on the same database; the kits, about KITS_PER_PROCESS to a process each driven by
one selector loop (sinopsis/bench_fleet_kits.py, sinopsis/bench_fleet_kit.py). Once every kit is connected and
has heard HQ's ingest online, the kits run for the given time — records due every `record_s` per kit, Health
every `health_s` and on change — while a few dashboard users fetch the fleet page and its JSON
(sinopsis/bench_fleet_web.py); then the kits drain (every record sent answered, bounded) and stop cleanly, and HQ's
database is compared with what they sent. /proc gives each part's peak memory and CPU (sinopsis/proc_usage.py).

Every process started is stopped with SIGTERM (and waited for) at the end, on an error, and on SIGTERM/SIGHUP/
Ctrl-C of the bench itself (the CLI turns those into KeyboardInterrupt; the ExitStack below unwinds).
"""

import contextlib
import json
import math
import os
import resource
import secrets
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from contract.durable import private_dir, write_private
from contract.keys import public_pem
from provisioning.broker import LocalBroker
from provisioning.pg_cluster import PgCluster, postgres_bin
from sinopsis.bench_fleet_proc import Child
from sinopsis.bench_fleet_web import DashboardUsers
from sinopsis.bench_web import p95
from sinopsis.proc_usage import Sampler

KITS_PER_PROCESS = 250
HQ_USER, LOGIN = "hq-ingest", "bench"
FDS_PER_KIT = 3  # the kit's socket in its process, the broker's end of it, and a spare for the broker's files
SEED_WAIT_S, READY_WAIT_S = 900.0, 300.0


@dataclass
class FleetSettings:
    """What `sinopsis bench fleet` was asked to do (the CLI's flags)."""

    stations: int = 1000
    seconds: float = 180.0
    workers: int = 2
    health_s: float = 60.0
    record_s: float = 60.0
    backlog: int = 0
    ack_timeout_s: float = 60.0
    drain_s: float = 300.0
    dashboard_clients: int = 4
    think_s: float = 1.0
    web_workers: int | None = None
    logs: Path | None = None  # copy every process's log here (one folder per database)
    sqlite_template: Path | None = None  # a migrated, empty hq.sqlite3 to start from (the smoke test's)


def raise_fd_limit(needed: int) -> str:
    """Raise this process's open-file limit (inherited by mosquitto and the kits) towards `needed`, up to the hard
    limit; a note saying what the limit is, and whether it falls short."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < needed and soft != resource.RLIM_INFINITY:
        soft = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    if soft != resource.RLIM_INFINITY and soft < needed:
        return (f"open files: limit {soft} (hard {hard}) is below the {needed} this fleet needs: the broker will "
                "refuse kits; raise the hard limit (ulimit -Hn, LimitNOFILE) or run fewer stations")
    return f"open files: limit {soft} (hard {hard}), {needed} needed"


def default_databases() -> tuple[list[str], str]:
    """PostgreSQL when it is installed (with psycopg), else SQLite; and a note when PostgreSQL is not there."""
    try:
        import psycopg  # noqa: F401 (only whether it is installed)
    except ImportError:
        return ["sqlite"], "PostgreSQL row skipped: psycopg is not installed (pip install -e '.[hq-postgres]')"
    if postgres_bin() is None:
        return ["sqlite"], "PostgreSQL row skipped: PostgreSQL is not installed (apt-get install postgresql)"
    return ["postgres"], ""


def _python(*args: str) -> list[str]:
    return [sys.executable, "-m", *args]


def run_row(database: str, s: FleetSettings, say: Callable[[str], None]) -> dict:
    """One database's row (see the module's docstring)."""
    with tempfile.TemporaryDirectory(prefix="sinopsis-bench-fleet-") as folder, contextlib.ExitStack() as stack:
        root = Path(folder)
        logs = private_dir(root / "logs")
        env = {k: v for k, v in os.environ.items() if k != "SINOPSIS_HQ_DATABASE_URL"}
        env["SINOPSIS_HQ_DATA"] = str(root / "hq")
        cluster = None
        if s.logs is not None:
            stack.callback(shutil.copytree, logs, s.logs / database, dirs_exist_ok=True)
        if database == "sqlite" and s.sqlite_template is not None:
            private_dir(root / "hq")
            shutil.copyfile(s.sqlite_template, root / "hq" / "hq.sqlite3")
        if database == "postgres":
            cluster = stack.enter_context(PgCluster(fsync=True))
            env["SINOPSIS_HQ_DATABASE_URL"] = cluster.url

        def child(name: str, command: list[str]) -> Child:
            return stack.enter_context(Child(name, command, env, logs / f"{name}.log"))

        keys = {f"st-fleet-{n + 1:04d}": Ed25519PrivateKey.generate() for n in range(s.stations)}
        passwords = {sid: secrets.token_urlsafe(12) for sid in keys}
        hq_password = secrets.token_urlsafe(12)
        broker = stack.enter_context(LocalBroker(root / "broker", passwords, {HQ_USER: hq_password}))
        write_private(root / "stations.json",
                      json.dumps([[sid, public_pem(key.public_key())] for sid, key in keys.items()]))
        write_private(root / "login", secrets.token_urlsafe(16))
        write_private(root / "hq_password", hq_password)
        seed = child("hq-seed", _python("sinopsis.bench_fleet_hq", "--stations", str(root / "stations.json"),
                                        "--login", LOGIN, "--password-file", str(root / "login")))
        hq_key = X25519PrivateKey.generate().public_key().public_bytes_raw().hex()
        ids = list(keys)
        timings = {k: v for k, v in asdict(s).items()
                   if k in ("seconds", "health_s", "record_s", "backlog", "ack_timeout_s", "drain_s")}
        per = math.ceil(len(ids) / max(1, math.ceil(len(ids) / KITS_PER_PROCESS)))
        kits = []
        for n, start in enumerate(range(0, len(ids), per)):
            spec = {"host": "127.0.0.1", "port": broker.port, "hq_key": hq_key, **timings,
                    "stations": [{"id": sid, "password": passwords[sid], "key": keys[sid].private_bytes_raw().hex()}
                                 for sid in ids[start:start + per]]}
            write_private(root / f"kits-{n}.json", json.dumps(spec))
            kits.append(child(f"kits-{n}", _python("sinopsis.bench_fleet_kits", str(root / f"kits-{n}.json"))))
        seeded = seed.expect("seeded", SEED_WAIT_S)
        say(f"{database}: HQ seeded with {s.stations} stations in {seeded['seconds']} s")
        url = f"mqtt://{HQ_USER}@127.0.0.1:{broker.port}"
        ingest = [child(f"ingest-{n + 1}", _python("sinopsis", "hq", "ingest", "--worker", f"w{n + 1}", "--broker", url,
                                                   "--password-file", str(root / "hq_password")))
                  for n in range(s.workers)]
        web = child("web", _python("sinopsis", "hq", "serve", "--port", "0",
                                   *(["--workers", str(s.web_workers)] if s.web_workers else [])))
        web_url = web.line(READY_WAIT_S).split(" on ")[1].split()[0]
        users = DashboardUsers(web_url, LOGIN, (root / "login").read_text(), s.dashboard_clients, s.think_s).start()
        ready = [kit.expect("ready", READY_WAIT_S) for kit in kits]
        say(f"{database}: {s.stations} kits connected in {len(kits)} process(es) (pools sealed in "
            f"{max(r['sealed_s'] for r in ready)} s); running {s.seconds:g} s")
        sampler = Sampler({"broker": lambda: [broker.process.pid], "ingest": lambda: [c.pid for c in ingest],
                           "web": lambda: [web.pid], "postgres": lambda: [cluster.pid] if cluster else [],
                           "kits": lambda: [k.pid for k in kits]}).start()
        users.go()
        started = time.monotonic()
        for kit in kits:
            kit.send("go")
        results = [kit.expect("result", s.seconds + s.drain_s + 120) for kit in kits]
        elapsed = time.monotonic() - started
        say(f"{database}: kits done (drained in {max(r['drain_s'] for r in results):.1f} s); stopping HQ")
        pages = users.stop()
        usage = sampler.stop()
        for server in [*ingest, web]:
            server.terminate()
        codes = {server.name: server.stop() for server in [*ingest, web]}
        say(f"{database}: HQ stopped")
        seed.send("check")
        held = seed.expect("checked", SEED_WAIT_S)
        say(f"{database}: HQ's database checked")
    return _row(database, s, cluster is not None, results, held, pages, usage, codes, elapsed)


def _row(database: str, s: FleetSettings, fsync: bool, results: list[dict], held: dict, pages: dict,
         usage: dict, codes: dict, elapsed: float) -> dict:
    """The printed row from what the kits, HQ's database, the dashboard users and /proc said."""
    sent = {r for res in results for r in res["sent"]}
    answered = {r: a for res in results for r, a in res["answered"].items()}
    stored = set(held["stored"])
    counts = {name: sum(res["counts"][name] for res in results) for name in results[0]["counts"]}
    ack_ms = sorted(t for res in results for t in res["ack_ms"])
    dashboard = pages["dashboard"].times_ms + pages["fleet.json"].times_ms
    row = {"database": database + (" (fsync on)" if fsync else ""), "stations": s.stations,
           "seconds": round(elapsed, 1), "records_sent": len(sent), "records_acked": len(answered),
           "unacked": len(sent - set(answered)), "lost": len(sent - stored), "duplicates": held["duplicates"],
           "redelivered": held["redelivered"], "resent": counts["resent"], "ack_timeouts": counts["timeouts"],
           "rejected": counts["rejected"], "disconnects": counts["disconnects"],
           "ingest_records_per_s": round(len(stored) / held["ingest_span_s"], 1) if held["ingest_span_s"] else None,
           "offered_records_per_s": round(s.stations / s.record_s, 1),
           "ack_p50_ms": ack_ms[len(ack_ms) // 2] if ack_ms else None, "ack_p95_ms": p95(ack_ms),
           "health_sent": counts["health"], "dashboard_requests": len(dashboard),
           "dashboard_errors": sum(len(p.errors) for p in pages.values()),
           "dashboard_p95_ms": _round(p95(pages["dashboard"].times_ms)),
           "fleet_json_p95_ms": _round(p95(pages["fleet.json"].times_ms)),
           "batches_by_worker": held["batches_by_worker"], "dead_letters": held["dead_letters"],
           "exit_codes": codes}
    for name, use in usage.items():
        if use.processes:
            row[f"{name}_rss_mb"], row[f"{name}_cpu_s"] = round(use.rss_mb, 1), round(use.cpu_s, 1)
    return row


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def failed(row: dict) -> bool:
    """Whether the row breaks the goal's hard rules: anything lost, stored twice or left unanswered, a dashboard
    request failed, or a server did not stop cleanly."""
    return bool(row["lost"] or row["duplicates"] or row["unacked"] or row["dashboard_errors"]
                or any(code != 0 for code in row["exit_codes"].values()))


def run_fleet_bench(s: FleetSettings, databases: list[str], say: Callable[[str], None]) -> list[dict]:
    """Every asked database's row, one after the other."""
    say(raise_fd_limit(FDS_PER_KIT * s.stations + 1024))
    return [run_row(database, s, say) for database in databases]


def format_rows(rows: list[dict]) -> str:
    """The rows as `key: value` blocks, one per database."""
    return "\n\n".join("\n".join(f"{key:<22} {value}" for key, value in row.items()) for row in rows)
