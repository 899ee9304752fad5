"""Device presence for the status bar: from device nodes, simulator ptys and sysfs USB ids, never by opening."""

import shutil

import pytest

from drivers.camera import ReplayCamera, V4L2Camera
from drivers.kit import Kit, KitSettings, build_kit
from drivers.presence import kit_presence
from native import samples
from native.vendor import SIM_DIR, FutronicScanner, IriTechCamera


def test_the_simulated_kit_is_present_until_a_device_goes(tmp_path):
    kit = build_kit(KitSettings(slips_dir=tmp_path))
    try:
        presence = kit_presence(kit)
        assert presence() == {"camera": True, "fingerprint": True, "iris": True, "signature_pad": True,
                              "printer": True}
        kit.simulators[-1].unplug()  # the printer's pty goes away
        assert presence()["printer"] is False and presence()["signature_pad"] is True
    finally:
        kit.close()


def test_a_camera_that_went_away():
    camera = ReplayCamera([samples.portrait("red", 64, 48)], fps=1000, faults={1: "unplug"})
    kit = Kit(camera, FutronicScanner("sim"), IriTechCamera("sim"), None, None, None)
    presence = kit_presence(kit)
    assert presence() == {"camera": True, "fingerprint": True, "iris": True}  # no pad (touchscreen), no printer
    camera.open()
    with pytest.raises(Exception, match="unplugged"):
        camera.read()
    assert presence()["camera"] is False
    camera.replug()
    assert presence()["camera"] is True
    assert kit_presence(Kit(V4L2Camera("/dev/video-nowhere"), kit.finger_scanner, kit.iris_camera, None, None,
                            None))()["camera"] is False


def test_vendor_scanners_are_present_by_usb_id_without_being_opened(tmp_path):
    lib = tmp_path / "vendor" / "libScanAPI.so"  # a vendor SDK (the simulator's code, but not in native/sim/)
    lib.parent.mkdir()
    shutil.copy(SIM_DIR / "libScanAPI.so", lib)
    scanner = FutronicScanner(lib)
    sysfs = tmp_path / "usb"
    sysfs.mkdir()
    kit = Kit(ReplayCamera([samples.portrait("red", 64, 48)]), scanner, IriTechCamera("sim"), None, None, None)
    presence = kit_presence(kit, sysfs_usb=sysfs)
    assert presence()["fingerprint"] is False
    device = sysfs / "1-2"
    device.mkdir()
    (device / "idVendor").write_text("1491\n")
    (device / "idProduct").write_text("0020\n")
    assert presence()["fingerprint"] is True
    assert not scanner.is_open  # looked at, never opened
    unusable = Kit(kit.camera, None, IriTechCamera("sim"), None, None, None,  # its SDK did not load (drivers/kit.py)
                   unavailable={"fingerprint": "Futronic ftrScanAPI library not found"})
    assert kit_presence(unusable, sysfs_usb=sysfs)()["fingerprint"] is False  # plugged in, but unusable


def test_a_serial_qr_scanner_is_reported_and_the_cameras_qr_reading_is_not(tmp_path):
    """An unplugged line scanner used to go unreported: students typed their NIK and nobody knew why."""
    kit = build_kit(KitSettings(qr_scanner="sim", slips_dir=tmp_path))
    try:
        presence = kit_presence(kit)
        assert presence()["qr_scanner"] is True
        next(s for s in kit.simulators if s.path == kit.qr.port).unplug()  # its pty goes away
        assert presence()["qr_scanner"] is False
    finally:
        kit.close()
    camera_qr = build_kit(KitSettings(slips_dir=tmp_path))  # qr_scanner = "camera": nothing to plug
    try:
        assert "qr_scanner" not in kit_presence(camera_qr)()
    finally:
        camera_qr.close()
