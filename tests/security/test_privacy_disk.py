"""Privacy on the station's disk (issue 10, point 5a; DESIGN.md §4 "no plaintext biometric image is ever written
to disk"): real captures — the headless capture engine against the simulated camera, fingerprint scanner and
iris camera, wired as `sinopsis station simulate` wires them, then the real sealer — run while a scanner thread
walks the station's data dir, the test's tmp_path, the private TMPDIR given to the process and the machine's
temp dir, during the captures and after them. No file may show an image signature (SQLite files and sealed
packets included) or a byte run of the sample images or of the images this run captured (as the sealer would
encode them, and as raw pixels). The scanner is proven to see such leaks: a sealer that also writes the PNG next
to the packet, a raw pixel dump in the temp dir and an image inside an SQLite file are all found.

These tests use the vendor SDK simulators (one open handle each), so they run in the "devices" xdist group.
"""

import contextlib
import datetime as dt
import functools
import logging
import os
import sqlite3
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import cv2
import numpy as np
import pytest

import sinopsis.simulate
from native import samples
from native.vendor import apply_sim_script
from sinopsis.kit import simulated_devices
from sinopsis.simulate import run_simulation
from station.capture.policy import CaptureResult
from station.config import StationConfig
from station.sealing import RecordSealer, SealedRecord, station_sealer
from tests.security.disk_scan import DiskScanner, distinct_run, magic_in
from tests.security.leaks import leaks

PROJECT = Path(__file__).resolve().parents[2]
EXCLUDED = [samples.SAMPLES_DIR, PROJECT / ".venv"]  # the project's own sample images, and the venv
DATE = dt.date(2026, 11, 25)
# The machine's temp dirs as the session found them (before a test gives the process its own TMPDIR).
MACHINE_TMP = {Path(tempfile.gettempdir()), *([Path(os.environ["TMPDIR"])] if os.environ.get("TMPDIR") else [])}


class WatchedSealer(RecordSealer):
    """The real sealer, noting the images it is given (the bytes it encodes into the packet): the markers the
    scanner looks for afterwards. `leak` makes it also write each image next to the packet, the bug the scanner
    must catch."""

    captured: ClassVar[list[CaptureResult]] = []
    leak: ClassVar[bool] = False

    def seal_and_commit(self, record_id: str, captures: list[CaptureResult], operator_id: str) -> SealedRecord:
        type(self).captured.extend(captures)
        sealed = super().seal_and_commit(record_id, captures, operator_id)
        if type(self).leak:
            for c in captures:
                if c.image is not None:
                    (self.store.packet_path(sealed.packet_file).parent /
                     f"{record_id}-{c.image_name.replace('/', '_')}").write_bytes(c.image)
        return sealed


def sample_markers() -> dict[str, bytes]:
    """Byte runs of the shipped sample images, as files and (for the PGMs) raw pixels."""
    markers = {}
    for path in (samples.FACE, samples.IRIS, *samples.FINGERPRINTS, samples.IRIS.with_suffix(".pgm")):
        run = distinct_run(path.read_bytes())
        if run is not None:
            markers[f"sample {path.name}"] = run
    return markers


def image_markers(captures: list[CaptureResult]) -> dict[str, bytes]:
    """Per captured image: a run of its encoded bytes (what the sealer puts in the packet) and of its pixels."""
    markers = {}
    for i, c in enumerate(captures):
        if c.image is None:
            continue
        encoded = distinct_run(c.image)
        if encoded is not None:
            markers[f"{c.image_name}#{i} encoded"] = encoded
        pixels = cv2.imdecode(np.frombuffer(c.image, np.uint8), cv2.IMREAD_UNCHANGED)
        if pixels is not None:
            raw = distinct_run(np.ascontiguousarray(pixels).tobytes())
            if raw is not None:
                markers[f"{c.image_name}#{i} pixels"] = raw
    return markers


@pytest.fixture
def private_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A TMPDIR of the test's own (tempfile and every child process use it): the full check applies there."""
    folder = tmp_path / "tmpdir"
    folder.mkdir()
    monkeypatch.setenv("TMPDIR", str(folder))
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    yield folder


@pytest.fixture
def watched(monkeypatch: pytest.MonkeyPatch) -> type[WatchedSealer]:
    """run_simulation seals with WatchedSealer (through station_sealer) (a fresh list of captures per test)."""
    monkeypatch.setattr(WatchedSealer, "captured", [])
    monkeypatch.setattr(WatchedSealer, "leak", False)
    monkeypatch.setattr(sinopsis.simulate, "station_sealer", functools.partial(station_sealer, kind=WatchedSealer))
    return WatchedSealer


def simulate(root: Path, students: int, workdir: Path) -> list:
    """`sinopsis station simulate`'s own wiring: the replay camera and the SDK simulators with the scenario
    scripts, the capture engine, the sealer; returns the runs."""
    workdir.mkdir(exist_ok=True)
    try:
        return run_simulation(root, students, simulated_devices(StationConfig(), workdir), DATE,
                              say=lambda line: None)
    finally:
        apply_sim_script(None)


def scanner_for(tmp_path: Path, private_tmp: Path) -> DiskScanner:
    """Private: the test's tmp_path (the station's data dir is under it) and its TMPDIR; shared: the machine's."""
    return DiskScanner(private=[tmp_path, private_tmp], shared=sorted(MACHINE_TMP), excluded=EXCLUDED)


