"""The face crop's own measures for the face score (native/face.py): noise (Immerkaer), sharpness along the
weakest of four directions and exposure by percentiles, on the face scaled to a fixed eye distance so the same
limits hold for any camera and distance; with grow-only work buffers, so a live frame allocates nothing
frame-sized.
"""

import math

import cv2
import numpy as np

NORM_EYE_DISTANCE = 64.0  # sharpness, noise and exposure are measured with the face scaled to this eye distance
IMMERKAER = np.array([[1, -2, 1], [-2, 4, -2], [1, -2, 1]], np.float32)  # noise mask; its response is 6 sigma
# second differences along x, y and both diagonals: sharpness is the weakest direction, so a motion blur along
# any of them shows even though the other directions keep their detail
SECOND_DIFFERENCES = tuple(np.array(k, np.float32) for k in (
    [[0, 0, 0], [1, -2, 1], [0, 0, 0]], [[0, 1, 0], [0, -2, 0], [0, 1, 0]],
    [[1, 0, 0], [0, -2, 0], [0, 0, 1]], [[0, 0, 1], [0, -2, 0], [1, 0, 0]]))
SECOND_DIFFERENCE_NOISE_GAIN = 6.0  # variance of a [1, -2, 1] difference of white noise of variance 1
NOISE_SIDE = 128  # the noise median runs on about this many rows and columns of the face at most


class Scratch:
    """Grow-only work buffers, so that measuring a frame allocates nothing frame-sized: `take` returns a
    C-contiguous (h, w) view of a flat backing array that is reallocated only when a bigger one is asked for."""

    def __init__(self) -> None:
        self._backing: dict[str, np.ndarray] = {}

    def take(self, name: str, shape: tuple[int, int], dtype: type) -> np.ndarray:
        """A contiguous `shape` view of the buffer `name` (contents undefined)."""
        size = shape[0] * shape[1]
        backing = self._backing.get(name)
        if backing is None or backing.size < size or backing.dtype != dtype:
            backing = self._backing[name] = np.empty(max(size, 1), dtype)
        return backing[:size].reshape(shape)


_SCRATCH = Scratch()  # for the module-level functions called without one


def noise_sigma(grey: np.ndarray, step: int = 1, scratch: Scratch | None = None) -> float:
    """Noise standard deviation of a grey image in grey levels: Immerkaer's (1996) Laplacian-difference mask,
    whose response to white noise has 6 sigma, in its robust form (1.4826 x median absolute response, so edges
    and texture, which are sparse, count little). `step` > 1 takes the median over every step-th row and column
    of the response (the mask still sees every pixel's neighbours), to bound the cost on a large face."""
    if min(grey.shape) < 3:
        return 0.0
    scratch = scratch or _SCRATCH
    response = scratch.take("response", grey.shape, np.float32)
    cv2.filter2D(np.ascontiguousarray(grey), cv2.CV_32F, IMMERKAER, dst=response)
    picked = response[1:-1:step, 1:-1:step]
    values = scratch.take("median", picked.shape, np.float32)
    np.abs(picked, out=values)
    flat = values.reshape(-1)
    middle = flat.size // 2
    flat.partition(middle)
    return float(1.4826 * flat[middle] / 6.0)


def face_measures(grey_face: np.ndarray, eye_distance: float,
                  scratch: Scratch | None = None) -> tuple[float, float, float, float]:
    """(sharpness, median grey, 95th-percentile grey, clipped share) of a grey face crop, after scaling it so the
    eyes are NORM_EYE_DISTANCE px apart (area averaging when shrinking, which also averages the noise away).

    Sharpness is the standard deviation of the second difference along the weakest of four directions (x, y, the
    diagonals: a motion blur removes detail along one), with the noise's expected part (6 sigma^2) taken out, over
    the crop's grey standard deviation: a contrast-free measure of fine detail, so a dim face is not "blurred".
    Exposure is read from the median and the 95th percentile (the face's highlights: forehead, nose, cheeks), not
    the mean: a well-lit dark-skinned face has a low mean but still has highlights; an underexposed one has none.
    """
    scratch = scratch or _SCRATCH
    scale = NORM_EYE_DISTANCE / max(eye_distance, 1.0)
    height, width = grey_face.shape
    size = (max(3, round(width * scale)), max(3, round(height * scale)))
    small = scratch.take("small", (size[1], size[0]), np.uint8)
    cv2.resize(grey_face, size, dst=small, interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR)
    sigma = noise_sigma(small, scratch=scratch)
    second = scratch.take("second", small.shape, np.float32)
    detail = math.inf
    for kernel in SECOND_DIFFERENCES:
        cv2.filter2D(small, cv2.CV_32F, kernel, dst=second)
        std = float(cv2.meanStdDev(second[1:-1, 1:-1])[1][0, 0])
        detail = min(detail, math.sqrt(max(0.0, std * std - SECOND_DIFFERENCE_NOISE_GAIN * sigma * sigma)))
    contrast = float(cv2.meanStdDev(small)[1][0, 0])
    mask = scratch.take("mask", small.shape, np.uint8)
    cv2.threshold(small, 5, 255, cv2.THRESH_BINARY_INV, dst=mask)  # <= 5
    clipped = cv2.countNonZero(mask)
    cv2.threshold(small, 249, 255, cv2.THRESH_BINARY, dst=mask)  # >= 250
    clipped = (clipped + cv2.countNonZero(mask)) / small.size
    ordered = scratch.take("ordered", small.shape, np.uint8).reshape(-1)
    np.copyto(ordered, small.reshape(-1))
    ranks = (small.size // 2, min(small.size - 1, round(0.95 * (small.size - 1))))
    ordered.partition(ranks)
    median, highlight = float(ordered[ranks[0]]), float(ordered[ranks[1]])
    return detail / contrast if contrast > 1.0 else 0.0, median, highlight, clipped
