"""Issue 18: non-finger patterns (gratings of any period and angle, one masked to a fingertip's outline, concentric
rings, woven cloth, paper, printed text, brick, gravel) score below the finger threshold and below every usable
print of the degradation set; the pattern checks behind that agree with their numpy reference."""

import cv2
import numpy as np
import pytest

from native import samples
from native.finger_eval import NON_FINGER_KINDS, build_set, non_finger_set, reduced_contrast
from native.fingerprint import UNNATURAL, FingerQuality
from station.config import Thresholds
from tests.native.test_fingerprint import agree

SEEDS = 6  # per kind; first_seed moves past the seeds any tuning looked at
QUALITY = FingerQuality()


@pytest.fixture(scope="module")
def usable_floor() -> int:
    """The lowest score of a usable print of the degradation set (ours only: no NFIQ 2 needed)."""
    return min(QUALITY.measure(i.image).score for i in build_set() if i.usable)


@pytest.fixture(scope="module")
def non_fingers() -> list:
    return non_finger_set(SEEDS, first_seed=100)


def test_set_is_fixed_and_covers_every_kind():
    first, second = non_finger_set(2), non_finger_set(2)
    assert [i.name for i in first] == [i.name for i in second]
    assert all(np.array_equal(a.image, b.image) for a, b in zip(first, second, strict=True))
    assert {i.kind for i in first} == set(NON_FINGER_KINDS)
    assert all(not i.usable and i.image.dtype == np.uint8 and i.image.shape == (560, 416) for i in first)


@pytest.mark.parametrize("kind", NON_FINGER_KINDS)
def test_every_non_finger_is_refused(kind, non_fingers, usable_floor):
    threshold = Thresholds().finger
    scores = {i.name: QUALITY.measure(i.image).score for i in non_fingers if i.kind == kind}
    assert len(scores) == SEEDS
    assert all(s < threshold and s < usable_floor for s in scores.values()), (scores, usable_floor)


@pytest.mark.parametrize("kind", ["grating", "masked grating", "rings"])
def test_regular_patterns_are_named_unnatural(kind, non_fingers):
    """Each would score 100 (or about 50 masked) on ridge quality alone; the report says why it does not."""
    for item in (i for i in non_fingers if i.kind == kind):
        report = QUALITY.measure(item.image)
        assert report.score < 20 and UNNATURAL in report.problems and report.naturalness < 0.25, item.name


def test_what_the_operator_is_told_fits_what_is_wrong():
    """No print (an empty platen, a finger smeared by moving, ridges gone): place it again. A faint real print (a dry
    finger's light touch) is faint, never "not a finger". A grating is not a finger."""
    for item in build_set():
        if any(item.name.endswith(k) for k in ("blank platen", "heavy blur", "near-zero contrast")):
            assert QUALITY.measure(item.image).problems == ("FINGER_UNCLEAR",), item.name
    for path in samples.FINGERPRINTS:
        ridges = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
        for share in (0.15, 0.2):
            report = QUALITY.measure(reduced_contrast(ridges, share))
            assert report.problems == ("LOW_CONTRAST",), (path.name, share, report)


def test_prints_are_natural():
    for item in build_set():
        if item.usable:
            report = QUALITY.measure(item.image)
            assert report.naturalness == 1.0 and report.problems == (), item.name
            assert 5 <= report.ridge_period <= 15  # the finger band at 500 ppi


@pytest.mark.parametrize("index", range(len(NON_FINGER_KINDS)))
def test_kernel_agrees_with_reference_on_non_fingers(index):
    item = non_finger_set(1, first_seed=7)[index]
    agree(item.image)
    agree(item.image[33:401, 21:300])  # a crop: row stride > width
