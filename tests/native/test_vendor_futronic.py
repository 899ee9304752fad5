"""Futronic binding against the simulated libScanAPI.so, through the same code a real scanner uses."""

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from native.vendor import (
    SIM_DIR,
    DeviceNotOpenError,
    FingerprintScannerError,
    FutronicScanner,
    VendorLibraryError,
)
from native.vendor._loader import header_functions
from tests.native.vendor_helpers import (
    SAMPLES,
    _default_sim_behaviour,
    assert_survives,
    fitted,
    read_pgm,
    script,
    sharpness,
)

__all__ = ["_default_sim_behaviour", "script"]  # fixtures used by name

FUNCTIONS = header_functions("ftrScanAPI.h", ("FTR_PACKED",))


def expected_frame(sample: int = 1) -> np.ndarray:
    return fitted(read_pgm(SAMPLES / "fingerprint" / f"SFinGe_Test{sample:02d}.pgm"), 320, 480, 255)


def presence(scanner: FutronicScanner, n: int) -> list[bool]:
    return [scanner.finger_present() for _ in range(n)]


def test_default_sim_is_an_fs88_finger_after_two_polls_then_the_sample() -> None:
    with FutronicScanner("sim") as scanner:
        assert scanner.lib_path == SIM_DIR / "libScanAPI.so"
        assert scanner.image_size == (320, 480)
        assert presence(scanner, 3) == [False, False, True]
        frame = scanner.read_frame()
        assert frame.shape == (480, 320) and frame.dtype == np.uint8
        assert np.array_equal(frame, expected_frame(1))
        assert scanner.frame_dose > 0


def test_frames_land_in_the_buffer_allocated_at_open() -> None:
    with FutronicScanner() as scanner:
        scanner.finger_present(), scanner.finger_present()
        first = scanner.read_frame()
        second = scanner.read_frame()
        assert first is second  # the same preallocated buffer, no new array per frame
        assert not first.flags.writeable
        with pytest.raises(ValueError):
            first[0, 0] = 1


def test_finger_placed_and_lifted(script) -> None:
    script("absent 2", "present 3", "absent")
    with FutronicScanner() as scanner:
        assert presence(scanner, 7) == [False, False, True, True, True, False, False]
        with pytest.raises(FingerprintScannerError) as e:
            scanner.read_frame()
        assert (e.value.code, e.value.name, e.value.retryable) == (4306, "FTR_ERROR_EMPTY_FRAME", True)


def test_quality_ramp_sharpens_over_n_frames(script) -> None:
    script("ramp 5", "present")
    with FutronicScanner() as scanner:
        frames = [scanner.read_frame().copy() for _ in range(6)]
    scores = [sharpness(f) for f in frames]
    contrasts = [float(f.std()) for f in frames]
    assert scores == sorted(scores) and len(set(scores)) == 6
    assert contrasts[0] < contrasts[-1] / 2
    assert np.array_equal(frames[-1], expected_frame(1))
    sample = frames[-1].ravel().astype(np.float64)
    likeness = [np.corrcoef(f.ravel(), sample)[0, 1] for f in frames]
    assert likeness == sorted(likeness) and likeness[0] > 0.1 and likeness[-2] > 0.8  # the print, blurred


def test_busy_then_recovers(script) -> None:
    script("present 1", "busy 2", "present")
    with FutronicScanner() as scanner:
        scanner.read_frame()
        for _ in range(2):
            with pytest.raises(FingerprintScannerError) as e:
                scanner.read_frame()
            assert (e.value.code, e.value.name) == (21, "FTR_ERROR_NOT_READY")
            assert e.value.retryable and not e.value.disconnected
        assert np.array_equal(scanner.read_frame(), expected_frame(1))


def test_timeout_code(script) -> None:
    script("timeout 1", "present")
    with FutronicScanner() as scanner:
        with pytest.raises(FingerprintScannerError) as e:
            scanner.finger_present()
        assert (e.value.code, e.value.name, e.value.retryable) == (1460, "FTR_ERROR_TIMEOUT", True)
        assert scanner.finger_present()


def test_moving_finger_is_present_but_gives_no_frame(script) -> None:
    script("move 1", "present")
    with FutronicScanner() as scanner:
        with pytest.raises(FingerprintScannerError) as e:
            scanner.read_frame()
        assert (e.value.code, e.value.name) == (0x20000001, "FTR_ERROR_MOVABLE_FINGER")
        assert "0x20000001" in str(e.value) and "ftrScanGetFrame" in str(e.value)


def test_unplugged_mid_stream_every_call_fails_until_reopened(script) -> None:
    script("present 3", "unplug")
    scanner = FutronicScanner()
    with scanner:
        for _ in range(3):
            scanner.read_frame()
        for call in (scanner.read_frame, scanner.finger_present, scanner.read_frame):
            with pytest.raises(FingerprintScannerError) as e:
                call()
            assert e.value.name == "FTR_ERROR_LIBUSB_ERROR" and e.value.disconnected and not e.value.retryable
    with scanner:  # plugged back in: the script starts again
        scanner.read_frame()


def test_unplugged_at_start_open_fails(script) -> None:
    script("unplug")
    scanner = FutronicScanner()
    with pytest.raises(FingerprintScannerError) as e:
        scanner.open()
    assert (e.value.code, e.value.name, e.value.disconnected) == (259, "FTR_ERROR_NO_MORE_ITEMS", True)
    assert "plugged in" in str(e.value)
    assert not scanner.is_open


