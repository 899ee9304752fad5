"""`sinopsis packet verify|open` as a technician runs them: exit 0 / 1 / 2 and files written under --out."""

import subprocess
import sys

from station.cli import main
from station.keys import save_private_key, save_public_key
from tests.station.test_packets import HQ, PACKET, STATION


def _keys(tmp_path):
    save_public_key(tmp_path / "station.pub.pem", STATION.public_key())
    save_private_key(tmp_path / "hq.pem", HQ)
    return str(tmp_path / "station.pub.pem"), str(tmp_path / "hq.pem")


def test_verify_ok_and_tampered(tmp_path, capsys):
    pub, _ = _keys(tmp_path)
    good = tmp_path / "p.sinopkt"
    good.write_bytes(PACKET)
    assert main(["packet", "verify", str(good), "--station-key", pub]) == 0
    assert "OK" in capsys.readouterr().out
    bad = tmp_path / "bad.sinopkt"
    bad.write_bytes(PACKET[:-1] + bytes([PACKET[-1] ^ 1]))
    result = subprocess.run([sys.executable, "-m", "station.cli", "packet", "verify", str(bad), "--station-key", pub],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1 and "altered" in result.stderr


def test_open_writes_files_and_refuses_to_overwrite(tmp_path, capsys):
    pub, hq = _keys(tmp_path)
    packet = tmp_path / "p.sinopkt"
    packet.write_bytes(PACKET)
    out = tmp_path / "out"
    assert main(["packet", "open", str(packet), "--station-key", pub, "--hq-key", hq, "--out", str(out)]) == 0
    assert (out / "finger" / "right_thumb.pgm").exists() and (out / "record.json").exists()
    assert main(["packet", "open", str(packet), "--station-key", pub, "--hq-key", hq, "--out", str(out)]) == 2
    assert "would overwrite" in capsys.readouterr().err
    assert main(["packet", "open", str(packet), "--station-key", pub, "--hq-key", hq, "--out", str(out),
                 "--force"]) == 0


def test_missing_key_file_exits_2(tmp_path, capsys):
    packet = tmp_path / "p.sinopkt"
    packet.write_bytes(PACKET)
    assert main(["packet", "verify", str(packet), "--station-key", str(tmp_path / "none.pem")]) == 2
    assert "not found" in capsys.readouterr().err
