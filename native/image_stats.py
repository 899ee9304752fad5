"""Exposure statistics of a grey frame through the C kernel (checked wrapper around native._native)."""

from dataclasses import dataclass

import numpy as np

from native._native import ffi, lib
from native.frames import grey_frame_pointer


@dataclass(frozen=True)
class ExposureStats:
    """Grey-level statistics of one frame: what an exposure check needs."""

    mean: float
    stddev: float
    min: int
    max: int
    dark_fraction: float
    bright_fraction: float


class ExposureMeter:
    """Measures exposure of 8-bit grey frames; holds its output struct so a frame costs no allocation."""

    def __init__(self) -> None:
        self._out = ffi.new("struct image_stats *")

    def measure(self, frame: np.ndarray) -> ExposureStats:
        """Measure a 2-D uint8 frame (crops with a row stride are fine; columns must be contiguous).

        Raises ValueError for a wrong dtype, shape or layout, or an empty frame.
        """
        ptr, width, height, stride = grey_frame_pointer(frame)
        if lib.image_stats_compute(ptr, width, height, stride, self._out) != 0:
            raise ValueError("image_stats_compute rejected the frame")
        o = self._out
        return ExposureStats(o.mean, o.stddev, o.min, o.max, o.dark_fraction, o.bright_fraction)
