"""`sinopsis station config check FILE --devices`: a config naming devices that are not there is reported device
by device (file, key, path, what to do), exit 1, without a traceback and without touching the data directory;
without --devices the check is what it always was."""

import subprocess
import sys
import uuid
from pathlib import Path

from provisioning import kit_image
from sinopsis.cli import main


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sinopsis", *args], capture_output=True, text=True, timeout=120)


def write_config(tmp_path: Path, devices: str) -> Path:
    path = tmp_path / "station.toml"
    path.write_text(f'[station]\nid = "st-kit-07"\ndata_dir = "data"\n\n[devices]\n{devices}')
    return path


def test_missing_devices_are_named_one_by_one_and_nothing_is_touched(tmp_path):
    gone = f"/dev/sinopsis-test-{uuid.uuid4().hex[:8]}"
    config = write_config(tmp_path, f'camera = "{gone}/camera"\nsignature_pad = "/dev/null"\n'
                                    f'qr_scanner = "{gone}/qr-scanner"\nprinter = "/dev/shm"\n'
                                    f'iris_sdk = "{tmp_path}/vendor/libIddk2000.so"\n')
    run = _cli("station", "config", "check", str(config), "--devices")
    assert run.returncode == 1, run.stdout + run.stderr
    assert "Traceback" not in run.stderr
    lines = run.stdout.splitlines()
    assert lines[0] == f"{config}: valid (station st-kit-07, data in {tmp_path / 'data'})"
    assert (f"{config}: devices.camera: {gone}/camera does not exist (is the camera plugged in? `ls -l {gone}/`)"
            in lines)
    assert (f"{config}: devices.qr_scanner: {gone}/qr-scanner does not exist (is the QR scanner plugged in? "
            f"`ls -l {gone}/`)") in lines
    assert f"{config}: devices.printer: /dev/shm is a folder, not a device (name the device in it)" in lines
    assert any(line.startswith(f"{config}: devices.iris_sdk: {tmp_path}/vendor/libIddk2000.so does not exist")
               for line in lines)
    assert not any("signature_pad" in line for line in lines), "/dev/null is there"
    assert not any("fingerprint" in line for line in lines), "the simulator needs nothing plugged in"
    assert any(line.startswith(f"{config}: devices.iris_sdk: no iris camera on USB") for line in lines)
    assert lines[-1] == f"{config}: devices: 5 missing"
    assert not (tmp_path / "data").exists(), "a config check never creates the data directory"


def test_a_vendor_sdk_without_its_usb_unit_is_reported(tmp_path, capsys):
    """The SDK file is there (the simulator's, by absolute path) but no Futronic scanner is on this machine's USB."""
    sdk = Path(__file__).resolve().parents[2] / "native" / "sim" / "libScanAPI.so"
    assert sdk.is_file()
    config = write_config(tmp_path, f'fingerprint_sdk = "{sdk}"\n')
    assert main(["station", "config", "check", str(config), "--devices"]) == 1
    out = capsys.readouterr().out
    assert "devices.fingerprint_sdk: no fingerprint scanner on USB (is it plugged in? `lsusb` should list 1491:0020" \
        in out
    assert "does not exist" not in out


def test_the_kit_image_config_on_a_machine_without_the_kit(tmp_path, capsys):
    toml = tmp_path / "station.toml"
    toml.write_text(kit_image.render_station_toml())
    assert main(["station", "config", "check", str(toml), "--devices"]) == 1
    out = capsys.readouterr().out
    for key, name in (("camera", "camera"), ("signature_pad", "signature-pad"), ("qr_scanner", "qr-scanner"),
                      ("printer", "printer")):
        assert f"devices.{key}: /dev/sinopsis/{name} does not exist" in out and "`ls -l /dev/sinopsis/`" in out


def test_all_present_and_without_the_flag(tmp_path, capsys):
    config = write_config(tmp_path, 'camera = "/dev/null"\nprinter = "none"\n')
    assert main(["station", "config", "check", str(config), "--devices"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == f"{config}: devices: all present"
    missing = write_config(tmp_path, 'camera = "/dev/sinopsis-test-none/camera"\n')
    assert main(["station", "config", "check", str(missing)]) == 0  # no --devices: only the file is checked
    assert capsys.readouterr().out == f"{missing}: valid (station st-kit-07, data in {tmp_path / 'data'})\n"


def test_an_invalid_config_is_still_exit_2_with_devices(tmp_path):
    config = write_config(tmp_path, 'camera = "video0"\n')
    run = _cli("station", "config", "check", str(config), "--devices")
    assert run.returncode == 2 and "devices.camera" in run.stderr and "Traceback" not in run.stderr
