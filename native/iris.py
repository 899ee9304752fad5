"""Iris quality: the C localisation and metrics of a near-infrared eye image, and a documented 0-100 score.

The score is our own approximation of the ISO/IEC 29794-6 checks a live capture can afford, not a certified
iris quality measure. It is 100 x the product of per-check factors in 0..1:

- found: no pupil circle, or no limbus circle around it, gives score 0 (IRIS_NOT_FOUND; with IRIS_REFLECTION when
  a pupil was found and reflections cover at least 15 % of where its iris would be, out to 2.5 pupil radii);
- limbus: the limbus must have sclera beside it on its sides (ISO/IEC 29794-6 iris-sclera contrast >= 5 on the rays
  within 45 degrees of horizontal, where lids seldom reach); when neither the circle nor a ring beyond it does, the
  score is 0 (IRIS_LIMBUS_UNCLEAR: mostly lids and lashes that cut a circle inside the iris, an eye half closed;
  also a light iris beside a grey sclera). Not judged (limbus_contrast -1) when the sides leave the frame;
- iris diameter from 100 px (0) to 150 px (1) (IRIS_TOO_SMALL; ISO asks >= 150, accepts >= 120);
- pupil/iris radius ratio inside ISO/IEC 29794-6's recommended 0.20-0.70 (as NIST's BIQT-Iris reports it): a
  refusal outside, like the usable area (factor <= 0.5, down to 0 at 0.10 and 0.80): PUPIL_DILATION above (too
  wide: more light), PUPIL_CONSTRICTED below (too small: less light on the eye). The factor used to fall from
  0.6, stricter than ISO;
- contrast as ISO/IEC 29794-6 defines it, full at its recommended minimum and 0 at half of it (IRIS_LOW_CONTRAST):
  iris-sclera contrast 100 (S - I) / (S + I - 2 P) from 2.5 (0) to 5 (1), iris-pupil contrast 100 w / (0.75 + w),
  w = (I - P) / (20 + P) (a Weber ratio), from 15 (0) to 30 (1); S, I, P the sclera, iris and pupil greys the
  kernel measured along its rays (ISO takes medians over the regions). Recommended values as ISO/IEC 29794-6
  gives them (> 5 and >= 30; the same in NIST's BIQT-Iris, which implements the standard);
- sharpness: Laplacian variance over the usable annulus pixels (reflections and lids left out: their edges are not
  iris focus) on a log scale from 10 (0) to 60 (1) (IRIS_BLURRED);
- usable iris area (the annulus between the pupil and limbus circles minus reflections, eyelids, lashes and what
  lies outside the frame; ISO/IEC 29794-6 asks for >= 70 %): a refusal, not a slope: below 0.70 the factor is at
  most 0.5, so the score is at most 50, under any capture threshold >= 51 (the station's is 60), with
  IRIS_USABLE_AREA_LOW and the main cause, IRIS_OCCLUDED (lids, lashes, off-frame) or IRIS_REFLECTION
  (specular highlights);
- margin: the distance from the pupil centre to the nearest frame edge, in iris radii, from 0.9 (0) to 1.1 (1)
  (IRIS_AT_EDGE).
"""

import math
from dataclasses import dataclass, field

import numpy as np

from native._native import ffi, lib
from native.face import ramp
from native.frames import grey_frame_pointer

MIN_SIDE = 32
MIN_USABLE = 0.70  # ISO/IEC 29794-6 usable iris area: at least 70 % of the iris annulus
PUPIL_RATIO = (0.20, 0.70)  # ISO/IEC 29794-6 recommended pupil/iris ratio (20-70 as a percentage)
AREA_CAUSE_SHARE = (1.0 - MIN_USABLE) / 2.0  # one cause taking half the 30 % allowance is named on its own
MIN_IRIS_SCLERA = 5.0  # ISO/IEC 29794-6 iris-sclera contrast: recommended > 5
MIN_IRIS_PUPIL = 30.0  # ISO/IEC 29794-6 iris-pupil contrast: recommended >= 30


