"""What every native benchmark shares: the median timer, the result row with its ratios, a textured test frame.

Below both bench modules (native/bench.py for the kernels, native/bench_modalities.py for the analyzers) and the
application's benches (sinopsis/), so that none of them imports another's runner.
"""

import itertools
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
        nfiq2_ms: float | None = None, note: str = "", read_ms: float | None = None) -> dict:
    """One result row with its ratios (None where a way does not apply).

    `best_ms` is the faster of the two OpenCV/numpy ways, and `speedup_vs_best` the ratio the table leads with: a
    kernel is judged against the best straightforward way, never only against a wasteful one. `read_ms` is one
    plain read pass over the same frame (`read_pass_ms`), and `read_passes` = c_ms / read_ms how far the kernel is
    from that memory floor (1.0 = as fast as reading the frame once)."""
    def ratio(other: float | None) -> float | None:
        return other / c_ms if other is not None and c_ms > 0 else None

    ways = [w for w in (idiomatic_ms, prealloc_ms) if w is not None]
    best = min(ways) if ways else None
    return {"kernel": kernel, "frame": frame, "c_ms": c_ms, "opencv_idiomatic_ms": idiomatic_ms,
            "opencv_prealloc_ms": prealloc_ms, "nfiq2_ms": nfiq2_ms, "speedup_vs_idiomatic": ratio(idiomatic_ms),
            "speedup_vs_prealloc": ratio(prealloc_ms), "speedup_vs_nfiq2": ratio(nfiq2_ms), "best_ms": best,
            "speedup_vs_best": ratio(best), "read_ms": read_ms,
            "read_passes": c_ms / read_ms if read_ms else None, "note": note}


def read_pass_ms(frame: np.ndarray, repeat: int) -> float:
    """The memory floor for a kernel over `frame`: one plain read pass over every byte (cv2.sumElems, vectorised),
    the frame seen as rows of bytes (colour and stacked frames alike)."""
    flat = np.ascontiguousarray(frame).reshape(frame.shape[0], -1)
    return median_ms(lambda: cv2.sumElems(flat), repeat)


def fresh_median_ms(fn: Callable[[np.ndarray], object], frame: np.ndarray, repeat: int, copies: int = 16) -> float:
    """`median_ms` of `fn(f)` where each call gets a frame this core has not read since its last turn: `copies`
    copies of `frame` (more than a core's L2 holds at 1080p) taken in turn, as frames arrive from a camera (written
    by its thread or by DMA, not in the analysing core's caches). Taking the next copy is timed too (≈ 0.05 µs)."""
    frames = itertools.cycle([frame.copy() for _ in range(copies)])
    return median_ms(lambda: fn(next(frames)), repeat)


def textured_frame(shape: tuple[int, int], seed: int) -> np.ndarray:
    """A textured grey frame: blurred noise, so neither flat nor pure noise."""
    rng = np.random.default_rng(seed)
    return cv2.GaussianBlur(rng.integers(0, 256, shape, dtype=np.uint8), (0, 0), 1.0)
