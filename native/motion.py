"""Frame-to-frame motion through the C kernel, and the "subject is still" gate that auto-capture waits for."""

from dataclasses import dataclass

import numpy as np

from native._native import ffi, lib
from native.frames import grey_frame_pointer


@dataclass(frozen=True)
class Motion:
    """How much a frame differs from the one before it."""

    mean_abs_diff: float  # mean |cur - prev|, 0..255
    changed_fraction: float  # share of pixels that changed by more than the meter's threshold


class MotionMeter:
    """Compares two grey frames of the same size; `threshold` (0..254) is the grey step that counts as change."""

    def __init__(self, threshold: int = 25) -> None:
        if not 0 <= threshold <= 254:
            raise ValueError(f"motion threshold must be 0..254 (got {threshold})")
        self.threshold = threshold
        self._out = ffi.new("struct motion *")

    def compare(self, prev: np.ndarray, cur: np.ndarray) -> Motion:
        """Motion between two 2-D uint8 frames of equal shape (crops are fine); ValueError otherwise."""
        p_ptr, width, height, p_stride = grey_frame_pointer(prev)
        c_ptr, c_width, c_height, c_stride = grey_frame_pointer(cur)
        if (c_width, c_height) != (width, height):
            raise ValueError(f"frames differ in size: {width}x{height} then {c_width}x{c_height}")
        if lib.motion_compare(p_ptr, p_stride, c_ptr, c_stride, width, height, self.threshold, self._out) != 0:
            raise ValueError("motion_compare rejected the frames")
        return Motion(self._out.mean_abs_diff, self._out.changed_fraction)


@dataclass(frozen=True)
class Stillness:
    """The gate's verdict on the latest frame."""

    motion: Motion | None  # None for the first frame (nothing to compare with)
    still_frames: int  # consecutive frames that moved less than the limits
    is_still: bool  # still_frames reached the required count


class StillnessGate:
    """Says when the subject has held still for `required_frames` frames in a row.

    A frame counts as still when its mean absolute difference to the previous frame is at most `max_mean_diff`
    and at most `max_changed_fraction` of its pixels changed. The previous frame is kept in a buffer allocated
    once per frame size, so a steady stream of frames allocates nothing frame-sized.
    """

    def __init__(self, required_frames: int = 5, max_mean_diff: float = 2.0, max_changed_fraction: float = 0.01,
                 threshold: int = 25) -> None:
        if required_frames < 1:
            raise ValueError(f"required_frames must be at least 1 (got {required_frames})")
        self.required_frames = required_frames
        self.max_mean_diff = max_mean_diff
        self.max_changed_fraction = max_changed_fraction
        self._meter = MotionMeter(threshold)
        self._prev: np.ndarray | None = None
        self._still = 0

    def reset(self) -> None:
        """Forget the previous frame (a new subject, or the camera restarted)."""
        self._prev = None
        self._still = 0

    def update(self, frame: np.ndarray) -> Stillness:
        """Feed the next frame; a change of frame size starts over."""
        grey_frame_pointer(frame)
        if self._prev is None or self._prev.shape != frame.shape:
            self._prev = np.empty_like(frame, order="C")
            np.copyto(self._prev, frame)
            self._still = 0
            return Stillness(None, 0, False)
        motion = self._meter.compare(self._prev, frame)
        np.copyto(self._prev, frame)
        moved = motion.mean_abs_diff > self.max_mean_diff or motion.changed_fraction > self.max_changed_fraction
        self._still = 0 if moved else self._still + 1
        return Stillness(motion, self._still, self._still >= self.required_frames)