@dataclass(frozen=True, slots=True)
class IrisMetrics:
    """What the C kernel measured (see native/iris.h for each field): the pupil and limbus circles, greys, shares."""

    found: bool
    dark_threshold: int
    pupil_x: float
    pupil_y: float
    pupil_radius: float
    iris_x: float
    iris_y: float
    iris_radius: float
    iris_diameter: float
    pupil_inliers: int
    limbus_edges: int
    limbus_inliers: int
    pupil_grey: float
    iris_grey: float
    sclera_grey: float
    pupil_contrast: float
    iris_contrast: float
    annulus_sharpness: float
    specular_fraction: float
    occluded_fraction: float
    usable_fraction: float
    limbus_contrast: float


@dataclass(frozen=True)
class IrisReport:
    """One frame's verdict: the 0-100 score, the problem codes (worst first: the kiosk shows two lines, so the
    check that cost the most leads; a usable-area refusal's cause comes before its shortfall, as the cause says
    what to do), and every component kept."""

    score: int
    problems: tuple[str, ...]
    metrics: IrisMetrics
    factors: dict[str, float] = field(default_factory=dict)


FIELDS = tuple(IrisMetrics.__dataclass_fields__)


class IrisQuality:
    """Scores 8-bit grey near-infrared eye frames; workspaces are allocated once per frame size."""

    def __init__(self) -> None:
        self._out = ffi.new("struct iris_metrics *")
        self._size: tuple[int, int] | None = None

    def metrics(self, frame: np.ndarray) -> IrisMetrics:
        """Localise the pupil and iris and measure them; ValueError for a wrong dtype, shape, layout or < 32x32."""
        ptr, width, height, stride = grey_frame_pointer(frame, min_side=MIN_SIDE)
        if self._size != (width, height):
            self._integral = ffi.new("int32_t[]", lib.iris_integral_size(width, height))
            self._profile = ffi.new("double[]", lib.iris_profile_size(width, height))
            self._scratch = ffi.new("uint8_t[]", lib.iris_scratch_size(width, height))
            self._size = (width, height)
        if lib.iris_measure(ptr, width, height, stride, self._integral, self._profile, self._scratch,
                             self._out) != 0:
            raise ValueError("iris_measure rejected the frame")
        o = self._out
        return IrisMetrics(bool(o.found), o.dark_threshold, o.pupil_x, o.pupil_y, o.pupil_radius, o.iris_x, o.iris_y,
                           o.iris_radius, o.iris_diameter, o.pupil_inliers, o.limbus_edges, o.limbus_inliers,
                           o.pupil_grey, o.iris_grey, o.sclera_grey, o.pupil_contrast, o.iris_contrast,
                           o.annulus_sharpness, o.specular_fraction, o.occluded_fraction, o.usable_fraction,
                           o.limbus_contrast)

    def measure(self, frame: np.ndarray) -> IrisReport:
        """Measure and score one eye frame."""
        m = self.metrics(frame)
        if not m.found:
            return IrisReport(0, not_found_problems(m), m)
        return score_iris(m, frame.shape[1], frame.shape[0])


def not_found_problems(m: IrisMetrics) -> tuple[str, ...]:
    """Why no iris: IRIS_NOT_FOUND, and IRIS_REFLECTION too when the kernel found a pupil but reflections cover
    as much of where its iris would be as would alone refuse a found one (half the 30 % allowance): then glasses
    or a lamp hid the limbus, and moving the camera alone will not help."""
    if m.pupil_radius > 0 and m.specular_fraction >= AREA_CAUSE_SHARE:
        return ("IRIS_NOT_FOUND", "IRIS_REFLECTION")
    return ("IRIS_NOT_FOUND",)


def iris_sclera_contrast(m: IrisMetrics) -> float:
    """ISO/IEC 29794-6 iris-sclera contrast, 0-100, from the kernel's zone greys (0 when it cannot be formed)."""
    span = m.sclera_grey + m.iris_grey - 2.0 * m.pupil_grey
    return max(0.0, 100.0 * (m.sclera_grey - m.iris_grey) / span) if span > 0 else 0.0


