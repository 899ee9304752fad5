"""The kit: every device built from settings, simulators where the setting says "sim"."""

import json

import pytest

from drivers.camera import ReplayCamera, V4L2Camera
from drivers.fingerprint import open_scanner
from drivers.kit import KitSettings, build_kit
from drivers.qr_scanner import LineScanner, QrReader
from drivers.receipt import QueueSlip, queue_slip
from native import samples
from native.vendor import VendorLibraryError


def test_the_simulated_kit_works_end_to_end(tmp_path):
    kit = build_kit(KitSettings(qr_scanner="sim", slips_dir=tmp_path))
    try:
        assert isinstance(kit.camera, ReplayCamera) and isinstance(kit.qr, LineScanner)
        with kit.camera as camera:
            assert camera.read().image.shape == (480, 640, 3)  # the synthetic portrait at its own size
            camera.set_frames([samples.portrait("blue", 1280, 720)])
        with kit.signature_pad as pad:
            assert json.loads(pad.capture(timeout_s=20))["strokes"]
        with kit.finger_scanner as scanner, kit.iris_camera as iris:
            assert scanner.image_size == (320, 480) and iris.image_size == (640, 480)
        kit.printer.print_slip(queue_slip(QueueSlip("SMA 1", 3, "Ahmad P.", "08:00", "rec-1")))
        printer_sim = kit.simulators[-1]
        assert printer_sim.wait_for_slips(1)[0].qrs == ["rec-1"]
        assert (tmp_path / "slip-001.png").exists()
    finally:
        kit.close()


def test_real_backends_are_chosen_by_path(tmp_path):
    kit = build_kit(KitSettings(camera="/dev/video0", signature_pad="touchscreen", qr_scanner="camera",
                                printer="none"))
    try:
        assert isinstance(kit.camera, V4L2Camera) and kit.camera.device == "/dev/video0"
        assert kit.signature_pad is None and isinstance(kit.qr, QrReader) and kit.printer is None
    finally:
        kit.close()


def test_a_vendor_sdk_that_does_not_load_leaves_its_device_out_with_the_reason(tmp_path, monkeypatch):
    """Not installed (fingerprint) or a major version the binding refuses (IriTech IDDK 3.x): the kit is built
    without that device, never stopped by it (sinopsis/kiosk_wiring.py logs the reason; the kiosk starts)."""
    monkeypatch.setenv("SINOPSIS_SIM_IDDK_VERSION", "3.6.9")
    kit = build_kit(KitSettings(fingerprint_sdk=str(tmp_path / "libScanAPI.so"), signature_pad="touchscreen",
                                printer="none"))
    try:
        assert kit.finger_scanner is None and kit.iris_camera is None and isinstance(kit.camera, ReplayCamera)
        assert "libScanAPI.so" in kit.unavailable["fingerprint"] and "not found" in kit.unavailable["fingerprint"]
        assert "3.6.9" in kit.unavailable["iris"]
    finally:
        kit.close()
    monkeypatch.delenv("SINOPSIS_SIM_IDDK_VERSION")
    assert build_kit(KitSettings(signature_pad="touchscreen", printer="none")).unavailable == {}
    with pytest.raises(VendorLibraryError):  # the binding itself still refuses: the kit is what carries on
        open_scanner(str(tmp_path / "libScanAPI.so"))


def test_station_config_maps_onto_the_kit(tmp_path):
    from sinopsis.kit import kit_settings
    from station.config import load_config

    path = tmp_path / "station.toml"
    path.write_text(f'[station]\ndata_dir = "{tmp_path}"\n[devices]\ncamera = "/dev/video2"\ncamera_width = 1920\n'
                    'camera_height = 1080\nprinter = "none"\nsignature_pad = "touchscreen"\n')
    settings = kit_settings(load_config(path))
    assert (settings.camera, settings.camera_width, settings.printer, settings.signature_pad) == (
        "/dev/video2", 1920, "none", "touchscreen")
