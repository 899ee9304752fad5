"""The agent's device presence for Health (sinopsis/cli/agent_cmd.py config_presence): from the configuration and
the system alone, never opening a device the kiosk owns; a vendor scanner counts only when it is on USB and its SDK
library is on disk, since without the library the kiosk runs without it (drivers/kit.py `Kit.unavailable`)."""

import shutil

from native.vendor import SIM_DIR
from sinopsis.cli.agent_cmd import config_presence
from station.config import load_config


def test_a_vendor_scanner_counts_when_plugged_in_and_its_sdk_is_there(tmp_path):
    sdk = tmp_path / "futronic" / "libScanAPI.so"
    config_file = tmp_path / "station.toml"
    config_file.write_text(f'[station]\ndata_dir = "{tmp_path}"\n[devices]\nfingerprint_sdk = "{sdk}"\n'
                           'signature_pad = "touchscreen"\nprinter = "none"\n')
    sysfs = tmp_path / "usb"
    (sysfs / "1-2").mkdir(parents=True)
    (sysfs / "1-2" / "idVendor").write_text("1491\n")  # a Futronic FS88 on USB
    (sysfs / "1-2" / "idProduct").write_text("0020\n")
    presence = config_presence(load_config(config_file), sysfs_usb=sysfs)
    assert presence()["fingerprint"] is False and presence()["iris"] is True  # the library is not installed
    sdk.parent.mkdir()
    shutil.copy(SIM_DIR / "libScanAPI.so", sdk)
    assert presence()["fingerprint"] is True
    shutil.rmtree(sysfs / "1-2")  # unplugged
    assert presence()["fingerprint"] is False


def test_a_serial_qr_scanner_counts_by_its_port(tmp_path):
    config_file = tmp_path / "station.toml"
    config_file.write_text(f'[station]\ndata_dir = "{tmp_path}"\n[devices]\nqr_scanner = "/dev/ttyACM77"\n')
    assert config_presence(load_config(config_file))()["qr_scanner"] is False
    config_file.write_text(f'[station]\ndata_dir = "{tmp_path}"\n')  # QR codes from the camera
    assert "qr_scanner" not in config_presence(load_config(config_file))()
