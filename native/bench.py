"""Benchmarks of the native kernels against the OpenCV/numpy way, measured in the same run.

Every row times one job three or four ways on the same frame: our C path; the idiomatic OpenCV/numpy way
(what one writes first, e.g. `cv2.Laplacian(img, cv2.CV_64F).var()`); the best OpenCV way we know (preallocated
outputs, 16-bit intermediates); and, for fingerprints, NIST NFIQ 2. Results are medians and ratios on this
machine at this moment: they are reported, never asserted in tests.
"""

import cv2
import numpy as np

from native.bench_modalities import face_bench, finger_bench, iris_bench
from native.bench_timing import FRAME_BUDGET_MS, fresh_median_ms, median_ms, read_pass_ms, row, textured_frame
from native.image_stats import ExposureMeter
from native.motion import MotionMeter
from native.sharpness import SharpnessMeter, opencv_laplacian_var, use_vectors

__all__ = ["FRAME_BUDGET_MS", "FRAME_SIZES", "median_ms", "read_pass_ms", "row", "run_all", "textured_frame"]

FRAME_SIZES = {"640x480": (480, 640), "1920x1080": (1080, 1920), "finger 416x560": (560, 416),
               "slap 1600x1500": (1500, 1600)}


def sharpness_bench(repeat: int = 30, seed: int = 0) -> list[dict]:
    """Per frame size: our C Laplacian variance, the idiomatic OpenCV way, and OpenCV with preallocated output; and
    the C kernel and the read pass again on fresh frames (`fresh_median_ms`), the case of a camera's next frame."""
    meter = SharpnessMeter()
    level = use_vectors()
    rows = []
    for label, shape in FRAME_SIZES.items():
        frame = textured_frame(shape, seed)
        dst = np.empty(shape, np.int16)
        r = row("sharpness", label, median_ms(lambda frame=frame: meter.laplacian_var(frame), repeat),
                median_ms(lambda frame=frame: cv2.Laplacian(frame, cv2.CV_64F).var(), repeat),
                median_ms(lambda frame=frame, dst=dst: opencv_laplacian_var(frame, dst), repeat),
                read_ms=read_pass_ms(frame, repeat))
        fresh_c = fresh_median_ms(meter.laplacian_var, frame, repeat)
        fresh_read = fresh_median_ms(cv2.sumElems, frame, repeat)
        r.update(c_ms_fresh=fresh_c, read_ms_fresh=fresh_read, read_passes_fresh=fresh_c / fresh_read,
                 vectors=level,
                 note=f"Laplacian variance ({level}); best = cv2.Laplacian 16-bit into a buffer + cv2.meanStdDev; "
                      f"fresh frame: {fresh_c:.3f} ms = {fresh_c / fresh_read:.1f} read passes")
        rows.append(r)
    return rows


def exposure_bench(repeat: int = 30, seed: int = 0) -> list[dict]:
    """Mean, std, min, max and clipped shares: C against numpy and against OpenCV's meanStdDev + calcHist."""
    meter = ExposureMeter()
    rows = []
    for label, shape in FRAME_SIZES.items():
        frame = textured_frame(shape, seed)

        def idiomatic(f=frame) -> tuple:
            return f.mean(), f.std(), f.min(), f.max(), (f <= 5).mean(), (f >= 250).mean()

        def prealloc(f=frame) -> tuple:
            mean, std = cv2.meanStdDev(f)
            hist = cv2.calcHist([f], [0], None, [256], [0, 256])
            return mean, std, cv2.minMaxLoc(f), hist[:6].sum() / f.size, hist[250:].sum() / f.size

        rows.append(row("exposure", label, median_ms(lambda f=frame: meter.measure(f), repeat),
                        median_ms(idiomatic, repeat), median_ms(prealloc, repeat), read_ms=read_pass_ms(frame, repeat)))
    return rows


def motion_bench(repeat: int = 30, seed: int = 0) -> list[dict]:
    """Mean |diff| and changed share of two frames: C against numpy and against cv2.absdiff with a buffer."""
    meter = MotionMeter(25)
    rows = []
    for label, shape in FRAME_SIZES.items():
        prev, cur = textured_frame(shape, seed), textured_frame(shape, seed + 1)
        diff = np.empty(shape, np.uint8)

        def idiomatic(a=prev, b=cur) -> tuple:
            d = np.abs(a.astype(np.int16) - b.astype(np.int16))
            return d.mean(), (d > 25).mean()

        def prealloc(a=prev, b=cur, d=diff) -> tuple:
            cv2.absdiff(a, b, dst=d)
            mean = cv2.mean(d)[0]
            cv2.threshold(d, 25, 255, cv2.THRESH_BINARY, dst=d)
            return mean, cv2.countNonZero(d) / d.size

        both = np.vstack([prev, cur])  # the floor for a two-frame kernel: both frames read once
        rows.append(row("motion", label, median_ms(lambda a=prev, b=cur: meter.compare(a, b), repeat),
                        median_ms(idiomatic, repeat), median_ms(prealloc, repeat), read_ms=read_pass_ms(both, repeat)))
    return rows


def run_all(repeat: int = 30, nfiq2_repeat: int = 5) -> list[dict]:
    """Every benchmark, in one run (NFIQ 2 rows only where nbis-py is installed)."""
    return [*sharpness_bench(repeat), *exposure_bench(repeat), *motion_bench(repeat), *face_bench(repeat),
            *finger_bench(repeat, nfiq2_repeat), *iris_bench(repeat)]
