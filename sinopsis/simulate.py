"""`sinopsis station simulate`: full e-KTP captures run headless against simulated devices, with the policy.

Students are checked in from a fresh demo station (signed assignment, real SQLite store) and captured in the
e-KTP order through the capture engine; each student follows a scenario that exercises the policy:

- good: everything passes first time;
- retry: the scanner's first frames are blurred (quality ramp) and the iris camera times out once (a retry);
- exception: the left ring finger is injured: coded exception with its photo;
- below_threshold: the right eye never reaches the threshold; after the attempts the operator accepts the best
  with a reason (allowed by the policy, audited at sealing);
- walk_out: the student leaves after the portrait; the record is withdrawn with a coded reason.

Devices come from `make_devices(scenario, backdrop)` (the CLI wires drivers/ and the vendor simulators; the
simulated camera shows a student in front of `backdrop`), so the same engine drives real devices on a kit.
"""

import datetime as dt
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from contract.keys import load_public_key
from sinopsis.demo import prepare, signature_strokes
from station.acknowledgement import acknowledgement_fields
from station.capture.devices import Devices
from station.capture.engine import CaptureEngine, Outcome
from station.capture.policy import FINGERS, face_background_for
from station.checkin import check_in_by_application
from station.config import StationConfig, load_config
from station.records import transition
from station.roster import import_assignment
from station.sealing import SealedRecord, station_sealer
from station.store import StationStore

SCENARIOS = ("good", "retry", "exception", "below_threshold", "good", "walk_out")
SIM_SCRIPTS = {
    "retry": "finger ramp 8\nfinger present\niris timeout 1\niris present\n",
    "below_threshold": "iris ramp 1000000\n",
}


@dataclass
class PositionRun:
    """How one position went."""

    position: str
    status: str
    attempts: int
    score: int | None
    ms: float
    exception: str | None = None


@dataclass
class StudentRun:
    """How one student went: the scenario, the positions, and the record's end."""

    name: str
    scenario: str
    end: str = ""
    receipt: str | None = None
    positions: list[PositionRun] = field(default_factory=list)


def _timed(engine: CaptureEngine, position: str, run: Callable[[], Outcome], student: StudentRun) -> Outcome:
    start = time.perf_counter()
    outcome = run()
    ms = (time.perf_counter() - start) * 1000
    for p in outcome.positions:
        result = engine.results.get(p)
        student.positions.append(PositionRun(p, outcome.status, engine.attempts.get("+".join(outcome.positions), 0),
                                             result.score if result else outcome.best_score, ms))
    return outcome


def _capture_student(engine: CaptureEngine, birth_year: int, scenario: str, student: StudentRun,
                     photo: bytes) -> bool:
    """Capture every position; False when the student walked out."""
    _timed(engine, "face", lambda: engine.capture_face(birth_year), student)
    if scenario == "walk_out":
        return False
    engine.capture_signature(signature_strokes(), device="signature pad (simulated)")
    for finger in FINGERS:
        if scenario == "exception" and finger == "left_ring":
            engine.mark_exception(finger, "injured", "finger bandaged", photo)
            student.positions.append(PositionRun(finger, "exception", 0, None, 0.0, "injured"))
            continue
        _timed(engine, finger, lambda f=finger: engine.capture_finger(f), student)
    for eye in ("right", "left"):
        outcome = _timed(engine, f"{eye}_iris", lambda e=eye: engine.capture_iris(e), student)
        if outcome.status == "below_threshold":
            engine.accept_below_threshold(f"{eye}_iris", "eye condition: the best of the attempts kept")
            student.positions[-1].status = "accepted below threshold"
    return True


def acknowledgement_for(engine: CaptureEngine, sealed: SealedRecord, name: str, nik: str,
                        config: StationConfig, operator: str = "") -> dict:
    """What the acknowledgement slip says about a saved record (station/acknowledgement.py), with the QR the
    sealer signed, the station's [agency] header and the operator ("Name (OP-02)")."""
    return acknowledgement_fields(engine.results, sealed.receipt_number, sealed.record_id, name, nik,
                                  config.helpdesk, sealed_at=sealed.sealed_at, qr=sealed.slip_qr,
                                  station_id=config.station.id, operator=operator, agency=config.agency)


