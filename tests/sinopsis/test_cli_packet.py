"""`sinopsis packet verify|open` as a technician runs them: exit 0 / 1 / 2 and files written under --out."""

import json
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from contract.keys import save_private_key, save_public_key
from contract.packets import packet_file_name, seal_record
from sinopsis.cli import main

RECORD_ID = "0190aaaa-0000-7000-8000-000000000002"
FILES = {"record.json": b'{"seq": 3}', "face.png": b"\x89PNG\r\n\x1a\n" + bytes(range(256)),
         "finger/right_thumb.pgm": b"P5\n2 2\n255\n\x00\x01\x02\x03"}


@pytest.fixture
def setup(tmp_path: Path) -> SimpleNamespace:
    """Keys on disk and one sealed packet file, as HQ would receive them."""
    station, hq = Ed25519PrivateKey.generate(), X25519PrivateKey.generate()
    save_public_key(tmp_path / "station.pub.pem", station.public_key())
    save_private_key(tmp_path / "hq.pem", hq)
    save_public_key(tmp_path / "hq.pub.pem", hq.public_key())
    packet = tmp_path / packet_file_name(RECORD_ID)
    packet.write_bytes(seal_record(record_id=RECORD_ID, station_id="st-pku-01", seq=3,
                                   created_at="2026-11-25T03:00:00.000+00:00", files=FILES, station_key=station,
                                   hq_public_key=hq.public_key()))
    return SimpleNamespace(packet=packet, pub=str(tmp_path / "station.pub.pem"), hq=str(tmp_path / "hq.pem"),
                           hq_pub=str(tmp_path / "hq.pub.pem"), out=tmp_path / "out")


def _tamper(path: Path, offset: int = -1) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))


def _verify(s, *extra: str) -> int:
    return main(["packet", "verify", str(s.packet), "--station-key", s.pub, *extra])


def _open(s, *extra: str) -> int:
    return main(["packet", "open", str(s.packet), "--station-key", s.pub, "--hq-key", s.hq, "--out", str(s.out),
                 *extra])


def test_verify_ok(setup, capsys):
    assert _verify(setup) == 0
    out = capsys.readouterr().out
    size = setup.packet.stat().st_size
    assert "OK" in out and RECORD_ID in out and "st-pku-01" in out and "seq 3" in out and f"{size} bytes" in out


def test_verify_json(setup, capsys):
    assert _verify(setup, "--json") == 0
    info = json.loads(capsys.readouterr().out)
    assert info == {"file": str(setup.packet), "record_id": RECORD_ID, "station_id": "st-pku-01", "seq": 3,
                    "created_at": "2026-11-25T03:00:00.000+00:00", "size": setup.packet.stat().st_size}


@pytest.mark.parametrize(("damage", "message"), [
    (lambda p: _tamper(p), "does not match its signed SHA-256"),
    (lambda p: _tamper(p, 20), "signature does not verify"),
    (lambda p: p.write_bytes(p.read_bytes()[:-10]), "packet is truncated"),
    (lambda p: p.write_bytes(p.read_bytes() + b"\n"), "longer than signed"),
])
def test_verify_reports_a_damaged_packet_with_exit_1(setup, capsys, damage, message):
    damage(setup.packet)
    assert _verify(setup) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"sinopsis: {setup.packet}: ") and message in err


def test_verify_as_a_subprocess(setup):
    command = [sys.executable, "-m", "sinopsis", "packet", "verify", str(setup.packet), "--station-key", setup.pub]
    ok = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert ok.returncode == 0 and RECORD_ID in ok.stdout
    _tamper(setup.packet)
    bad = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert bad.returncode == 1 and "altered" in bad.stderr and bad.stdout == ""


def test_open_writes_the_files(setup, capsys):
    assert _open(setup) == 0
    written = {p.relative_to(setup.out).as_posix(): p for p in setup.out.rglob("*") if p.is_file()}
    assert {name: p.read_bytes() for name, p in written.items()} == FILES
    assert {p.stat().st_mode & 0o777 for p in written.values()} == {0o600}
    out = capsys.readouterr().out
    assert all(f"wrote {setup.out / name}" in out for name in FILES)


def test_open_refuses_to_overwrite_unless_forced(setup, capsys):
    assert _open(setup) == 0
    (setup.out / "record.json").write_bytes(b"HQ notes")
    assert _open(setup) == 2
    assert "would overwrite" in capsys.readouterr().err
    assert (setup.out / "record.json").read_bytes() == b"HQ notes"
    assert _open(setup, "--force") == 0
    assert (setup.out / "record.json").read_bytes() == FILES["record.json"]


def test_open_does_not_follow_a_link_out_of_the_folder(setup, tmp_path, capsys):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    setup.out.mkdir()
    (setup.out / "finger").symlink_to(elsewhere)
    assert _open(setup, "--force") == 2
    assert "leads outside" in capsys.readouterr().err
    assert list(elsewhere.iterdir()) == []


def test_open_of_a_damaged_packet_writes_nothing(setup, capsys):
    _tamper(setup.packet)
    assert _open(setup) == 1
    assert "altered" in capsys.readouterr().err and not setup.out.exists()


def test_open_with_another_hq_key_exits_1(setup, tmp_path, capsys):
    save_private_key(tmp_path / "other.pem", X25519PrivateKey.generate())
    setup.hq = str(tmp_path / "other.pem")
    assert _open(setup) == 1
    assert "another HQ key" in capsys.readouterr().err


@pytest.mark.parametrize(("argv", "message"), [
    (lambda s, t: ["verify", str(s.packet), "--station-key", str(t / "none.pem")], "not found"),
    (lambda s, t: ["verify", str(t / "none.sinopkt"), "--station-key", s.pub], "cannot read the packet"),
    (lambda s, t: ["verify", str(s.packet), "--station-key", s.hq_pub], "expected a Ed25519PublicKey"),
    (lambda s, t: ["open", str(s.packet), "--station-key", s.pub, "--hq-key", str(t / "none.pem"), "--out",
                   str(s.out)], "not found"),
])
def test_unusable_inputs_exit_2(setup, tmp_path, capsys, argv, message):
    assert main(["packet", *argv(setup, tmp_path)]) == 2
    assert message in capsys.readouterr().err
