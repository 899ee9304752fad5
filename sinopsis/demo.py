"""`sinopsis demo`: a station that holds a signed assignment, checks students in and seals records.

Runs the walk-in script from the demo data against a real station store (SQLite + packet files), seals
records from the shipped sample images, then checks everything it wrote and prints what is where. Every
capture is scored by the live quality engine (native/): the face is the sample head on the backdrop the
student's birth year requires; fingers and irises are read from the [devices] SDK libraries (the simulators
by default) through the vendor bindings (sinopsis/demo_devices.py): step 5 seals scripted records directly; step 6
runs the capture engine (sinopsis/simulate.py) against the simulated kit.
"""

import datetime as dt
import functools
import json
import math
import shutil
from collections.abc import Callable
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from contract.durable import private_dir, write_private
from contract.errors import SinopsisError
from contract.keys import load_public_key
from contract.packets import verify_packet
from native import samples
from sinopsis.demo_data import DemoPaths, generate
from station import audit
from station.capture.policy import FINGERS, CaptureResult, face_background_for
from station.checkin import CheckIn, check_in_by_application, check_in_by_nik
from station.config import StationConfig, load_config
from station.integrity import check_store
from station.records import counts_by_state, transition
from station.roster import import_assignment
from station.sealing import station_sealer
from station.store import StationStore

MARKER = ".sinopsis-demo"
NIST_NFIQ2 = {"SFinGe_Test01": 54, "SFinGe_Test02": 45, "SFinGe_Test03": 53}


def signature_strokes() -> bytes:
    """A pen signature as the pad reports it: strokes of (x, y, pressure) points, stored losslessly as JSON."""
    stroke = [(round(40 + 6 * t), round(60 + 25 * math.sin(t / 3.0)), 0.6) for t in range(60)]
    underline = [(30 + 7 * t, 100, 0.4) for t in range(50)]
    return json.dumps({"format": "strokes/1", "strokes": [stroke, underline]}).encode()


@functools.cache
def scored_face(backdrop: str) -> tuple[bytes, int, str]:
    """The demo portrait on `backdrop` as PNG, its live face score and the backdrop colour the engine saw."""
    import cv2

    from native.face import FaceQuality

    frame = samples.portrait(backdrop)
    report = FaceQuality().measure(frame, required_background=backdrop)
    return cv2.imencode(".png", frame)[1].tobytes(), report.score, report.background


@functools.cache
def scored_samples() -> tuple[list[tuple[str, bytes, int]], bytes, int]:
    """Sample prints (stem, bytes, live score) and the iris sample (bytes, live score), scored once."""
    import cv2

    from native.fingerprint import FingerQuality
    from native.iris import IrisQuality

    finger = FingerQuality()
    prints = [(p.stem, p.read_bytes(), finger.measure(cv2.imread(str(p), cv2.IMREAD_GRAYSCALE)).score)
              for p in samples.FINGERPRINTS]
    iris_score = IrisQuality().measure(cv2.imread(str(samples.IRIS), cv2.IMREAD_GRAYSCALE)).score
    return prints, samples.IRIS.read_bytes(), iris_score


def demo_captures(exception_finger: str | None = None, birth_year: int = 2009,
                  config: StationConfig | None = None) -> list[CaptureResult]:
    """A complete record (face, signature, ten fingers, two irises), scored live.

    With a `config`, fingers and irises come from its [devices] SDK libraries through the vendor bindings
    (the simulators by default); without one, straight from the sample files (fast, for tests of sealing).
    """
    if config is not None:
        from sinopsis.demo_devices import device_captures

        face_and_signature = [c for c in demo_captures(exception_finger, birth_year)
                              if c.position in ("face", "signature") or c.position == exception_finger]
        return face_and_signature + device_captures(config, exception_finger)
    face, face_score, backdrop = scored_face(face_background_for(birth_year))
    prints, iris, iris_score = scored_samples()
    engine = {"score_source": "native quality engine (our 0-100 score)"}
    captures = [
        CaptureResult("face", "captured", 1, face, "png", face_score, metadata={**engine, "background": backdrop}),
        CaptureResult("signature", "captured", 1, signature_strokes(), "json"),
    ]
    for i, finger in enumerate(FINGERS):
        if finger == exception_finger:
            captures.append(CaptureResult(finger, "exception", 1, face, "png", exception_code="injured",
                                          reason="finger bandaged"))
            continue
        stem, data, score = prints[i % len(prints)]
        captures.append(CaptureResult(finger, "captured", 1 + i % 2, data, "pgm", score,
                                      metadata={**engine, "nfiq2": NIST_NFIQ2[stem],
                                                "nfiq2_source": f"NIST published NFIQ 2 for {stem}"}))
    captures += [CaptureResult(eye, "captured", 1, iris, "png", iris_score, metadata=engine)
                 for eye in ("right_iris", "left_iris")]
    return captures


def _check_in(store: StationStore, w: dict) -> CheckIn:
    if w["method"] == "qr":
        return check_in_by_application(store, w["application_id"], w["phone"])
    return check_in_by_nik(store, w["nik"], dt.date.fromisoformat(w["birth_date"]), w["phone"])


