"""The IriTech binding reads the IDDK's version at load and refuses one it does not bind, with a clear message.

Real simulator libraries through cffi: the default sim reports 2.0.0, $SINOPSIS_SIM_IDDK_VERSION makes it report
another version, and a copy built with -DIDDK_SIM_WITHOUT_VERSION lacks Iddk_GetSdkVersion altogether.
"""

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from native.vendor import SIM_DIR, IriTechCamera, VendorLibraryError, VendorVersionError
from native.vendor.iritech import SUPPORTED_MAJORS, decode_sdk_version
from tests.native.vendor_helpers import SAMPLES, _default_sim_behaviour, read_pgm

__all__ = ["_default_sim_behaviour"]  # fixture used by name

ROOT = Path(__file__).resolve().parents[2]
ENV_VERSION = "SINOPSIS_SIM_IDDK_VERSION"
RIGHT = read_pgm(SAMPLES / "iris" / "open-iris-anonymized.pgm")


@pytest.fixture(autouse=True)
def _default_version(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_VERSION, raising=False)


@pytest.fixture
def sdk_version(monkeypatch: pytest.MonkeyPatch):
    """sdk_version("3.6.9") makes the simulator report that version from now on."""

    def set_version(text: str) -> None:
        monkeypatch.setenv(ENV_VERSION, text)

    return set_version


@pytest.fixture(scope="module")
def library_without_version(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The iris simulator built without Iddk_GetSdkVersion (everything else as usual)."""
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        pytest.skip("no C compiler to build the simulator variant")
    out = tmp_path_factory.mktemp("iddk-without-version") / "libIddk2000.so"
    native = ROOT / "native"
    subprocess.run([cc, "-O2", "-fPIC", "-std=c11", "-Wall", "-Wextra", "-Werror", "-fvisibility=hidden", "-shared",
                    "-DIDDK_SIM_WITHOUT_VERSION", "-I", str(native / "vendor"), "-I", str(native / "sim"),
                    str(native / "sim" / "iddk_sim.c"), "-o", str(out)], check=True, capture_output=True)
    return out


def test_version_is_decoded_as_the_sdk_packs_it() -> None:
    assert decode_sdk_version(0x03060009) == (3, 6, 9)  # 50724873: what IDDK 3.6.9 returns
    assert decode_sdk_version(0x02011F07) == (2, 1, 7)  # bits 15-8 are not part of the version
    assert decode_sdk_version(0xFFFFFFFF) == (255, 255, 255)


def test_only_2x_is_supported() -> None:
    assert set(SUPPORTED_MAJORS) == {2}


def test_default_sim_is_2x_and_captures_as_before() -> None:
    with IriTechCamera("sim") as camera:
        assert camera.sdk_version == (2, 0, 0)
        assert np.array_equal(camera.capture("right", max_polls=20, poll_interval_s=0), RIGHT)


def test_any_2x_release_is_accepted_and_captures(sdk_version) -> None:
    sdk_version("2.7.13")
    with IriTechCamera("sim") as camera:
        assert camera.sdk_version == (2, 7, 13)
        right = camera.capture("right", max_polls=20, poll_interval_s=0)
        left = camera.capture("left", max_polls=20, poll_interval_s=0)
    assert np.array_equal(right, RIGHT) and np.array_equal(left, RIGHT[:, ::-1])


def test_3x_is_refused_with_a_clear_message(sdk_version) -> None:
    sdk_version("3.6.9")
    with pytest.raises(VendorVersionError) as refused:
        IriTechCamera("sim")
    e = refused.value
    assert isinstance(e, VendorLibraryError)  # callers that handle a wrong library handle this too
    assert (e.code, e.name, e.reported, e.supported) == (None, "IDDK_VERSION_UNSUPPORTED", (3, 6, 9), (2,))
    assert e.path == str(SIM_DIR / "libIddk2000.so") and e.missing == ()
    message = str(e)
    for part in (str(SIM_DIR / "libIddk2000.so"), "version 3.6.9", "0x03060009", "supports IDDK 2.x only",
                 "Iddk_GetResultImage", "IddkImage", "[devices] iris_sdk", "IriTech SDK versions"):
        assert part in message


@pytest.mark.parametrize(("reported", "major"), [("9.1.0", 9), ("1.4.2", 1), ("0.0.0", 0)])
def test_other_majors_are_refused(sdk_version, reported: str, major: int) -> None:
    sdk_version(reported)
    with pytest.raises(VendorVersionError, match=rf"version {reported} .*supports IDDK 2\.x only") as refused:
        IriTechCamera("sim")
    assert refused.value.reported[0] == major and refused.value.name == "IDDK_VERSION_UNSUPPORTED"
    assert "not written for that version" in str(refused.value)


def test_a_version_the_sim_cannot_parse_reports_0_and_is_refused(sdk_version, capfd) -> None:
    sdk_version("3.x")
    with pytest.raises(VendorVersionError) as refused:
        IriTechCamera("sim")
    assert refused.value.reported == (0, 0, 0)
    assert "not MAJOR.MINOR.BUILD" in capfd.readouterr().err


def test_the_version_is_checked_at_load_before_any_device_call(sdk_version) -> None:
    camera = IriTechCamera("sim")  # loaded as 2.0.0: a later change of the reported version does not matter
    sdk_version("3.6.9")
    with camera:
        assert camera.sdk_version == (2, 0, 0)
        camera.capture("left", max_polls=20, poll_interval_s=0)


def test_library_without_the_version_function_is_refused(library_without_version: Path) -> None:
    out = subprocess.run(["nm", "-D", "--defined-only", str(library_without_version)], capture_output=True,
                         text=True) if shutil.which("nm") else None
    if out is not None:
        assert "Iddk_GetSdkVersion" not in out.stdout and "Iddk_GetResultImage" in out.stdout
    with pytest.raises(VendorVersionError) as refused:
        IriTechCamera(library_without_version)
    e = refused.value
    assert (e.code, e.name, e.reported, e.supported) == (None, "IDDK_VERSION_UNKNOWN", None, (2,))
    assert e.missing == ("Iddk_GetSdkVersion",) and e.path == str(library_without_version)
    for part in (str(library_without_version), "Iddk_GetSdkVersion", "cannot say which IDDK version",
                 "supports IDDK 2.x only", "[devices] iris_sdk"):
        assert part in str(e)


def test_a_foreign_library_is_still_a_plain_library_error() -> None:
    with pytest.raises(VendorLibraryError) as wrong:
        IriTechCamera(SIM_DIR / "libScanAPI.so")
    assert not isinstance(wrong.value, VendorVersionError)
    assert "Iddk_GetSdkVersion" in wrong.value.missing and "Iddk_OpenDevice" in wrong.value.missing
