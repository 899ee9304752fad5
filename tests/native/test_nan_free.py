"""No analyzer ever returns NaN or infinity: flat, extreme, tiny and random frames give finite numbers."""

import dataclasses
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from native.face import FaceBox, FaceQuality
from native.fingerprint import FingerQuality, SlapSegmenter
from native.image_stats import ExposureMeter
from native.iris import IrisQuality
from native.motion import MotionMeter
from native.sharpness import SharpnessMeter


def finite(value: object) -> bool:
    """Every number inside a result (dataclasses, tuples, dicts, lists) is finite."""
    if dataclasses.is_dataclass(value):
        return finite(dataclasses.asdict(value))
    if isinstance(value, dict):
        return all(finite(v) for v in value.values())
    if isinstance(value, list | tuple):
        return all(finite(v) for v in value)
    if isinstance(value, float):
        return math.isfinite(value)
    return True


def frames(min_side: int):
    """Random, flat-black, flat-white and two-level frames of random size."""
    shapes = st.tuples(st.integers(min_side, 80), st.integers(min_side, 80))
    return st.one_of(
        hnp.arrays(np.uint8, shapes),
        shapes.map(lambda s: np.zeros(s, np.uint8)),
        shapes.map(lambda s: np.full(s, 255, np.uint8)),
        shapes.map(lambda s: (np.indices(s).sum(axis=0) % 2 * 255).astype(np.uint8)),
    )


@settings(max_examples=60, deadline=None)
@given(frames(3))
def test_grey_kernels(frame):
    assert finite(ExposureMeter().measure(frame))
    assert finite(SharpnessMeter().measure(frame))
    assert finite(MotionMeter().compare(frame, frame[::-1].copy()))


@settings(max_examples=40, deadline=None)
@given(frames(32))
def test_iris_and_finger(frame):
    assert finite(IrisQuality().measure(frame))
    assert finite(FingerQuality().measure(frame))
    assert finite(SlapSegmenter().segment(frame))


@pytest.mark.parametrize("value", [0, 255])
def test_face_on_flat_frames(value):
    frame = np.full((120, 160, 3), value, np.uint8)
    quality = FaceQuality()
    assert finite(quality.measure(frame))
    assert finite(quality.measure(frame, box=FaceBox(40, 30, 60, 60)))
    assert finite(quality.measure(frame, box=FaceBox(0, 0, 160, 120)))