def prepare(root: Path, recording_date: dt.date, count: int = 24) -> DemoPaths:
    """Start from a clean demo folder (only ever deletes a folder this demo made) with `count` applicants."""
    root = Path(root)
    if root.exists():
        if not (root / MARKER).exists():
            raise SinopsisError(f"{root} exists and was not made by the demo; choose another --dir")
        shutil.rmtree(root)
    private_dir(root)  # the demo's students are made up, but its outputs are handled as real ones: owner only
    write_private(root / MARKER, "made by sinopsis demo; deleted and remade on every run\n")
    return generate(root, recording_date, count=count)


def run_demo(root: Path, recording_date: dt.date, say: Callable[[str], None] = print) -> int:
    """Run the whole station demo under `root`; returns 0 when every check passed."""
    paths = prepare(root, recording_date)
    config = load_config(paths.station_config)
    say(f"1. Demo data in {paths.root}: dev keys, signed assignment, walk-in script")
    with StationStore(config.station.data_dir) as store:
        hq_key = load_public_key(config.key_path("hq_assignment_public_key"), Ed25519PublicKey)
        result = import_assignment(store, paths.assignment, hq_key, station_id=config.station.id,
                                   min_age=config.roster.min_age, actor="OP-01")
        again = import_assignment(store, paths.assignment, hq_key, station_id=config.station.id,
                                  min_age=config.roster.min_age, actor="OP-01")
        say(f"2. Assignment v{result.version} for {result.school_name}: {result.outcome}, "
            f"{result.applicants} applicants (importing it again: {again.outcome})")
        sealer = station_sealer(store, config)
        say("3. Walk-ins at the kiosk:")
        sealed = []
        for w in json.loads(paths.walk_ins.read_text()):
            try:
                ticket = _check_in(store, w)
            except SinopsisError as e:
                say(f"   - {w['who']}: refused [{e.code}] {e}")
                continue
            say(f"   - {w['who']}: queue number {ticket.queue_number} (board shows '{ticket.display_name}')")
            then = w.get("then", "")
            if then.startswith("record"):
                transition(store, ticket.record_id, "capturing", actor="OP-02")
                exception = "left_ring" if then == "record_with_exception" else None
                born = store.conn.execute("SELECT a.birth_date FROM records r JOIN applicants a ON a.id = "
                                          "r.applicant_ref WHERE r.id = ?", (ticket.record_id,)).fetchone()[0]
                captures = demo_captures(exception, int(born[:4]), config)
                rec = sealer.seal_and_commit(ticket.record_id, captures, operator_id="OP-02")
                sealed.append(rec)
                extra = " (left ring finger: exception 'injured')" if exception else ""
                say(f"     recorded and sealed: receipt {rec.receipt_number}{extra} — Tersimpan")
            elif then.startswith(("correction:", "withdraw:")):
                state = "correction_requested" if then.startswith("correction:") else "withdrawn"
                transition(store, ticket.record_id, state, actor="OP-01", reason_code=then.split(":")[1],
                           reason=w.get("note"))
                say(f"     {state.replace('_', ' ')}: {then.split(':')[1]}")
        station_pub = load_public_key(paths.station_public_key, Ed25519PublicKey)
        for rec in sealed:
            verify_packet(store.packet_path(rec.packet_file).read_bytes(), station_pub)
        integrity = check_store(store)
        chain = audit.verify(store.conn)
        counts = {k: v for k, v in counts_by_state(store.conn).items() if v}
        outbox = store.conn.execute("SELECT COUNT(*) FROM outbox WHERE acked_at IS NULL").fetchone()[0]
    say(f"4. Records by state: {counts}; outbox waiting for HQ: {outbox}")
    say(f"5. Checks: {len(sealed)} packets verify against the station key; integrity "
        f"{'OK' if integrity.ok else 'FAILED'} ({integrity.packets_checked} packet files); audit chain "
        f"{'OK' if chain.ok else 'BROKEN'} ({chain.rows} rows)")
    first = sealed[0] if sealed else None
    say("\nWhat is where:")
    say(f"  station database   {config.station.data_dir / 'station.db'}")
    say(f"  sealed packets     {config.station.data_dir / 'packets'}/ (encrypted for HQ; the station cannot read them)")
    say(f"  station config     {paths.station_config}")
    say(f"  HQ keys (dev only) {paths.hq_keys}/")
    if first:
        packet = config.station.data_dir / "packets" / first.packet_file
        say("\nTry (after `. .venv/bin/activate`, or as .venv/bin/sinopsis):")
        say(f"  sinopsis packet verify {packet} --station-key {paths.station_public_key}")
        say(f"  sinopsis packet open {packet} --station-key {paths.station_public_key} "
            f"--hq-key {paths.hq_keys / 'hq_packet.pem'} --out /tmp/opened")
        say(f"  sinopsis station audit verify --config {paths.station_config}")
    return 0 if integrity.ok and chain.ok else 1
