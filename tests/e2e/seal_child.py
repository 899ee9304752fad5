"""The kiosk's commit as its own process, for tests/e2e/crash_harness.py: `python -m tests.e2e.seal_child CONFIG
RECORD_ID…` seals each named record still `capturing` with small captures, as the kiosk does at *Simpan*, so a
failpoint armed in its environment (SINOPSIS_FAILPOINT) kills a real sealing process. It imports no test
framework, so it starts quickly."""

import os
import sys
from pathlib import Path

from station.capture.policy import CAPTURE_ORDER, CaptureResult

OPERATOR = "OP-02"


def small_captures(image_bytes: int = 256) -> list[CaptureResult]:
    """A complete record (every position captured, every score above its threshold) with tiny random images,
    so a packet is a few kB; a larger `image_bytes` makes it bigger (random bytes do not compress: a batch then
    really spans many TCP segments)."""
    return [CaptureResult(position, "captured", 1, os.urandom(image_bytes), "png",
                          None if position == "signature" else 99) for position in CAPTURE_ORDER]


def seal(config_file: Path, ids: list[str]) -> int:
    """Seal each of `ids` still capturing (the station's real sealer, keys and store); 0 when done."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PublicKey

    from contract.keys import load_private_key, load_public_key
    from station.config import load_config
    from station.sealing import RecordSealer
    from station.store import StationStore

    config = load_config(config_file)
    with StationStore(config.station.data_dir) as store:
        sealer = RecordSealer(store, config,
                              load_private_key(config.key_path("station_signing_key"), Ed25519PrivateKey),
                              load_public_key(config.key_path("hq_packet_public_key"), X25519PublicKey))
        for record_id in ids:
            state = store.conn.execute("SELECT state FROM records WHERE id = ?", (record_id,)).fetchone()[0]
            if state == "capturing":
                sealer.seal_and_commit(record_id, small_captures(), operator_id=OPERATOR)
    return 0


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit("usage: python -m tests.e2e.seal_child CONFIG RECORD_ID...")
    sys.exit(seal(Path(sys.argv[1]), sys.argv[2:]))
