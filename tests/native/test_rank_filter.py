"""The square min/max filter (native/rank_filter.c) agrees with OpenCV's erode and dilate, exactly.

OpenCV's default border for erode/dilate ignores what lies outside the frame, which for a min or max is what the
kernel's clipped window (a replicated border) gives."""

import cv2
import numpy as np
import pytest

from native._native import ffi, lib
from native.frames import grey_frame_pointer


def rank(frame: np.ndarray, q: int, is_max: bool, threshold: int = -1) -> np.ndarray:
    ptr, width, height, stride = grey_frame_pointer(frame, min_side=1)
    out = np.empty((height, width), np.uint8)
    tall = ffi.new("uint8_t[]", lib.rank_square_tall_size(width, height, q))
    pad = ffi.new("uint8_t[]", lib.rank_square_pad_size(width, q))
    assert lib.rank_square(ptr, stride, threshold, ffi.from_buffer("uint8_t[]", out), width, height, q, int(is_max),
                           tall, pad) == 0
    return out


def reference(frame: np.ndarray, q: int, is_max: bool, threshold: int = -1) -> np.ndarray:
    src = frame if threshold < 0 else np.where(frame >= threshold, 255, 0).astype(np.uint8)
    square = np.ones((2 * q + 1, 2 * q + 1), np.uint8)
    return (cv2.dilate if is_max else cv2.erode)(src, square)


FRAMES = {
    "noise": np.random.default_rng(0).integers(0, 256, (97, 131), np.uint8),
    "one row": np.random.default_rng(1).integers(0, 256, (1, 57), np.uint8),
    "one column": np.random.default_rng(2).integers(0, 256, (40, 1), np.uint8),
    "tiny": np.array([[9]], np.uint8),
    "crop": np.random.default_rng(3).integers(0, 256, (120, 160), np.uint8)[7:101, 13:150],
}


@pytest.mark.parametrize("name", FRAMES)
@pytest.mark.parametrize("q", [0, 1, 2, 3, 5, 10, 21, 64])
@pytest.mark.parametrize("is_max", [False, True])
def test_agrees_with_erode_and_dilate(name, q, is_max):
    frame = FRAMES[name]
    np.testing.assert_array_equal(rank(frame, q, is_max), reference(frame, q, is_max))


@pytest.mark.parametrize("q", [1, 6])
def test_a_mask_read_from_the_frame_agrees(q):
    frame = FRAMES["noise"]
    np.testing.assert_array_equal(rank(frame, q, True, threshold=240), reference(frame, q, True, threshold=240))


def test_in_place_on_a_packed_frame():
    frame = FRAMES["noise"].copy()
    expected = reference(frame, 4, False)
    ptr = ffi.from_buffer("uint8_t[]", frame)
    h, w = frame.shape
    tall = ffi.new("uint8_t[]", lib.rank_square_tall_size(w, h, 4))
    pad = ffi.new("uint8_t[]", lib.rank_square_pad_size(w, 4))
    assert lib.rank_square(ptr, w, -1, ptr, w, h, 4, 0, tall, pad) == 0
    np.testing.assert_array_equal(frame, expected)


def test_bad_arguments_are_refused():
    frame = FRAMES["noise"]
    h, w = frame.shape
    buf = ffi.from_buffer("uint8_t[]", frame)
    tall = ffi.new("uint8_t[]", lib.rank_square_tall_size(w, h, 2))
    pad = ffi.new("uint8_t[]", lib.rank_square_pad_size(w, 2))
    out = ffi.new("uint8_t[]", w * h)
    assert lib.rank_square(ffi.NULL, w, -1, out, w, h, 2, 0, tall, pad) == -1
    assert lib.rank_square(buf, w - 1, -1, out, w, h, 2, 0, tall, pad) == -1
    assert lib.rank_square(buf, w, -1, out, 0, h, 2, 0, tall, pad) == -1
    assert lib.rank_square(buf, w, -1, out, w, h, -1, 0, tall, pad) == -1
