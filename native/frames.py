"""Frame checks shared by the native wrappers: what a C kernel may be handed, and its pointer + stride."""

import numpy as np

from contract.errors import SinopsisError
from native._native import ffi


class FrameError(SinopsisError, ValueError):
    """A frame a quality kernel cannot read, with its reason code: `frame.format` (not uint8, wrong number of
    channels), `frame.too_small` (below the kernel's smallest side) or `frame.layout` (pixels not packed). A
    ValueError too, so callers that guard the analyzers with `except ValueError` keep working."""


def grey_frame_pointer(frame: np.ndarray, min_side: int = 1) -> tuple[object, int, int, int]:
    """(pointer, width, height, row stride) of a 2-D uint8 frame whose columns are contiguous.

    Crops of a bigger array are fine (row stride > width). Raises FrameError for anything else, so a C kernel
    never sees a layout it cannot read.
    """
    if not isinstance(frame, np.ndarray) or frame.dtype != np.uint8 or frame.ndim != 2:
        raise FrameError(f"expected a 2-D uint8 grey frame, got {describe_frame(frame)}", "frame.format")
    height, width = frame.shape
    if height < min_side or width < min_side:
        raise FrameError(f"frame is {width}x{height}; it must be at least {min_side}x{min_side}", "frame.too_small")
    # numpy may give a length-1 axis any stride; such a stride is never followed, so it does not count.
    pixel_stride = frame.strides[1] if width > 1 else 1
    row_stride = frame.strides[0] if height > 1 else width
    if pixel_stride != 1 or row_stride < width:
        raise FrameError("frame columns must be contiguous (row stride >= width, pixel stride 1)", "frame.layout")
    if frame.flags.c_contiguous:  # rows packed one after the other (row stride = width)
        # A whole frame: cffi's view of its buffer (no copy; it keeps the array alive while the pointer lives).
        # Half the Python time of reading `__array_interface__`, which matters right after a kernel has swept a
        # 1080p frame through the core's caches and the interpreter's own data with it (≈ 9 µs a call, measured).
        return ffi.from_buffer("uint8_t[]", frame), width, height, row_stride
    return ffi.cast("const uint8_t *", frame.__array_interface__["data"][0]), width, height, row_stride


def describe_frame(frame: object) -> str:
    """'uint16 (480, 640, 3)' for an array, the type's name for anything else: what the caller handed over."""
    return f"{frame.dtype} {frame.shape}" if isinstance(frame, np.ndarray) else type(frame).__name__