def nfiq2_scores(captures: list[CaptureResult], fingers: int = 1) -> None:
    """NFIQ 2 (nbis-py, a third-party library the kiosk hands every candidate finger) scores one of the
    captured fingers while the scanner watches, when it is installed (the capture above ran with live scores
    only: NFIQ 2 costs ~0.4 s a frame)."""
    from native.confirm import ConfirmError, Nfiq2Scorer

    try:
        scorer = Nfiq2Scorer()
    except ConfirmError:
        return
    for c in [c for c in captures if c.modality == "finger" and c.image is not None][:fingers]:
        scorer.score(cv2.imdecode(np.frombuffer(c.image, np.uint8), cv2.IMREAD_GRAYSCALE))


def test_no_plaintext_image_on_disk_during_or_after_real_captures(tmp_path, private_tmp, watched, caplog):
    caplog.set_level(logging.DEBUG)
    root = tmp_path / "sim"
    scanner = scanner_for(tmp_path, private_tmp)
    scanner.start()
    try:
        # good, retry, exception (with the exception photo), below threshold
        runs = simulate(root, 4, tmp_path / "work")
        nfiq2_scores(watched.captured)
    finally:
        scanner.stop()
    assert [r.end for r in runs] == ["saved"] * 4
    assert scanner.passes >= 3, "the scanner walked the folders while the captures ran"
    assert len([k for k in scanner.versions if "station.db" in k[0]]) >= 3, "and saw the database change meanwhile"

    data_dir = root / "station" / "data"
    packets = sorted(data_dir.glob("packets/*.sinopkt"))
    assert len(packets) == 4
    assert {str(p.resolve()) for p in packets} <= scanner.seen(".sinopkt"), "the scanner read every packet"
    assert scanner.seen("station.db"), "the scanner read the SQLite file"
    markers = {**sample_markers(), **image_markers(watched.captured)}
    assert sum(" encoded" in k for k in markers) >= 4 * 13 - 1, "markers for every face, finger and iris image"
    assert not scanner.findings(markers), "\n".join(f"{f.path}: {f.what}" for f in scanner.findings(markers))
    assert not scanner.errors

    # 5c: the capture and sealing path logged at DEBUG, and not one NIK of the students or any image
    with contextlib.closing(sqlite3.connect(data_dir / "station.db")) as conn:
        niks = [r[0] for r in conn.execute("SELECT nik FROM applicants")]
    images = [c.image for c in watched.captured if c.image is not None]
    assert len(niks) >= 24 and caplog.records
    assert not leaks(caplog.text, niks, images), leaks(caplog.text, niks, images)

    # and the SQLite rows themselves: no image in any column, none of this run's image bytes
    with contextlib.closing(sqlite3.connect(data_dir / "station.db")) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for table in tables:
            for row in conn.execute(f"SELECT * FROM {table}"):  # noqa: S608 - names from sqlite_master
                for value in row:
                    blob = value.encode() if isinstance(value, str) else value
                    if isinstance(blob, bytes):
                        assert not magic_in(blob), (table, blob[:40])
                        assert not any(m in blob for m in markers.values()), table


def test_the_scanner_finds_a_png_written_next_to_the_packet_and_other_plants(tmp_path, private_tmp, watched,
                                                                              capturing, imported, station_config,
                                                                              keys):
    """Without this, the test above could pass by looking nowhere: the real sealer, made to also write the PNG
    it encodes next to the packet (the bug), a raw pixel dump without a header in the temp dir, and an image
    inside an SQLite file are each found."""
    from sinopsis.demo import demo_captures

    watched.leak = True
    sealer = WatchedSealer(imported, station_config, keys.station_sign, keys.hq_packet.public_key())
    scanner = scanner_for(tmp_path, private_tmp)
    scanner.start()
    try:
        sealer.seal_and_commit(capturing, demo_captures(), operator_id="OP-02")
        face = next(c for c in watched.captured if c.position == "face")
        pixels = cv2.imdecode(np.frombuffer(face.image, np.uint8), cv2.IMREAD_UNCHANGED)
        dump = private_tmp / "frame.raw"
        dump.write_bytes(pixels.tobytes())
        # the same in the machine's temp dir, as code writing to a hard-coded /tmp would (a unique name)
        shared_dump = sorted(MACHINE_TMP)[0] / f"sinopsis-security-plant-{os.getpid()}-{tmp_path.name}.raw"
        shared_dump.write_bytes(pixels.tobytes())
        scanner.scan_once()
        dump.unlink()  # there only for a moment
        shared_dump.unlink()
        with sqlite3.connect(station_config.station.data_dir / "planted.db") as conn:
            conn.execute("CREATE TABLE t (b BLOB)")
            conn.execute("INSERT INTO t VALUES (?)", (face.image,))
        conn.close()
    finally:
        scanner.stop()
    found = scanner.findings(image_markers(watched.captured))
    leaked = [f for f in found if f.path.endswith("-face.png")]
    assert {f.what for f in leaked} >= {"PNG signature", "marker face.png#0 encoded"}, found
    assert any(f.path.endswith("frame.raw") and "pixels" in f.what for f in found), found
    assert any(f.path == str(shared_dump.resolve()) and "pixels" in f.what for f in found), found
    assert any(f.path.endswith("planted.db") and f.what == "PNG signature" for f in found), found
    assert scanner.seen(".sinopkt") and not any(f.path.endswith(".sinopkt") for f in found), \
        "the sealed packet itself never matches"

