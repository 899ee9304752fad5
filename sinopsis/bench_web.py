"""`sinopsis bench hq-web`: HQ's web app under concurrent office users, on the real server (`sinopsis hq serve`,
gunicorn with its default workers) on a throw-away data dir.

The HQ is seeded first: `stations` enrolled stations, each online with a health report and records, so the fleet
dashboard has a city's worth of rows to draw. Then `clients` threads each log in (GET the login page, POST the
form with its CSRF token: both timed as "log in", where the password hash is the cost), wait for each other,
then `rounds` times fetch the login page as a visitor and the dashboard as the logged-in user, over kept-alive
connections like a browser, pausing `think` after each pair (0: the worst case, no pause). Every answer other
than 200 (or a connection error) is an error. Printed: per page the requests, errors and p50/p95/max in ms (wall
time on this machine, with the client on the same cores as the server: a bound, not the server's own time).
"""

import datetime as dt
import random
import re
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

START_WAIT_S = 60.0
PASSWORD = secrets.token_urlsafe(16)  # the throw-away login's, fresh each run
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass
class Page:
    """The answers of one page: each request's time in ms, and the errors (status or exception)."""

    times_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def row(self, name: str) -> str:
        times = sorted(self.times_ms)
        if not times:
            return f"{name:<12} {0:>8} {len(self.errors):>7}"
        return (f"{name:<12} {len(times) + len(self.errors):>8} {len(self.errors):>7} {statistics.median(times):>8.1f} "
                f"{p95(times):>8.1f} {times[-1]:>8.1f}")


def p95(times_ms: list[float]) -> float | None:
    """The 95th percentile (nearest rank) of the times, None without any."""
    times = sorted(times_ms)
    return times[min(len(times) - 1, round(0.95 * (len(times) - 1)))] if times else None


def timed(pages: dict[str, Page], lock: threading.Lock, name: str, call) -> requests.Response | None:
    """`call()` timed into `pages[name]`: its time when it answers 200, else its status or exception as an error."""
    start = time.perf_counter()
    try:
        answer = call()
    except requests.RequestException as e:
        with lock:
            pages[name].errors.append(type(e).__name__)
        return None
    elapsed = 1000 * (time.perf_counter() - start)
    with lock:
        if answer.status_code == 200:
            pages[name].times_ms.append(elapsed)
        else:
            pages[name].errors.append(str(answer.status_code))
    return answer


def log_in(session: requests.Session, url: str, login: str, password: str, pages: dict[str, Page],
           lock: threading.Lock) -> bool:
    """An office user's login on `session` (the form, its CSRF token, the POST), both timed as "log in"; False when
    no form came."""
    form = timed(pages, lock, "log in", lambda: session.get(url + "login/", timeout=60))
    token = CSRF.search(form.text) if form is not None else None
    if token is None:
        with lock:
            pages["log in"].errors.append("no login form")
        return False
    timed(pages, lock, "log in", lambda: session.post(url + "login/", data={
        "username": login, "password": password, "csrfmiddlewaretoken": token[1]},
        headers={"Referer": url + "login/"}, timeout=60))
    return True


def seed(data: Path, stations: int) -> None:
    """Migrate a fresh HQ in `data` and give it a login and `stations` online stations with health and records."""
    from hq.runtime import migrate, setup

    setup(data)  # Django first: the models below need it
    migrate(verbosity=0)
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from django.db import connections
    from django.utils import timezone

    from contract.keys import public_pem
    from contract.wire import Health, Status
    from hq.fleet.enrolment import enrol_station
    from hq.fleet.liveness import apply_health, apply_status
    from hq.ingest.models import Record
    from hq.ingest.tallies import count_stored
    from hq.users import create_user

    create_user("bench", PASSWORD, roles=("kabid_piak",), full_name="Bench")
    now = timezone.now()
    for n in range(stations):
        sid = f"st-bench-{n:03d}"
        enrol_station(sid, public_pem(Ed25519PrivateKey.generate().public_key()).encode(), school=f"SMA {n}")
        apply_status(sid, Status(state="online", epoch=1))
        apply_health(sid, Health(epoch=1, ts=now.isoformat(), queue_depth=n % 4, software_version="0.1.0",
                                 counts={"recorded": 40, "sealed": 40}, devices={"camera": True, "printer": True},
                                 disk_free_bytes=40 * 10**9, disk_total_bytes=64 * 10**9, battery_percent=80.0,
                                 certificate_expires=(now + dt.timedelta(days=300)).isoformat()))
        count_stored(Record.objects.bulk_create(  # with their tallies, as ingest stores them
            Record(record_id=f"{sid}-r{seq}", station_id=sid, seq=seq, sha256="0" * 64, size=1000,
                   path=f"records/{sid}/{seq}", sealed_at=now.isoformat(), received_at=now) for seq in range(1, 41)))
    connections.close_all()


