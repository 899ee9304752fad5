"""Frame checks shared by the native wrappers: what a C kernel may be handed, and its pointer + stride."""

import numpy as np

from native._native import ffi


def grey_frame_pointer(frame: np.ndarray, min_side: int = 1) -> tuple[object, int, int, int]:
    """(pointer, width, height, row stride) of a 2-D uint8 frame whose columns are contiguous.

    Crops of a bigger array are fine (row stride > width). Raises ValueError for anything else, so a C kernel
    never sees a layout it cannot read.
    """
    if not isinstance(frame, np.ndarray) or frame.dtype != np.uint8 or frame.ndim != 2:
        raise ValueError("expected a 2-D uint8 grey frame")
    height, width = frame.shape
    if height < min_side or width < min_side:
        raise ValueError(f"frame is {width}x{height}; it must be at least {min_side}x{min_side}")
    # numpy may give a length-1 axis any stride; such a stride is never followed, so it does not count.
    pixel_stride = frame.strides[1] if width > 1 else 1
    row_stride = frame.strides[0] if height > 1 else width
    if pixel_stride != 1 or row_stride < width:
        raise ValueError("frame columns must be contiguous (row stride >= width, pixel stride 1)")
    return ffi.cast("const uint8_t *", frame.__array_interface__["data"][0]), width, height, row_stride
