"""The exposure kernel (C through cffi) agrees with a numpy reference, on crops too, and refuses bad frames."""

import cv2
import numpy as np
import pytest
from hypothesis import given
from hypothesis.extra import numpy as hnp

from native import samples
from native.image_stats import ExposureMeter

METER = ExposureMeter()


def reference(frame: np.ndarray) -> tuple:
    """The numpy way: what the C kernel must reproduce."""
    f = frame.astype(np.float64)
    return (f.mean(), f.std(), int(frame.min()), int(frame.max()), float((frame <= 5).mean()),
            float((frame >= 250).mean()))


def agree(frame: np.ndarray) -> None:
    s = METER.measure(frame)
    ref = reference(frame)
    assert s.mean == pytest.approx(ref[0], rel=1e-9, abs=1e-9)
    assert s.stddev == pytest.approx(ref[1], rel=1e-6, abs=1e-6)
    assert (s.min, s.max) == ref[2:4]
    assert (s.dark_fraction, s.bright_fraction) == pytest.approx(ref[4:], abs=1e-12)


@pytest.mark.parametrize("shape", [(1, 1), (1, 7), (7, 1), (3, 5), (479, 641), (1080, 1920)])
def test_random_frames_of_odd_sizes(shape):
    agree(np.random.default_rng(sum(shape)).integers(0, 256, shape, dtype=np.uint8))


def test_crop_with_row_stride():
    big = np.random.default_rng(1).integers(0, 256, (400, 500), dtype=np.uint8)
    crop = big[10:200, 33:301]
    assert not crop.flags.c_contiguous
    agree(crop)


@pytest.mark.parametrize("path", [samples.FACE, *samples.FINGERPRINTS, samples.IRIS], ids=lambda p: p.name)
def test_sample_images(path):
    agree(cv2.imread(str(path), cv2.IMREAD_GRAYSCALE))


@pytest.mark.parametrize("value", [0, 5, 128, 250, 255])
def test_constant_frames(value):
    frame = np.full((33, 17), value, np.uint8)
    agree(frame)
    assert METER.measure(frame).stddev == 0.0


@pytest.mark.parametrize("frame", [
    np.zeros((4, 4), np.float32), np.zeros((4, 4), np.int16), np.zeros((4, 4, 3), np.uint8),
    np.zeros((0, 5), np.uint8), np.zeros((5, 0), np.uint8), np.zeros((4, 8), np.uint8)[:, ::2],
    np.asfortranarray(np.zeros((4, 8), np.uint8)), [[1, 2], [3, 4]],
], ids=["float", "int16", "colour", "no-rows", "no-cols", "strided-cols", "fortran", "list"])
def test_bad_frames_raise_value_error(frame):
    with pytest.raises(ValueError):
        METER.measure(frame)


@given(hnp.arrays(np.uint8, hnp.array_shapes(min_dims=2, max_dims=2, min_side=1, max_side=64)))
def test_property_agrees_with_reference(frame):
    agree(frame)
