"""Files with personal data are the owner's only (issue 19 point 7): a short station flow under an open umask (022,
what a shell gives) — the demo's folder and data, an assignment imported, a student checked in and sealed, the
agent's log (rotated), link file and desired.json, an acknowledgement slip on the simulated printer, an export for
HQ — leaves every folder 0700 and every file 0600 (only public keys 0644). A station.db an older release left
world-readable is tightened when it is opened. The whole demo, servers included, is walked in test_demo.py."""

import datetime as dt
import logging
import os
import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from contract import wire
from contract.durable import make_private, open_private, private_dir, write_durably, write_private
from contract.keys import load_private_key, load_public_key
from edge_agent.desired import apply_desired
from edge_agent.link import LinkFile
from edge_agent.logbook import Logbook
from sinopsis.demo import demo_captures, prepare
from sinopsis.kit import receipt_printer
from station.checkin import check_in_by_application
from station.config import load_config
from station.export import export_outbox
from station.records import transition
from station.roster import import_assignment
from station.sealing import station_sealer
from station.store import StationStore

PUBLIC = (".pub.pem",)  # public keys: 0644 by design (nothing personal in them), or 0600


def mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def not_private(root: Path) -> list[str]:
    """Every folder under `root` (itself included) that is not 0700 and every file that is not 0600."""
    wrong = [] if mode(root) == 0o700 else [f"{root}/ {mode(root):o}"]
    for folder, dirs, files in os.walk(root):
        wrong += [f"{Path(folder, d)}/ {mode(Path(folder, d)):o}" for d in dirs if mode(Path(folder, d)) != 0o700]
        for name in files:
            path = Path(folder, name)
            expected = {0o644, 0o600} if name.endswith(PUBLIC) else {0o600}  # 0600 under the CLI's umask 077
            if mode(path) not in expected:
                wrong.append(f"{path} {mode(path):o}")
    return wrong


@pytest.fixture
def open_umask():
    """The umask of a login shell (022): without the explicit modes every new file would be world-readable."""
    before = os.umask(0o022)
    yield
    os.umask(before)


def test_helpers_make_private_files_and_folders_whatever_the_umask(tmp_path, open_umask):
    above = mode(tmp_path)
    made = private_dir(tmp_path / "a" / "b")
    assert mode(tmp_path / "a") == mode(made) == 0o700 and mode(tmp_path) == above  # only what it made
    write_private(made / "t.txt", "NIK 1471010101090001")
    with open_private(made / "log", "a") as f:
        f.write("x")
    write_durably(made / "d.bin", b"x")
    assert {p.name: mode(p) for p in made.iterdir()} == {"t.txt": 0o600, "log": 0o600, "d.bin": 0o600}

    old = tmp_path / "old"
    old.mkdir(mode=0o755)
    (old / "f").write_text("left world-readable by an older release")
    (old / "f").chmod(0o644)
    write_private(old / "f", "again")  # an existing file is tightened as it is rewritten
    private_dir(old)
    assert mode(old) == 0o700 and mode(old / "f") == 0o600
    mine = tmp_path / "chosen"
    mine.mkdir(mode=0o755)
    private_dir(mine, tighten=False)  # a folder the user named keeps its mode
    assert mode(mine) == 0o755
    make_private(tmp_path / "missing")  # nothing there: nothing to do
    (tmp_path / "file").write_text("x")
    with pytest.raises(FileExistsError):
        private_dir(tmp_path / "file")


def test_a_station_flow_leaves_only_private_files(tmp_path, open_umask):
    root = tmp_path / "demo"
    paths = prepare(root, dt.date(2026, 11, 25), count=6)
    config = load_config(paths.station_config)
    data = config.station.data_dir
    (data / "station.db").touch()
    (data / "station.db").chmod(0o644)  # as an older release left it
    hq_key = load_public_key(config.key_path("hq_assignment_public_key"), Ed25519PublicKey)
    with StationStore(data) as store:
        import_assignment(store, paths.assignment, hq_key, station_id=config.station.id,
                          min_age=config.roster.min_age, actor="OP-01")
        application_id, name, phone = store.conn.execute(
            "SELECT application_id, name, phone FROM applicants ORDER BY id LIMIT 1").fetchone()
        ticket = check_in_by_application(store, application_id, phone)
        transition(store, ticket.record_id, "capturing", actor="OP-02")
        sealed = station_sealer(store, config).seal_and_commit(ticket.record_id, demo_captures(),
                                                              operator_id="OP-02")

        agent_dir = data / "agent"
        logbook = Logbook(agent_dir).attach()
        try:
            logging.getLogger("edge_agent.test").warning("record %s of %s", sealed.record_id, name)
            logbook.rotate()
            logging.getLogger("edge_agent.test").warning("after the rotation")
        finally:
            logbook.detach()
        LinkFile(data).set("offline")
        payload = wire.dump(wire.Desired(version=1, bundle=paths.assignment.read_text(encoding="utf-8")))
        assert apply_desired(store, config, hq_key, payload, agent_dir).refused_reason is None

        station_key = load_private_key(config.key_path("station_signing_key"), Ed25519PrivateKey)
        export_outbox(store, config.station.id, station_key, root / "export", actor="OP-01")
        assert {"station.db-wal", "station.db-shm"} <= {p.name for p in data.iterdir()}  # open: WAL and its index
        assert not_private(data) == []

    with receipt_printer(root / "slips") as print_receipt:
        print_receipt({"receipt_number": sealed.receipt_number, "display_name": name.split()[0],
                       "masked_nik": "1471********0001", "time": "09:30", "record_id": sealed.record_id,
                       "fingers_captured": 10})

    produced = {p.relative_to(root).as_posix() for p in root.rglob("*")}
    assert {"station/data/station.db", "station/data/agent/agent.log",
            "station/data/agent/agent.log.1", "station/data/agent/desired.json", "station/data/agent/link.json",
            "slips/slip-001.png", "assignment.json", "station/data/keys/station_signing.pem"} <= produced, produced
    assert any(p.startswith("station/data/packets/") for p in produced)
    assert any(p.startswith("export/") and p.endswith(".sinopkt") for p in produced), produced
    assert not_private(root) == []

