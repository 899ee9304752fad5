"""IriTech binding against the simulated libIddk2000.so, through the same code a real camera uses."""

import textwrap
from pathlib import Path

import numpy as np
import pytest

from native.vendor import SIM_DIR, DeviceNotOpenError, IrisCameraError, IriTechCamera, VendorLibraryError
from native.vendor._loader import header_functions
from tests.native.vendor_helpers import SAMPLES, _default_sim_behaviour, assert_survives, read_pgm, script, sharpness

__all__ = ["_default_sim_behaviour", "script"]  # fixtures used by name

FUNCTIONS = header_functions("iddk2000.h")
RIGHT = read_pgm(SAMPLES / "iris" / "open-iris-anonymized.pgm")


def capture(camera: IriTechCamera, eye: str = "right", polls: int = 20) -> np.ndarray:
    return camera.capture(eye, max_polls=polls, poll_interval_s=0)


def test_committed_pgm_has_the_png_pixels() -> None:
    cv2 = pytest.importorskip("cv2")
    png = cv2.imread(str(SAMPLES / "iris" / "open-iris-anonymized.png"), cv2.IMREAD_UNCHANGED)
    assert np.array_equal(png, RIGHT)


def test_default_sim_captures_both_eyes_from_the_sample() -> None:
    camera = IriTechCamera("sim")
    assert camera.lib_path == SIM_DIR / "libIddk2000.so"
    assert camera.devices() == ["SINOPSIS-SIM-IRIS-0001"]
    with camera:
        assert camera.image_size == (640, 480)
        right = capture(camera, "right")
        left = capture(camera, "left")
    assert right.shape == (480, 640) and right.dtype == np.uint8 and right.flags.writeable
    assert np.array_equal(right, RIGHT)
    assert np.array_equal(left, RIGHT[:, ::-1])  # the simulator's left eye is the mirrored sample


def test_capture_polls_until_complete_and_gives_up_after_max_polls(script) -> None:
    script("absent 3", "present")
    with IriTechCamera() as camera:
        with pytest.raises(IrisCameraError) as e:
            capture(camera, polls=3)
        assert (e.value.code, e.value.name, e.value.retryable) == (None, "CAPTURE_TIMEOUT", True)
        assert np.array_equal(capture(camera, polls=1), RIGHT)  # the 4th poll completes


def test_never_completing_capture_times_out(script) -> None:
    script("absent")
    with IriTechCamera() as camera:
        for _ in range(2):
            with pytest.raises(IrisCameraError, match="CAPTURE_TIMEOUT"):
                capture(camera, polls=5)


def test_quality_ramp_across_captures(script) -> None:
    script("ramp 4", "present")
    with IriTechCamera() as camera:
        images = [capture(camera, "right") for _ in range(5)]
    scores = [sharpness(i) for i in images]
    assert scores == sorted(scores) and len(set(scores)) == 5
    assert np.array_equal(images[-1], RIGHT)


def test_busy_and_io_timeout_codes(script) -> None:
    script("busy 1", "timeout 1", "present")
    with IriTechCamera() as camera:
        with pytest.raises(IrisCameraError) as busy:
            capture(camera)
        assert (busy.value.code, busy.value.name, busy.value.retryable) == (0x100B, "IDDK_DEV_BUSY", True)
        with pytest.raises(IrisCameraError) as slow:
            capture(camera)
        assert (slow.value.code, slow.value.name, slow.value.retryable) == (9, "IDDK_DEVICE_IO_TIMEOUT", True)
        assert "Iddk_GetCaptureStatus" in str(slow.value)
        assert np.array_equal(capture(camera), RIGHT)  # each failed capture was stopped, a new one starts


def test_unplugged_mid_capture_every_call_fails(script) -> None:
    script("absent 1", "present 1", "absent 1", "unplug")
    camera = IriTechCamera()
    with camera:
        capture(camera)
        for _ in range(2):
            with pytest.raises(IrisCameraError) as e:
                capture(camera)
            assert (e.value.code, e.value.name) == (8, "IDDK_DEVICE_IO_FAILED")
            assert e.value.disconnected and not e.value.retryable
        assert camera.devices() == []
    camera.close()


def test_unplugged_at_start_finds_nothing(script) -> None:
    script("iris unplug", "finger present")
    camera = IriTechCamera()
    assert camera.devices() == []
    with pytest.raises(IrisCameraError) as e:
        camera.open()
    assert (e.value.code, e.value.name, e.value.disconnected) == (2, "IDDK_DEVICE_NOT_FOUND", True)
    assert "plugged in" in str(e.value)


def test_unknown_device_name_and_double_open() -> None:
    camera = IriTechCamera()
    with pytest.raises(IrisCameraError, match="IDDK_DEVICE_NOT_FOUND"):
        camera.open("IRISHIELD-NOT-HERE")
    with camera, pytest.raises(IrisCameraError, match="IDDK_DEVICE_ALREADY_OPEN"):
        IriTechCamera().open()


def test_bad_script_refuses_to_open(script, capfd) -> None:
    script("present forever")
    with pytest.raises(IrisCameraError) as e:
        IriTechCamera().open()
    assert (e.value.code, e.value.name) == (3, "IDDK_DEVICE_OPEN_FAILED")
    assert "not a count" in capfd.readouterr().err


def test_bad_arguments_and_calls_after_close() -> None:
    camera = IriTechCamera()
    with pytest.raises(DeviceNotOpenError):
        capture(camera)
    with camera:
        with pytest.raises(ValueError, match="eye"):
            camera.capture("both")
        with pytest.raises(ValueError, match="max_polls"):
            camera.capture("left", max_polls=0)
    for call in (lambda: capture(camera), lambda: camera.image_size):
        with pytest.raises(DeviceNotOpenError, match="not open"):
            call()


def test_missing_and_wrong_libraries(tmp_path: Path) -> None:
    with pytest.raises(VendorLibraryError, match=r"libIddk2000\.so") as missing:
        IriTechCamera(tmp_path / "libIddk2000.so")
    assert "[devices]" in str(missing.value)
    with pytest.raises(VendorLibraryError) as wrong:
        IriTechCamera(SIM_DIR / "libScanAPI.so")
    assert wrong.value.missing == FUNCTIONS and "Iddk_StartCapture" in str(wrong.value)


def test_nasty_sequences_never_crash_the_process(tmp_path: Path) -> None:
    code = textwrap.dedent(f"""
        import os
        from native.vendor import IriTechCamera, VendorError
        os.environ["SINOPSIS_SIM_SCRIPT"] = {str(tmp_path / "s.txt")!r}
        open({str(tmp_path / "s.txt")!r}, "w").write("present 1\\nbusy 1\\nunplug\\n")
        for lib in ("sim", {str(SIM_DIR / "libScanAPI.so")!r}, "/dev/null"):
            try:
                c = IriTechCamera(lib)
                c.open()
                for eye in ("left", "right", "left", "right"):
                    try:
                        c.capture(eye, max_polls=3, poll_interval_s=0)
                    except VendorError:
                        pass
                c.close(); c.close()
                c.capture("left")
            except VendorError:
                pass
        print("survived")
    """)
    assert_survives(code)
