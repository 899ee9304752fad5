"""Image encoding for what the station stores: lossless PNG (DESIGN.md §6), done here so station/ needs no cv2."""

import numpy as np


def encode_png(image: np.ndarray) -> bytes:
    """PNG bytes of a uint8 grey (H x W) or BGR (H x W x 3) image; ValueError for anything else."""
    import cv2

    if not isinstance(image, np.ndarray) or image.dtype != np.uint8 or image.ndim not in (2, 3) or image.size == 0:
        raise ValueError("expected a non-empty uint8 grey or BGR image")
    if image.ndim == 3 and image.shape[2] != 3:
        raise ValueError(f"expected 3 channels (BGR), got {image.shape[2]}")
    ok, data = cv2.imencode(".png", image)
    if not ok:
        raise ValueError("PNG encoding failed")
    return data.tobytes()
