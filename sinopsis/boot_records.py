"""A record sealed inside the booted kit and the power cut while one is sealed (issue 23), for the boot check:
HQ hands the kit a signed assignment, a student is checked in and the record sealed as the kit's user
(sinopsis/boot_seal.py) and the agent delivers it; then a second one is stopped at its commit
(`SINOPSIS_FAILPOINT_ACTION=stop`), the whole container killed, booted again, the record saved again, and the
ledger (`sinopsis ledger`) compares the kit's database with HQ's."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from hq.keys import KEY_FILE
from sinopsis.boot_hq import LocalHq
from sinopsis.boot_kit import BootedKit
from sinopsis.boot_report import Report, wait_for
from sinopsis.proc_usage import children, state
from sinopsis.signals import run_child

STATION_ID = "st-boot-01"

CLI, PYTHON, CONFIG = "/opt/sinopsis/.venv/bin/sinopsis", "/opt/sinopsis/.venv/bin/python", "/etc/sinopsis/station.toml"


def hand_assignment(hq: LocalHq, root: Path) -> list[dict]:
    """A signed assignment for the checked station (HQ's assignment key, three demo students) put where the kit's
    user reads it; the students."""
    import datetime as dt
    import random

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from contract.assignment import bundle_to_bytes, sign_assignment
    from contract.keys import load_private_key
    from sinopsis.demo_data import build_assignment_content, demo_applicants

    today = dt.date.today()
    people = demo_applicants(random.Random(23), today, 3)  # noqa: S311 - made-up students, not a secret
    content = build_assignment_content(today, people)
    content["station_id"] = STATION_ID
    key = load_private_key(hq.data / KEY_FILE, Ed25519PrivateKey)  # made by `sinopsis hq migrate`
    state = root / "var/lib/sinopsis"
    path = state / "boot-assignment.json"
    path.write_bytes(bundle_to_bytes(sign_assignment(content, key)))
    os.chown(path, state.stat().st_uid, state.stat().st_gid)
    return people


def _check_in(kit: BootedKit, person: dict) -> str:
    out = kit.run(CLI, "station", "checkin", "--application", person["application_id"], "--phone", person["phone"],
                  "--config", CONFIG, user="sinopsis").stdout
    found = re.search(r"record (\S+)", out)
    if not found:
        raise RuntimeError(f"check-in printed no record id: {out[-500:]}")
    return found.group(1)


def record_reaches_hq(kit: BootedKit, hq: LocalHq, root: Path, people: list[dict],
                      report: Report) -> tuple[bool, str]:
    """The assignment imported, a student checked in and the record sealed inside the kit; HQ stores it and the
    kit's outbox holds HQ's Ack (the record `accepted`)."""
    kit.run(CLI, "station", "assignment", "import", "/var/lib/sinopsis/boot-assignment.json", "--config", CONFIG,
            user="sinopsis")
    record = _check_in(kit, people[0])
    kit.run(PYTHON, "-m", "sinopsis.boot_seal", "--config", CONFIG, "--record", record, user="sinopsis",
            timeout_s=180)
    stored = bool(wait_for(lambda: hq.station(STATION_ID)[1] >= 1, 180))
    acked = wait_for(lambda: _state(root, record) == "accepted", 60)  # HQ's Ack reached the kit's outbox
    report.record_reached_hq = stored and bool(acked)
    return report.record_reached_hq, (f"record {record}: {hq.station(STATION_ID)[1]} record(s) at HQ; on the kit "
                                      f"{_state(root, record)}")


def _state(root: Path, record: str) -> str:
    """The record's state in the kit's own database (read from outside, read-only)."""
    import sqlite3

    with sqlite3.connect(f"file:{root / 'var/lib/sinopsis/station.db'}?mode=ro", uri=True) as db:
        row = db.execute("SELECT state FROM records WHERE id = ?", (record,)).fetchone()
    return row[0] if row else "missing"


def _stopped_below(pid: int) -> bool:
    """Whether a process under `pid` (host ids) is stopped (state T): the sealing at its failpoint."""
    return any(state(child) == "T" or _stopped_below(child) for child in children(pid))


def power_cut(kit: BootedKit, hq: LocalHq, root: Path, people: list[dict], report: Report) -> tuple[bool, str]:
    """The kit loses power while a record is being sealed (stopped at `commit.before_commit`, every row written,
    COMMIT not run, then the whole container killed); it boots again, runs its start-up check, the operator saves
    the record again; the ledger then says nothing was lost or duplicated."""
    record = _check_in(kit, people[1])
    sealing = subprocess.Popen(
        kit.command("env", "SINOPSIS_FAILPOINT=commit.before_commit", "SINOPSIS_FAILPOINT_ACTION=stop", PYTHON, "-m",
                    "sinopsis.boot_seal", "--config", CONFIG, "--record", record, user="sinopsis"),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if not wait_for(lambda: _stopped_below(sealing.pid), 180, 0.2):
        sealing.kill()
        return False, "the sealing never reached its commit"
    kit.kill()  # the power cut
    try:
        sealing.wait(30)
    except subprocess.TimeoutExpired:
        sealing.kill()
    state = kit.boot()
    kit.run(CLI, "station", "check", "--config", CONFIG, user="sinopsis")
    kit.run(PYTHON, "-m", "sinopsis.boot_seal", "--config", CONFIG, "--record", record, user="sinopsis",
            timeout_s=180)
    wait_for(lambda: hq.station(STATION_ID)[1] >= 2, 180)
    done = run_child([sys.executable, "-m", "sinopsis", "ledger", "--station-db",
                      str(root / "var/lib/sinopsis/station.db"), "--hq-data", str(hq.data), "--json"],
                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=120)
    ledger = json.loads(done.stdout)[0]
    report.power_cut_lost, report.power_cut_duplicated = len(ledger["lost"]), len(ledger["duplicate"])
    stored = hq.station(STATION_ID)[1]
    return (report.power_cut_lost == 0 and report.power_cut_duplicated == 0 and stored == 2,
            f"booted again ({state}); ledger {ledger['counts']}; {stored} record(s) at HQ")
