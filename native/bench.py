"""Benchmarks of the native kernels against the OpenCV/numpy way, measured in the same run.

Results are ratios of medians on this machine at this moment; they are reported, never asserted in tests.
"""

import statistics
import time
from collections.abc import Callable

import cv2
import numpy as np

from native.sharpness import SharpnessMeter

FRAME_SIZES = {"640x480": (480, 640), "1920x1080": (1080, 1920), "finger 416x560": (560, 416),
               "slap 1600x1500": (1500, 1600)}


def median_ms(fn: Callable[[], object], repeat: int) -> float:
    """Median wall time of `fn` in milliseconds over `repeat` calls (after one warm-up call)."""
    fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000.0


def sharpness_bench(repeat: int = 30, seed: int = 0) -> list[dict]:
    """Per frame size: our C Laplacian variance, the idiomatic OpenCV way, and OpenCV with preallocated output."""
    rng = np.random.default_rng(seed)
    meter = SharpnessMeter()
    rows = []
    for label, shape in FRAME_SIZES.items():
        frame = cv2.GaussianBlur(rng.integers(0, 256, shape, dtype=np.uint8), (0, 0), 1.0)
        dst = np.empty(shape, np.int16)

        def prealloc(frame=frame, dst=dst) -> float:
            cv2.Laplacian(frame, cv2.CV_16S, dst=dst)
            return float(cv2.meanStdDev(dst)[1][0, 0] ** 2)

        ours = median_ms(lambda frame=frame: meter.laplacian_var(frame), repeat)
        idiomatic = median_ms(lambda frame=frame: cv2.Laplacian(frame, cv2.CV_64F).var(), repeat)
        best_cv = median_ms(prealloc, repeat)
        rows.append({"kernel": "sharpness", "frame": label, "c_ms": ours, "opencv_idiomatic_ms": idiomatic,
                     "opencv_prealloc_ms": best_cv, "speedup_vs_idiomatic": idiomatic / ours,
                     "speedup_vs_prealloc": best_cv / ours})
    return rows
