"""Shared helpers of the vendor-binding tests: sample images as the simulators serve them, and scripts."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from native.vendor import ENV_SIM_SCRIPT, SIM_DIR

SAMPLES = Path(__file__).resolve().parents[2] / "native" / "samples"


def read_pgm(path: Path) -> np.ndarray:
    """A binary 8-bit PGM as a 2-D uint8 array (header without comments, as our samples are written)."""
    data = path.read_bytes()
    magic, width, height, maxval, rest = data.split(maxsplit=4)
    assert magic == b"P5" and maxval == b"255"
    w, h = int(width), int(height)
    return np.frombuffer(rest[: w * h], dtype=np.uint8).reshape(h, w)


def fitted(image: np.ndarray, width: int, height: int, fill: int) -> np.ndarray:
    """`image` centred on a width x height canvas of `fill` (cropped or padded), as the simulators do."""
    out = np.full((height, width), fill, dtype=np.uint8)
    ih, iw = image.shape
    oy, ox = (ih - height) // 2, (iw - width) // 2
    for y in range(height):
        sy = y + oy
        if 0 <= sy < ih:
            xs = np.arange(width) + ox
            ok = (xs >= 0) & (xs < iw)
            out[y, ok] = image[sy, xs[ok]]
    return out


def sharpness(frame: np.ndarray) -> float:
    """Variance of a 4-neighbour Laplacian: rises as a frame gets sharper."""
    f = frame.astype(np.float64)
    lap = f[1:-1, :-2] + f[1:-1, 2:] + f[:-2, 1:-1] + f[2:, 1:-1] - 4 * f[1:-1, 1:-1]
    return float(lap.var())


@pytest.fixture
def script(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """script("absent 2", "present") writes a simulator script and points $SINOPSIS_SIM_SCRIPT at it."""

    def write(*lines: str) -> Path:
        path = tmp_path / "sim-script.txt"
        path.write_text("\n".join(lines) + "\n")
        monkeypatch.setenv(ENV_SIM_SCRIPT, str(path))
        return path

    return write


@pytest.fixture(autouse=True)
def _default_sim_behaviour(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_SIM_SCRIPT, raising=False)
    if not (SIM_DIR / "libScanAPI.so").exists() or not (SIM_DIR / "libIddk2000.so").exists():
        pytest.fail("simulators not built: run ./setup.sh --no-run or python setup.py build_ext --inplace")


def assert_survives(code: str) -> None:
    """Run `code` in a fresh interpreter; it must exit normally and print "survived" (no crash of the process)."""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                          cwd=Path(__file__).resolve().parents[2])
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "survived"
