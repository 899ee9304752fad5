"""A power cut (SIGKILL) at every step of the commit: afterwards no row lacks its file and orphans are swept."""

import subprocess
import sys
import textwrap

import pytest

from station import audit
from station.integrity import check_store
from station.store import StationStore

CHILD = textwrap.dedent("""
    import sys
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PublicKey
    from station.config import load_config
    from sinopsis.demo import demo_captures
    from contract.keys import load_private_key, load_public_key
    from station.sealing import RecordSealer
    from station.store import StationStore

    config = load_config(sys.argv[1])
    store = StationStore(config.station.data_dir)
    sealer = RecordSealer(store, config,
                          load_private_key(config.key_path("station_signing_key"), Ed25519PrivateKey),
                          load_public_key(config.key_path("hq_packet_public_key"), X25519PublicKey))
    sealer.seal_and_commit(sys.argv[2], demo_captures(), operator_id="OP-02")
""")

# (failpoint, whether the record is committed when the process dies there)
STEPS = [
    ("commit.before_packet_file", False),
    ("durable.before_fsync", False),
    ("durable.before_rename", False),
    ("durable.before_dir_fsync", False),
    ("durable.after_dir_fsync", False),
    ("commit.after_packet_file", False),
    ("commit.before_commit", False),
    ("commit.after_commit", True),
]


@pytest.mark.parametrize(("point", "committed"), STEPS)
def test_kill_at_each_step_leaves_a_consistent_station(tmp_path, station_config, capturing, sealer, point,
                                                       committed):
    config_file = tmp_path / "station.toml"
    sealer.store.close()  # the child is the only writer, as the kiosk would be
    env = {"SINOPSIS_FAILPOINT": point, "PATH": "/usr/bin:/bin"}
    child = subprocess.run([sys.executable, "-c", CHILD, str(config_file), capturing], env=env,
                           capture_output=True, text=True, timeout=120)
    assert child.returncode == -9, f"the child should have died at {point}: {child.stderr}"

    with StationStore(station_config.station.data_dir) as store:
        report = check_store(store)
        assert report.ok, report
        state = store.conn.execute("SELECT state FROM records WHERE id = ?", (capturing,)).fetchone()[0]
        outbox = store.conn.execute("SELECT COUNT(*) FROM outbox").fetchone()[0]
        files = sorted(p.name for p in store.packets_dir.iterdir())
        assert audit.verify(store.conn).ok
        if committed:
            assert (state, outbox, len(files)) == ("captured", 1, 1)
            assert report.swept_orphans == [] and report.swept_temp == []
            return
        assert (state, outbox, files) == ("capturing", 0, []), "an unfinished commit leaves no trace"
        assert len(report.swept_orphans) + len(report.swept_temp) <= 1
        # The station carries on: the same record is sealed again, with the sequence number the crash never used.
        from station.sealing import RecordSealer

        retry = RecordSealer(store, sealer.config, sealer._station_key, sealer._hq_packet_key)
        from sinopsis.demo import demo_captures

        assert retry.seal_and_commit(capturing, demo_captures(), operator_id="OP-02").seq == 1
        assert check_store(store).ok