def client(url: str, rounds: int, think_s: float, pages: dict[str, Page], lock: threading.Lock,
           logged_in: threading.Barrier) -> None:
    """One office user: log in, wait for the others to have logged in too (the password hash of 16 logins at once
    is its own load, timed apart), then `rounds` times the login page (as a visitor) and the dashboard, pausing
    `think_s` (±50 %, so the users drift apart) after each pair: 0 is the worst case, every user clicking at once
    without end."""
    rng = random.Random()  # noqa: S311 (pauses, not secrets)
    visitor, user = requests.Session(), requests.Session()
    log_in(user, url, "bench", PASSWORD, pages, lock)  # the form, during the others' logins
    logged_in.wait()
    for _ in range(rounds):
        timed(pages, lock, "login page", lambda: visitor.get(url + "login/", timeout=60))
        timed(pages, lock, "dashboard", lambda: user.get(url, timeout=60, allow_redirects=False))
        if think_s > 0:
            time.sleep(think_s * rng.uniform(0.5, 1.5))


def run_web_bench(clients: int, rounds: int, stations: int, workers: int | None = None,
                  think_s: float = 0.0) -> tuple[str, int]:
    """Seed a throw-away HQ, serve it, run the clients; returns the printed table and the number of errors."""
    with tempfile.TemporaryDirectory(prefix="sinopsis-bench-web-") as folder:
        data = Path(folder) / "hq"
        seed(data, stations)
        command = [sys.executable, "-m", "sinopsis", "hq", "serve", "--port", "0", "--data", str(data)]
        if workers is not None:
            command += ["--workers", str(workers)]
        with (Path(folder) / "serve.log").open("w") as log:
            server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=log, text=True)
        try:
            line = server.stdout.readline()  # the server prints its URL once it listens (or exits)
            if " on http://" not in line:
                log_text = (Path(folder) / "serve.log").read_text()
                raise RuntimeError(f"bench: `sinopsis hq serve` did not start: {log_text}")
            url = line.split(" on ")[1].split()[0]
            pages = {name: Page() for name in ("login page", "log in", "dashboard")}
            lock, logged_in = threading.Lock(), threading.Barrier(clients)
            threads = [threading.Thread(target=client, args=(url, rounds, think_s, pages, lock, logged_in))
                       for _ in range(clients)]
            start = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            seconds = time.perf_counter() - start
        finally:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(START_WAIT_S)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
    total = sum(len(p.times_ms) + len(p.errors) for p in pages.values())
    errors = sum(len(p.errors) for p in pages.values())
    lines = [f"HQ web: {clients} concurrent clients x {rounds} rounds (login page + dashboard, then {think_s:g} s "
             f"think time), {stations} stations on the dashboard; {line.split('(', 1)[1].split(';')[0]}",
             f"{'page':<12} {'requests':>8} {'errors':>7} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}"]
    lines += [page.row(name) for name, page in pages.items()]
    lines.append(f"{total} requests in {seconds:.1f} s ({total / seconds:.0f}/s), {errors} error(s)"
                 + (": " + ", ".join(sorted({e for p in pages.values() for e in p.errors})) if errors else ""))
    return "\n".join(lines), errors