def test_other_sample_and_own_image(script, tmp_path: Path) -> None:
    script("sample 3", "present")
    with FutronicScanner() as scanner:
        assert np.array_equal(scanner.read_frame(), expected_frame(3))
    small = (np.arange(100 * 60, dtype=np.uint32) % 251).astype(np.uint8).reshape(100, 60)
    pgm = tmp_path / "small.pgm"
    pgm.write_bytes(b"P5\n60 100\n255\n" + small.tobytes())
    script(f"image {pgm}", "present")
    with FutronicScanner() as scanner:
        assert np.array_equal(scanner.read_frame(), fitted(small, 320, 480, 255))  # padded with a white platen


@pytest.mark.parametrize("line", ["wobble 2", "present zero", "present 0", "sample 9", "present 1 2",
                                  "finger", "image /nonexistent/x.pgm"])
def test_bad_script_refuses_to_open_and_says_why(script, capfd, line: str) -> None:
    path = script(line)
    with pytest.raises(FingerprintScannerError) as e:
        FutronicScanner().open()
    assert e.value.name == "FTR_ERROR_BAD_CONFIGURATION"
    err = capfd.readouterr().err
    assert "sinopsis sim:" in err and (str(path) in err or "/nonexistent/x.pgm" in err)


def test_iris_lines_are_ignored_by_the_fingerprint_sim(script) -> None:
    script("iris unplug", "finger present")
    with FutronicScanner() as scanner:
        assert scanner.finger_present()


def test_calls_before_open_and_after_close_are_refused_in_python() -> None:
    scanner = FutronicScanner()
    with pytest.raises(DeviceNotOpenError):
        scanner.read_frame()
    scanner.open()
    scanner.close()
    scanner.close()
    for call in (scanner.read_frame, scanner.finger_present, lambda: scanner.image_size):
        with pytest.raises(DeviceNotOpenError, match="not open"):
            call()


def test_missing_library_names_the_path_and_what_to_do(tmp_path: Path) -> None:
    path = tmp_path / "nowhere" / "libScanAPI.so"
    with pytest.raises(VendorLibraryError) as e:
        FutronicScanner(path)
    assert e.value.path == str(path) and str(path) in str(e.value)
    assert "[devices]" in str(e.value) and "libScanAPI.so" in str(e.value)


def test_unbuilt_simulator_says_how_to_build_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("native.vendor.futronic.SIM_LIBRARY", "libScanAPI-not-built.so")
    with pytest.raises(VendorLibraryError, match=r"not built: .*setup\.sh --no-run"):
        FutronicScanner("sim")


def test_not_a_library(tmp_path: Path) -> None:
    path = tmp_path / "libScanAPI.so"
    path.write_text("not an ELF file\n")
    with pytest.raises(VendorLibraryError, match="cannot be loaded") as e:
        FutronicScanner(path)
    assert e.value.missing == ()


@pytest.mark.parametrize("other", [SIM_DIR / "libIddk2000.so", Path(np.__file__)])
def test_wrong_library_lists_the_missing_functions(other: Path) -> None:
    if other.suffix != ".so":  # a real system library without any ftrScan function: libm
        other = Path("/lib/x86_64-linux-gnu/libm.so.6")
        if not other.exists():
            pytest.skip("no libm at the Debian multiarch path")
    with pytest.raises(VendorLibraryError) as e:
        FutronicScanner(other)
    assert e.value.missing == FUNCTIONS
    assert "ftrScanGetFrame" in str(e.value) and "does not export" in str(e.value)


ALLOCATION_PROBE = """
import json, tracemalloc
from native.vendor import FutronicScanner
with FutronicScanner() as scanner:
    while not scanner.finger_present():  # the default script: no finger for two polls
        pass
    for _ in range(10):
        scanner.read_frame()
    tracemalloc.start()
    tracemalloc.reset_peak()
    for _ in range(1000):
        scanner.finger_present()
        frame = scanner.read_frame()
    _, peak = tracemalloc.get_traced_memory()
    print(json.dumps({"peak": peak, "frame": frame.nbytes}))
"""


def test_thousand_frames_allocate_nothing_frame_sized() -> None:
    """Measured in a fresh interpreter, like tests/native/test_no_allocation.py (pytest's own garbage would
    show in the peak)."""
    done = subprocess.run([sys.executable, "-c", ALLOCATION_PROBE], capture_output=True, text=True, timeout=60,
                          cwd=Path(__file__).resolve().parents[2], check=True)
    result = json.loads(done.stdout)
    assert result["frame"] == 320 * 480 and result["peak"] < 16 * 1024, result


def test_frame_parameters_use_the_packed_unix_layout() -> None:
    scanner = FutronicScanner()
    assert scanner._sdk.ffi.sizeof("FTRSCAN_FRAME_PARAMETERS") == 92
    assert scanner._sdk.ffi.offsetof("FTRSCAN_FRAME_PARAMETERS", "Reserved") == 64


def test_nasty_sequences_never_crash_the_process(tmp_path: Path) -> None:
    """Wrong libraries, stale handles, unplug and bad scripts in a fresh interpreter: it must exit normally."""
    code = textwrap.dedent(f"""
        import os
        from native.vendor import FutronicScanner, VendorError
        os.environ["SINOPSIS_SIM_SCRIPT"] = {str(tmp_path / "s.txt")!r}
        open({str(tmp_path / "s.txt")!r}, "w").write("present 2\\nunplug\\n")
        for lib in ("sim", {str(SIM_DIR / "libIddk2000.so")!r}, "/dev/null", "/"):
            try:
                s = FutronicScanner(lib)
                s.open()
                for _ in range(5):
                    try:
                        s.read_frame(); s.finger_present()
                    except VendorError:
                        pass
                s.close(); s.close()
                s.read_frame()
            except VendorError:
                pass
        print("survived")
    """)
    assert_survives(code)