def run_simulation(root: Path, students: int, make_devices: Callable[[str, str], Devices],
                   recording_date: dt.date, say: Callable[[str], None] = print,
                   confirm: object | None = None,
                   print_receipt: Callable[[dict], None] | None = None) -> list[StudentRun]:
    """Simulate `students` captures in a fresh demo station under `root`; returns what happened to each.
    `confirm` is the NFIQ 2 ConfirmWorker for fingers (None: live scores only, faster); `print_receipt` gets the
    acknowledgement of each saved record (the CLI prints it on the simulated receipt printer)."""
    paths = prepare(root, recording_date, count=max(24, students))
    config = load_config(paths.station_config)
    runs = []
    with StationStore(config.station.data_dir) as store:
        hq_key = load_public_key(config.key_path("hq_assignment_public_key"), Ed25519PublicKey)
        import_assignment(store, paths.assignment, hq_key, station_id=config.station.id,
                          min_age=config.roster.min_age, actor="OP-01")
        sealer = station_sealer(store, config)
        member = store.conn.execute("SELECT name FROM operators WHERE operator_id = 'OP-02'").fetchone()
        operator = f"{member[0]} (OP-02)" if member is not None else "OP-02"
        applicants = store.conn.execute("SELECT application_id, name, birth_date, phone, nik FROM applicants "
                                        "ORDER BY id LIMIT ?", (students,)).fetchall()
        photo = _exception_photo()
        for i, (application_id, name, birth_date, phone, nik) in enumerate(applicants):
            scenario = SCENARIOS[i % len(SCENARIOS)]
            run = StudentRun(name, scenario)
            ticket = check_in_by_application(store, application_id, phone or "081234567890")
            transition(store, ticket.record_id, "capturing", actor="OP-02")
            devices = make_devices(scenario, face_background_for(int(birth_date[:4])))
            engine = CaptureEngine(config.capture, devices, confirm=confirm)
            try:
                if _capture_student(engine, int(birth_date[:4]), scenario, run, photo):
                    sealed = engine.commit(sealer, ticket.record_id, "OP-02")
                    run.end, run.receipt = "saved", sealed.receipt_number
                    if print_receipt is not None:
                        print_receipt(acknowledgement_for(engine, sealed, name, nik, config, operator))
                else:
                    transition(store, ticket.record_id, "withdrawn", actor="OP-02", reason_code="walked_out",
                               reason="left after the portrait")
                    run.end = "withdrawn (walked_out)"
            finally:
                engine.close()
            say(f"  {i + 1:>2}. {name:<24} {scenario:<16} {run.end} {run.receipt or ''}")
            runs.append(run)
    return runs


def _exception_photo() -> bytes:
    from native import samples

    return samples.FACE.read_bytes()


def summary(runs: list[StudentRun]) -> list[str]:
    """Per modality: captures, attempts, scores, exceptions, below-threshold acceptances and time."""
    lines = [f"{'modality':<10} {'captured':>8} {'attempts':>9} {'score min/median':>17} {'exceptions':>10} "
             f"{'below thr.':>10} {'median ms':>10}"]
    for modality, match in (("face", lambda p: p == "face"), ("finger", lambda p: p in FINGERS),
                            ("iris", lambda p: p.endswith("_iris"))):
        rows = [p for r in runs for p in r.positions if match(p.position)]
        done = [p for p in rows if p.status in ("captured", "accepted below threshold")]
        scores = [p.score for p in done if p.score is not None]
        attempts = [p.attempts for p in done]
        timed = [p.ms for p in rows if p.ms]
        lines.append(f"{modality:<10} {len(done):>8} {statistics.mean(attempts) if attempts else 0:>9.2f} "
                     f"{(f'{min(scores)}/{statistics.median(scores):.0f}' if scores else '-'):>17} "
                     f"{sum(p.status == 'exception' for p in rows):>10} "
                     f"{sum(p.status == 'accepted below threshold' for p in rows):>10} "
                     f"{statistics.median(timed) if timed else 0:>10.0f}")
    return lines
