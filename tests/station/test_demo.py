"""`sinopsis demo`: the whole station demo runs from nothing, as setup.sh runs it, and every check passes."""

import json
import subprocess
import sys
from pathlib import Path

from station.demo_data import DemoPaths


def test_demo_runs_end_to_end(tmp_path):
    demo_dir = tmp_path / "demo"
    result = subprocess.run([sys.executable, "-m", "station.cli", "demo", "--dir", str(demo_dir), "--seconds", "5",
                             "--date", "2026-11-25"], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Assignment v1 for SMA Negeri 1 Pekanbaru: imported, 24 applicants (importing it again: unchanged)" in out
    assert "refused [checkin.birth_date_mismatch]" in out
    assert "refused [checkin.not_on_list]" in out
    assert "refused [phone.not_mobile]" in out
    assert "correction requested: kk_mismatch" in out and "withdrawn: walked_out" in out
    assert out.count("Tersimpan") == 4
    assert "integrity OK" in out and "audit chain OK" in out
    assert "6. The capture engine, headless" in out and out.count("saved ST-PKU-01-") == 5
    assert "withdrawn (walked_out)" in out and "modality   captured" in out
    assert len(list((demo_dir / "slips").glob("slip-*.png"))) == 5  # one acknowledgement per saved record

    # The commands the demo suggests work as printed.
    paths = DemoPaths(demo_dir)
    packet = next((paths.station_data / "packets").iterdir())
    verify = subprocess.run([sys.executable, "-m", "station.cli", "packet", "verify", str(packet),
                             "--station-key", str(paths.station_public_key), "--json"],
                            capture_output=True, text=True, timeout=120)
    assert verify.returncode == 0, verify.stderr
    assert json.loads(verify.stdout)["station_id"] == "st-pku-01"

    # Fingers and irises came from the simulated vendor SDKs, through the real bindings, scored live.
    opened = tmp_path / "opened"
    subprocess.run([sys.executable, "-m", "station.cli", "packet", "open", str(packet), "--station-key",
                    str(paths.station_public_key), "--hq-key", str(paths.hq_keys / "hq_packet.pem"),
                    "--out", str(opened)], check=True, capture_output=True, timeout=120)
    captures = {c["position"]: c for c in json.loads((opened / "record.json").read_text())["captures"]}
    libraries = {c["metadata"].get("library", "") for c in captures.values() if c["modality"] in ("finger", "iris")}
    assert {Path(lib).name for lib in libraries} == {"libScanAPI.so", "libIddk2000.so"}
    assert all(c["score"] >= c["threshold"] for c in captures.values() if c["outcome"] == "captured" and
               c["threshold"])
    assert captures["face"]["metadata"]["background"] in ("red", "blue")


def test_demo_refuses_a_folder_it_did_not_make(tmp_path):
    (tmp_path / "precious.txt").write_text("not the demo's")
    result = subprocess.run([sys.executable, "-m", "station.cli", "demo", "--dir", str(tmp_path)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2 and "not made by the demo" in result.stderr
    assert (tmp_path / "precious.txt").exists()
