"""Fingerprint and iris drivers open the configured vendor SDK (the simulators here) through the bindings."""

import pytest

from drivers.fingerprint import open_scanner
from drivers.iris import open_iris_camera
from native.vendor import VendorLibraryError


def test_simulated_scanner_and_camera_through_the_driver_entry_points():
    with open_scanner("sim") as scanner:
        assert scanner.image_size == (320, 480)
    with open_iris_camera("sim") as camera:
        assert camera.capture("left", max_polls=20, poll_interval_s=0).shape == (480, 640)


def test_unknown_vendor_and_missing_library_are_clear(tmp_path):
    with pytest.raises(ValueError, match="known: futronic"):
        open_scanner("sim", vendor="secugen")
    with pytest.raises(ValueError, match="known: iritech"):
        open_iris_camera("sim", vendor="irisid")
    with pytest.raises(VendorLibraryError, match=r"libScanAPI\.so"):
        open_scanner(tmp_path / "libScanAPI.so")
