"""drivers.iris passes the IriTech binding's version refusal through as a library error the kit already reports."""

import pytest

from drivers.iris import open_iris_camera
from native.vendor import VendorLibraryError, VendorVersionError


def test_supported_sdk_opens(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SINOPSIS_SIM_SCRIPT", raising=False)
    monkeypatch.setenv("SINOPSIS_SIM_IDDK_VERSION", "2.3.1")
    with open_iris_camera("sim") as camera:
        assert camera.sdk_version == (2, 3, 1)
        assert camera.capture("right", max_polls=20, poll_interval_s=0).shape == (480, 640)


def test_unsupported_sdk_is_a_library_error_naming_the_version(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SINOPSIS_SIM_IDDK_VERSION", "3.6.9")
    with pytest.raises(VendorLibraryError, match=r"version 3\.6\.9.*supports IDDK 2\.x only") as refused:
        open_iris_camera("sim")
    assert isinstance(refused.value, VendorVersionError) and refused.value.name == "IDDK_VERSION_UNSUPPORTED"