def iris_pupil_contrast(m: IrisMetrics) -> float:
    """ISO/IEC 29794-6 iris-pupil contrast, 0-100: the Weber ratio w = (iris - pupil) / (20 + pupil) as
    100 w / (0.75 + w)."""
    weber = (m.iris_grey - m.pupil_grey) / (20.0 + m.pupil_grey)
    return max(0.0, 100.0 * weber / (0.75 + weber)) if weber > 0 else 0.0


def score_iris(m: IrisMetrics, width: int, height: int) -> IrisReport:
    """Turn the metrics of a found iris into the documented 0-100 score and its problem codes."""
    ratio = m.pupil_radius / m.iris_radius if m.iris_radius else 1.0
    margin = min(m.pupil_x, m.pupil_y, width - 1 - m.pupil_x, height - 1 - m.pupil_y) / max(m.iris_radius, 1)
    factors = {
        "diameter": ramp(m.iris_diameter, 100, 150),
        "dilation": 1.0 if ratio <= PUPIL_RATIO[1] else 0.5 * ramp(ratio, PUPIL_RATIO[1] + 0.1, PUPIL_RATIO[1]),
        "constriction": 1.0 if ratio >= PUPIL_RATIO[0] else 0.5 * ramp(ratio, PUPIL_RATIO[0] - 0.1, PUPIL_RATIO[0]),
        "pupil_contrast": ramp(iris_pupil_contrast(m), MIN_IRIS_PUPIL / 2, MIN_IRIS_PUPIL),
        "iris_contrast": ramp(iris_sclera_contrast(m), MIN_IRIS_SCLERA / 2, MIN_IRIS_SCLERA),
        "sharpness": ramp(math.log(max(m.annulus_sharpness, 1e-9)), math.log(10.0), math.log(60.0)),
        "usable_area": 1.0 if m.usable_fraction >= MIN_USABLE else 0.5 * ramp(m.usable_fraction, 0.3, MIN_USABLE),
        "margin": ramp(margin, 0.9, 1.1),
        "limbus": 0.0 if 0.0 <= m.limbus_contrast < MIN_IRIS_SCLERA else 1.0,  # = MIN_LATERAL (tested)
    }
    codes = [("IRIS_TOO_SMALL", "diameter"), ("PUPIL_DILATION", "dilation"), ("PUPIL_CONSTRICTED", "constriction"),
             ("IRIS_LOW_CONTRAST", "pupil_contrast"),
             ("IRIS_LOW_CONTRAST", "iris_contrast"), ("IRIS_BLURRED", "sharpness"),
             ("IRIS_USABLE_AREA_LOW", "usable_area"), ("IRIS_AT_EDGE", "margin"), ("IRIS_LIMBUS_UNCLEAR", "limbus")]
    # worst first (the lowest factor; ties in the list's order): the kiosk shows the first two lines
    problems = [code for _, _, code in sorted((factors[name], i, code) for i, (code, name) in enumerate(codes)
                                              if factors[name] < 1.0)]
    if factors["usable_area"] < 1.0:  # the cause, which says what to do, before the shortfall it explains
        problems[problems.index("IRIS_USABLE_AREA_LOW"):0] = _area_causes(m)
    return IrisReport(round(100.0 * math.prod(factors.values())), tuple(dict.fromkeys(problems)), m, factors)


def _area_causes(m: IrisMetrics) -> list[str]:
    """What took the usable area: each cause that alone takes half the 30 % allowance, else the larger one; the
    larger first (as the problems are: worst first).

    The operator's remedy differs: reflections (IRIS_REFLECTION: glasses, lighting) or lids, lashes and a
    partly off-frame eye (IRIS_OCCLUDED: open wider, re-centre)."""
    shares = sorted(((m.occluded_fraction, "IRIS_OCCLUDED"), (m.specular_fraction, "IRIS_REFLECTION")), reverse=True)
    return [code for part, code in shares if part >= AREA_CAUSE_SHARE] or [shares[0][1]]
