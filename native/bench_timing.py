"""What every native benchmark shares: the median timer, the result row with its ratios, a textured test frame.

Below both bench modules (native/bench.py for the kernels, native/bench_modalities.py for the analyzers) and the
application's benches (sinopsis/), so that none of them imports another's runner.
"""

import statistics
import time
from collections.abc import Callable

import cv2
import numpy as np

FRAME_BUDGET_MS = 1000.0 / 30.0  # one frame at 30 fps


def median_ms(fn: Callable[[], object], repeat: int) -> float:
    """Median wall time of `fn` in milliseconds over `repeat` calls (after one warm-up call)."""
    fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000.0


def row(kernel: str, frame: str, c_ms: float, idiomatic_ms: float | None, prealloc_ms: float | None,
        nfiq2_ms: float | None = None, note: str = "") -> dict:
    """One result row with its ratios (None where a way does not apply)."""
    def ratio(other: float | None) -> float | None:
        return other / c_ms if other is not None and c_ms > 0 else None

    return {"kernel": kernel, "frame": frame, "c_ms": c_ms, "opencv_idiomatic_ms": idiomatic_ms,
            "opencv_prealloc_ms": prealloc_ms, "nfiq2_ms": nfiq2_ms, "speedup_vs_idiomatic": ratio(idiomatic_ms),
            "speedup_vs_prealloc": ratio(prealloc_ms), "speedup_vs_nfiq2": ratio(nfiq2_ms), "note": note}


def textured_frame(shape: tuple[int, int], seed: int) -> np.ndarray:
    """A textured grey frame: blurred noise, so neither flat nor pure noise."""
    rng = np.random.default_rng(seed)
    return cv2.GaussianBlur(rng.integers(0, 256, shape, dtype=np.uint8), (0, 0), 1.0)
