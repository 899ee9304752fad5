"""`sinopsis demo`: a station that holds a signed assignment, checks students in and seals records.

Runs the walk-in script from the demo data against a real station store (SQLite + packet files), seals
records from the shipped sample images, then checks everything it wrote and prints what is where. Until the
quality engine lands (native/, issue 4), the demo's face and iris scores are fixed values marked as such in
each capture's metadata; fingerprint scores are NIST's published NFIQ 2 scores for the sample prints.
"""

import datetime as dt
import json
import math
import shutil
from collections.abc import Callable
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PublicKey

from native import samples
from station import audit
from station.capture_policy import FINGERS, CaptureResult
from station.checkin import CheckIn, check_in_by_application, check_in_by_nik
from station.config import load_config
from station.demo_data import DemoPaths, generate
from station.errors import SinopsisError
from station.integrity import check_store
from station.keys import load_private_key, load_public_key
from station.packets import verify_packet
from station.records import counts_by_state, transition
from station.roster import import_assignment
from station.sealing import RecordSealer
from station.store import StationStore

MARKER = ".sinopsis-demo"
NIST_NFIQ2 = {"SFinGe_Test01": 54, "SFinGe_Test02": 45, "SFinGe_Test03": 53}
DEMO_SCORE = {"face": 93, "iris": 72}


def signature_strokes() -> bytes:
    """A pen signature as the pad reports it: strokes of (x, y, pressure) points, stored losslessly as JSON."""
    stroke = [(round(40 + 6 * t), round(60 + 25 * math.sin(t / 3.0)), 0.6) for t in range(60)]
    underline = [(30 + 7 * t, 100, 0.4) for t in range(50)]
    return json.dumps({"format": "strokes/1", "strokes": [stroke, underline]}).encode()


def demo_captures(exception_finger: str | None = None) -> list[CaptureResult]:
    """A complete record from the sample images (face, signature, ten fingers, two irises)."""
    face = samples.FACE.read_bytes()
    prints = [(p.stem, p.read_bytes()) for p in samples.FINGERPRINTS]
    iris = samples.IRIS.read_bytes()
    demo_note = {"score_source": "demo value: the quality engine arrives with native/ (issue 4)"}
    captures = [
        CaptureResult("face", "captured", 1, face, "png", DEMO_SCORE["face"], metadata=demo_note),
        CaptureResult("signature", "captured", 1, signature_strokes(), "json"),
    ]
    for i, finger in enumerate(FINGERS):
        if finger == exception_finger:
            captures.append(CaptureResult(finger, "exception", 1, face, "png", exception_code="injured",
                                          reason="finger bandaged"))
            continue
        stem, data = prints[i % len(prints)]
        captures.append(CaptureResult(finger, "captured", 1 + i % 2, data, "pgm", NIST_NFIQ2[stem],
                                      metadata={"score_source": f"NIST published NFIQ 2 for {stem}"}))
    captures += [CaptureResult(eye, "captured", 1, iris, "png", DEMO_SCORE["iris"], metadata=demo_note)
                 for eye in ("right_iris", "left_iris")]
    return captures


def _check_in(store: StationStore, w: dict) -> CheckIn:
    if w["method"] == "qr":
        return check_in_by_application(store, w["application_id"], w["phone"])
    return check_in_by_nik(store, w["nik"], dt.date.fromisoformat(w["birth_date"]), w["phone"])


def prepare(root: Path, recording_date: dt.date) -> DemoPaths:
    """Start from a clean demo folder (only ever deletes a folder this demo made)."""
    root = Path(root)
    if root.exists():
        if not (root / MARKER).exists():
            raise SinopsisError(f"{root} exists and was not made by the demo; choose another --dir")
        shutil.rmtree(root)
    root.mkdir(parents=True)
    (root / MARKER).write_text("made by sinopsis demo; deleted and remade on every run\n")
    return generate(root, recording_date)


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
        sealer = RecordSealer(store, config,
                              load_private_key(config.key_path("station_signing_key"), Ed25519PrivateKey),
                              load_public_key(config.key_path("hq_packet_public_key"), X25519PublicKey))
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
                rec = sealer.seal_and_commit(ticket.record_id, demo_captures(exception), operator_id="OP-02")
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
