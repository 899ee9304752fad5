"""The iris score's contrast checks follow ISO/IEC 29794-6's definitions and recommended minimums (native/iris.py)."""

import dataclasses

import cv2
import numpy as np
import pytest

from native import samples
from native.iris import (
    MIN_IRIS_PUPIL,
    MIN_IRIS_SCLERA,
    PUPIL_RATIO,
    IrisQuality,
    iris_pupil_contrast,
    iris_sclera_contrast,
    score_iris,
)

QUALITY = IrisQuality()
EYE = cv2.imread(str(samples.IRIS), cv2.IMREAD_GRAYSCALE)


def with_greys(sclera: float, iris: float, pupil: float):
    return dataclasses.replace(QUALITY.metrics(EYE), sclera_grey=sclera, iris_grey=iris, pupil_grey=pupil)


def test_the_iso_formulas():
    m = with_greys(170.0, 130.0, 40.0)
    assert iris_sclera_contrast(m) == pytest.approx(100 * 40 / 220)  # (S - I) / (S + I - 2P)
    weber = (130 - 40) / (20 + 40)
    assert iris_pupil_contrast(m) == pytest.approx(100 * weber / (0.75 + weber))
    assert iris_sclera_contrast(with_greys(120.0, 130.0, 40.0)) == 0.0  # a sclera darker than the iris
    assert iris_pupil_contrast(with_greys(170.0, 30.0, 40.0)) == 0.0  # a pupil brighter than the iris
    assert iris_sclera_contrast(with_greys(40.0, 40.0, 40.0)) == 0.0  # no range at all


@pytest.mark.parametrize(("greys", "full"), [
    ((170.0, 130.0, 40.0), True),  # well above both minimums
    ((182.0, 170.0, 60.0), True),  # iris-sclera 5.2: just above ISO's > 5
    ((176.0, 170.0, 60.0), False),  # 2.7: under it
])
def test_iris_sclera_contrast_is_judged_at_isos_minimum(greys, full):
    m = with_greys(*greys)
    report = score_iris(m, EYE.shape[1], EYE.shape[0])
    assert (report.factors["iris_contrast"] == 1.0) is full
    assert ("IRIS_LOW_CONTRAST" not in report.problems) is full
    assert (iris_sclera_contrast(m) > MIN_IRIS_SCLERA) is full


def test_a_washed_out_eye_is_refused_for_contrast():
    washed = np.clip(128 + (EYE.astype(float) - 128) * 0.3, 0, 255).astype(np.uint8)
    report = QUALITY.measure(washed)
    assert report.score < 60 and "IRIS_LOW_CONTRAST" in report.problems
    assert iris_pupil_contrast(report.metrics) < MIN_IRIS_PUPIL


@pytest.mark.parametrize(("lateral", "refused"), [(-1.0, False), (0.0, True), (4.9, True), (5.0, False), (30.0, False)])
def test_a_limbus_without_sclera_beside_it_is_refused(lateral, refused):
    """limbus_contrast: the ISO iris-sclera contrast across the limbus on its sides; under 5 the score is 0 with
    IRIS_LIMBUS_UNCLEAR; -1 (the sides out of the frame) is not judged."""
    m = dataclasses.replace(QUALITY.metrics(EYE), limbus_contrast=lateral)
    report = score_iris(m, EYE.shape[1], EYE.shape[0])
    assert ("IRIS_LIMBUS_UNCLEAR" in report.problems) is refused
    assert (report.score == 0) is refused and (report.score >= 90) is not refused


@pytest.mark.parametrize(("ratio", "code"), [
    (0.15, "PUPIL_CONSTRICTED"), (0.19, "PUPIL_CONSTRICTED"),  # under ISO's recommended 20: too small
    (0.20, None), (0.42, None), (0.65, None), (0.70, None),  # inside 20-70 (0.6-0.7 used to be scored down)
    (0.71, "PUPIL_DILATION"), (0.78, "PUPIL_DILATION"),  # over 70: too wide
])
def test_the_pupil_iris_ratio_is_judged_on_isos_recommended_range(ratio, code):
    """ISO/IEC 29794-6 recommends a pupil/iris ratio between 20 and 70: inside it the ratio costs nothing, outside
    it the capture is refused (score under 60, as for the usable area) with the code that says which way."""
    m = QUALITY.metrics(EYE)
    assert score_iris(m, EYE.shape[1], EYE.shape[0]).problems == ()  # the sample passes as it is
    report = score_iris(dataclasses.replace(m, pupil_radius=ratio * m.iris_radius), EYE.shape[1], EYE.shape[0])
    if code is None:
        assert report.problems == () and report.score == 100
    else:
        assert report.problems == (code,) and report.score <= 50
    assert (PUPIL_RATIO[0] <= ratio <= PUPIL_RATIO[1]) is (code is None)


def test_problems_come_worst_first_and_an_area_refusals_cause_before_its_shortfall():
    """The kiosk shows two lines: the check that cost most leads, and an area refusal's cause (what to do) comes
    before the shortfall it explains, so it is not the hidden third line behind IRIS_TOO_SMALL."""
    m = dataclasses.replace(QUALITY.metrics(EYE), iris_diameter=110.0, usable_fraction=0.6, occluded_fraction=0.35,
                            specular_fraction=0.05)
    report = score_iris(m, EYE.shape[1], EYE.shape[0])
    assert report.factors["diameter"] < report.factors["usable_area"] < 1.0
    assert report.problems == ("IRIS_TOO_SMALL", "IRIS_OCCLUDED", "IRIS_USABLE_AREA_LOW")
    alone = score_iris(dataclasses.replace(m, iris_diameter=160.0), EYE.shape[1], EYE.shape[0])
    assert alone.problems == ("IRIS_OCCLUDED", "IRIS_USABLE_AREA_LOW")
    both = score_iris(dataclasses.replace(alone.metrics, usable_fraction=0.3, occluded_fraction=0.16,
                                          specular_fraction=0.54), EYE.shape[1], EYE.shape[0])
    assert both.problems == ("IRIS_REFLECTION", "IRIS_OCCLUDED", "IRIS_USABLE_AREA_LOW")  # the larger cause first
