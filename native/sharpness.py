"""Focus measures of a grey frame through the C kernel: variance of the Laplacian and Tenengrad.

`opencv_laplacian_var` is the same variance the straightforward OpenCV way (16-bit Laplacian, `cv2.meanStdDev`):
the reference the kernel is tested against (tests/native/test_sharpness.py) and the bench's baseline.
"""

from dataclasses import dataclass

import cv2
import numpy as np

from native._native import ffi, lib
from native.frames import grey_frame_pointer


@dataclass(frozen=True)
class Sharpness:
    """Focus measures over the frame's interior (the one-pixel border is left out)."""

    laplacian_var: float
    tenengrad: float


class SharpnessMeter:
    """Measures sharpness of 8-bit grey frames; holds its output struct so a frame costs no allocation."""

    def __init__(self) -> None:
        self._out = ffi.new("struct sharpness *")

    def measure(self, frame: np.ndarray) -> Sharpness:
        """Measure a 2-D uint8 frame of at least 3x3; raises ValueError for a wrong dtype, shape or layout."""
        ptr, width, height, stride = grey_frame_pointer(frame, min_side=3)
        if lib.sharpness_compute(ptr, width, height, stride, self._out) != 0:
            raise ValueError("sharpness_compute rejected the frame")
        return Sharpness(self._out.laplacian_var, self._out.tenengrad)

    def laplacian_var(self, frame: np.ndarray) -> float:
        """Only the Laplacian variance: the per-frame auto-capture gate (one pass, no Sobel)."""
        ptr, width, height, stride = grey_frame_pointer(frame, min_side=3)
        return float(lib.sharpness_laplacian_var(ptr, width, height, stride))


VECTOR_LEVELS = ("plain C", "AVX2", "AVX-512BW + VNNI")


def use_vectors(cap: int = 2) -> str:
    """Let `laplacian_var` use the widest vector level this CPU runs up to `cap` (0 plain C, 1 AVX2, 2 AVX-512BW with
    VNNI; 2 is the default at load); the name of the one now in use. Every level computes the same exact sums;
    tests compare them and the bench names the one it timed."""
    return VECTOR_LEVELS[lib.sharpness_use_vectors(int(cap))]


def opencv_laplacian_var(frame: np.ndarray, dst: np.ndarray | None = None) -> float:
    """The Laplacian variance over the interior the OpenCV way: `cv2.Laplacian` (ksize 1, 16-bit, into `dst` when
    given, an int16 array of the frame's shape) and `cv2.meanStdDev`. Equal to `SharpnessMeter.laplacian_var` up
    to rounding in the last bits (both sum exactly; the variance is formed in double precision)."""
    lap = cv2.Laplacian(frame, cv2.CV_16S, dst=dst)
    return float(cv2.meanStdDev(lap[1:-1, 1:-1])[1][0, 0] ** 2)
