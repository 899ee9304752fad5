"""The link bench's station (sinopsis/bench_link.py): the demo station with sealed records whose images are random
noise, so each packet is ≈ 1.4 MB and does not shrink when compressed (nor do a real record's JPEG and PNG
captures, compressed already)."""

import datetime as dt
from dataclasses import replace
from pathlib import Path
from typing import Any

import cv2
import numpy as np

BENCH_DATE = dt.date(2026, 11, 25)
NOISE_SCALE = 0.6  # each side of the demo's images: ≈ 1.4 MB of noise per record, within 0.5–2 MB


def noise_captures(seed: int) -> list:
    """The demo's complete record with every image replaced by random noise in the same format, each side
    NOISE_SCALE of the demo image's (noise does not compress, so the packet stays that big)."""
    from sinopsis.demo import demo_captures

    rng = np.random.default_rng(seed)
    out = []
    for capture in demo_captures():
        image = cv2.imdecode(np.frombuffer(capture.image or b"", np.uint8), cv2.IMREAD_UNCHANGED) \
            if capture.image_ext in ("png", "pgm") else None
        if image is not None:
            shape = (round(image.shape[0] * NOISE_SCALE), round(image.shape[1] * NOISE_SCALE), *image.shape[2:])
            ok, data = cv2.imencode(f".{capture.image_ext}", rng.integers(0, 256, shape, dtype=np.uint8))
            capture = replace(capture, image=data.tobytes()) if ok else capture
        out.append(capture)
    return out


def bench_station(root: Path, records: int) -> tuple[Any, Any, list[int]]:
    """A demo station with `records` sealed records in its outbox; returns (config, paths, packet sizes)."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    from contract.keys import load_public_key
    from sinopsis.demo_data import generate
    from station.checkin import check_in_by_application
    from station.config import load_config
    from station.records import transition
    from station.roster import import_assignment
    from station.sealing import station_sealer
    from station.store import StationStore

    paths = generate(root, BENCH_DATE, count=max(records, 24))
    config = load_config(paths.station_config)
    sizes = []
    with StationStore(config.station.data_dir) as store:
        import_assignment(store, paths.assignment, load_public_key(config.key_path("hq_assignment_public_key"),
                                                                   Ed25519PublicKey),
                          station_id=config.station.id, min_age=config.roster.min_age)
        sealer = station_sealer(store, config)
        applicants = store.conn.execute("SELECT application_id, phone FROM applicants ORDER BY rowid").fetchall()
        for i, (application_id, phone) in enumerate(applicants[:records]):
            ticket = check_in_by_application(store, application_id, phone)
            transition(store, ticket.record_id, "capturing", actor="OP-02")
            sealed = sealer.seal_and_commit(ticket.record_id, noise_captures(i), operator_id="OP-02")
            sizes.append(store.packet_path(sealed.packet_file).stat().st_size)
    return config, paths, sizes


def outbox_packets(config: Any) -> list[bytes]:
    """The packet bytes of the station's outbox, in its order (the baseline publishes the very same bytes)."""
    from station.store import StationStore

    with StationStore(config.station.data_dir) as store:
        return [store.packet_path(f).read_bytes() for (f,) in store.conn.execute(
            "SELECT r.packet_file FROM outbox o JOIN records r ON r.id = o.record_id ORDER BY o.seq")]
