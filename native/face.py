"""Face quality: detection (OpenCV Haar cascades), the C metrics inside the face box and the background band,
and a documented 0-100 score with the reasons behind it.

The score is our own approximation of a portrait-capture gate (ICAO-style checks that a kiosk can run live),
not an ISO/IEC 29794-5 face quality measure. It is 100 x the product of per-check factors in 0..1, so one
failing check pulls the whole score down and the factors say which check it was:

- one face: no face or more than one face gives score 0 (FACE_NONE / FACE_MULTIPLE);
- size: face box width from 12 % (factor 0) to 22 % (factor 1) of the frame width (FACE_TOO_SMALL);
- centred: box centre within 10 % of the frame width from the middle (1), falling to 0 at 30 % (FACE_OFF_CENTRE);
- sharpness: Laplacian variance in the box, on a log scale from 8 (0) to 50 (1) (FACE_BLURRED);
- exposure: mean grey in the box 80..190 (1), falling to 0 at 30 and 240; and clipped pixels (<= 5 or >= 250)
  up to 2 % (1) falling to 0 at 20 % (FACE_TOO_DARK / FACE_TOO_BRIGHT);
- eyes: both eyes found by the eye cascade in the upper face (1), otherwise 0.5 (EYES_NOT_FOUND; closed eyes
  and glasses glare are the usual causes; an approximation, not an eye-openness measure). The eye detector
  costs more than all the other checks together, so it runs only on a candidate frame, one whose other factors
  already give a score of at least 90; on other frames `eyes` is None and the factor is left at 1;
- background: grey-level standard deviation of the band up to 12 (1) falling to 0 at 40 (BACKGROUND_NOT_UNIFORM);
  and, when a colour is required (e-KTP: red for an odd birth year, blue for an even one), the band's colour
  class must be that colour or the factor is 0 (BACKGROUND_WRONG_COLOUR).
"""

import math
from dataclasses import dataclass, field

import cv2
import numpy as np

from native._native import ffi, lib
from native.frames import grey_frame_pointer

DETECT_WIDTH = 320  # the face detector runs on the frame scaled to this width
EYE_PATCH = 128  # the upper face is scaled to this square for the eye detector
COLOUR_SHARE = 0.6  # share of band pixels of one colour for the backdrop to count as that colour
BACKGROUNDS = ("red", "blue")
EYES_CHECK_FROM = 90  # the eye detector runs only on frames that score at least this without it


@dataclass(frozen=True)
class FaceBox:
    """A face's bounding box in frame pixels."""

    x: int
    y: int
    width: int
    height: int


@dataclass(frozen=True)
class FaceMetrics:
    """What the C kernel measured inside the face box and in the background band."""

    sharpness: float
    mean: float
    stddev: float
    dark_fraction: float
    bright_fraction: float
    bg_pixels: int
    bg_mean_bgr: tuple[float, float, float]
    bg_stddev: float
    bg_red_fraction: float
    bg_blue_fraction: float


@dataclass(frozen=True)
class FaceReport:
    """One frame's verdict: the 0-100 score, the problem codes, and every component kept."""

    score: int
    problems: tuple[str, ...]
    faces: int
    box: FaceBox | None = None
    metrics: FaceMetrics | None = None
    background: str = "unknown"  # red / blue / other, or unknown when the face fills the frame
    eyes: int | None = None  # eyes found; None when the frame failed other checks first (not looked for)
    factors: dict[str, float] = field(default_factory=dict)


def ramp(value: float, zero: float, one: float) -> float:
    """0 at `zero`, 1 at `one`, linear between (either direction), clamped."""
    return min(1.0, max(0.0, (value - zero) / (one - zero)))


def background_colour(red_fraction: float, blue_fraction: float) -> str:
    """The backdrop's colour class from the shares of red and blue pixels in the band."""
    if red_fraction >= COLOUR_SHARE:
        return "red"
    if blue_fraction >= COLOUR_SHARE:
        return "blue"
    return "other"


def colour_frame_pointer(frame: np.ndarray) -> tuple[object, int, int, int]:
    """(pointer, width, height, row stride) of an H x W x 3 uint8 BGR frame with packed pixels; ValueError else."""
    if not isinstance(frame, np.ndarray) or frame.dtype != np.uint8 or frame.ndim != 3 or frame.shape[2] != 3:
        raise ValueError("expected an H x W x 3 uint8 BGR colour frame")
    height, width = frame.shape[:2]
    if height < 3 or width < 3:
        raise ValueError(f"frame is {width}x{height}; it must be at least 3x3")
    if frame.strides[2] != 1 or frame.strides[1] != 3 or frame.strides[0] < 3 * width:
        raise ValueError("frame pixels must be packed BGR (pixel stride 3, channel stride 1)")
    return ffi.cast("const uint8_t *", frame.__array_interface__["data"][0]), width, height, frame.strides[0]


class FaceQuality:
    """Scores BGR camera frames for the e-KTP portrait. Buffers are allocated once per frame size.

    `border_fraction` sets the background band's width as a share of the frame's shorter side.
    """

    def __init__(self, border_fraction: float = 0.08) -> None:
        if not 0.0 < border_fraction < 0.5:
            raise ValueError(f"border_fraction must be between 0 and 0.5 (got {border_fraction})")
        self.border_fraction = border_fraction
        cascades = cv2.data.haarcascades
        self._faces = cv2.CascadeClassifier(cascades + "haarcascade_frontalface_default.xml")
        self._eyes = cv2.CascadeClassifier(cascades + "haarcascade_eye.xml")
        if self._faces.empty() or self._eyes.empty():
            raise RuntimeError(f"OpenCV Haar cascades missing under {cascades} (opencv-python-headless < 5 ships them)")
        self._out = ffi.new("struct face_metrics *")
        self._box = ffi.new("struct face_box *")
        self._eye_patch = np.empty((EYE_PATCH, EYE_PATCH), np.uint8)
        self._shape: tuple[int, int] | None = None

    def _buffers(self, height: int, width: int) -> None:
        if self._shape != (height, width):
            self._grey = np.empty((height, width), np.uint8)
            scale = DETECT_WIDTH / width if width > DETECT_WIDTH else 1.0
            self._scale = scale
            self._small = np.empty((max(1, round(height * scale)), max(1, round(width * scale))), np.uint8)
            self._shape = (height, width)

    @property
    def grey(self) -> np.ndarray | None:
        """The grey version of the last frame measured or searched (a reused buffer), e.g. for the motion gate."""
        return self._grey if self._shape is not None else None

    def detect(self, frame: np.ndarray) -> list[FaceBox]:
        """All frontal faces in a BGR frame, in frame pixels, biggest first."""
        colour_frame_pointer(frame)
        self._buffers(*frame.shape[:2])
        cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY, dst=self._grey)
        return self._detect_grey()

    def _detect_grey(self) -> list[FaceBox]:
        small = self._grey
        if self._scale != 1.0:
            cv2.resize(self._grey, self._small.shape[::-1], dst=self._small, interpolation=cv2.INTER_AREA)
            small = self._small
        min_side = max(24, round(small.shape[1] * 0.12))
        found = self._faces.detectMultiScale(small, 1.2, 5, minSize=(min_side, min_side))
        height, width = self._grey.shape
        boxes = []
        for row in found.tolist() if len(found) else []:  # no generators here: they churn memory per frame
            x, y, w, h = [round(v / self._scale) for v in row]
            boxes.append(FaceBox(x, y, min(w, width - x), min(h, height - y)))
        boxes.sort(key=lambda b: b.width * b.height, reverse=True)
        return boxes

    def _count_eyes(self, box: FaceBox) -> int:
        upper = self._grey[box.y: box.y + box.height * 3 // 5, box.x: box.x + box.width]
        cv2.resize(upper, (EYE_PATCH, EYE_PATCH), dst=self._eye_patch, interpolation=cv2.INTER_AREA)
        eyes = self._eyes.detectMultiScale(self._eye_patch, 1.2, 5, minSize=(20, 20), maxSize=(48, 48))
        return min(2, len(eyes))

    def metrics(self, frame: np.ndarray, box: FaceBox) -> FaceMetrics:
        """The C metrics for a known face box (the grey buffer must hold this frame's grey)."""
        c_ptr, width, height, c_stride = colour_frame_pointer(frame)
        g_ptr, _, _, g_stride = grey_frame_pointer(self._grey)
        self._box.x, self._box.y, self._box.width, self._box.height = box.x, box.y, box.width, box.height
        border = max(1, round(min(width, height) * self.border_fraction))
        if lib.face_measure(g_ptr, g_stride, c_ptr, c_stride, width, height, self._box, border, self._out) != 0:
            raise ValueError(f"face box {box} does not fit a {width}x{height} frame (or is smaller than 3x3)")
        o = self._out
        return FaceMetrics(o.sharpness, o.mean, o.stddev, o.dark_fraction, o.bright_fraction, o.bg_pixels,
                           (o.bg_mean_b, o.bg_mean_g, o.bg_mean_r), o.bg_stddev, o.bg_red_fraction,
                           o.bg_blue_fraction)

    def measure(self, frame: np.ndarray, required_background: str | None = None,
                box: FaceBox | None = None) -> FaceReport:
        """Detect (unless `box` is given), measure and score one BGR frame.

        `required_background` is "red", "blue" or None (colour not checked). Raises ValueError for a frame that
        is not H x W x 3 uint8 with packed pixels, or smaller than 3x3.
        """
        if required_background not in (None, *BACKGROUNDS):
            raise ValueError(f"required_background must be one of {BACKGROUNDS} or None (got {required_background!r})")
        colour_frame_pointer(frame)
        self._buffers(*frame.shape[:2])
        cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY, dst=self._grey)
        if box is None:
            boxes = self._detect_grey()
            if len(boxes) != 1:
                return FaceReport(0, ("FACE_NONE",) if not boxes else ("FACE_MULTIPLE",), len(boxes))
            box = boxes[0]
        m = self.metrics(frame, box)
        colour = background_colour(m.bg_red_fraction, m.bg_blue_fraction) if m.bg_pixels else "unknown"
        report = score_face(frame.shape[1], box, m, None, colour, required_background)
        if report.score >= EYES_CHECK_FROM:  # a candidate frame: now pay for the eye detector
            report = score_face(frame.shape[1], box, m, self._count_eyes(box), colour, required_background)
        return report


ID_PHOTO_ASPECT = 3 / 4  # e-KTP photo, width : height
FACE_SHARE_OF_PHOTO = 0.5  # the detector's face box is about half the photo's height (hair above, shoulders below)


def id_photo_box(box: FaceBox, width: int, height: int) -> FaceBox:
    """The ID-photo crop around a face box: 3:4, the face box half its height, centred on the face, a little
    more room above (hair) than below; shifted to stay inside the frame, shrunk (same aspect) if it cannot."""
    crop_h = min(round(box.height / FACE_SHARE_OF_PHOTO), height, round(width / ID_PHOTO_ASPECT))
    crop_w = round(crop_h * ID_PHOTO_ASPECT)
    x = round(box.x + box.width / 2 - crop_w / 2)
    y = round(box.y - (crop_h - box.height) * 0.55)
    x = min(max(0, x), width - crop_w)
    y = min(max(0, y), height - crop_h)
    return FaceBox(x, y, crop_w, crop_h)


def crop_id_photo(frame: np.ndarray, box: FaceBox) -> np.ndarray:
    """A copy of the ID-photo region of a BGR frame around a face box (see id_photo_box)."""
    colour_frame_pointer(frame)
    crop = id_photo_box(box, frame.shape[1], frame.shape[0])
    return frame[crop.y:crop.y + crop.height, crop.x:crop.x + crop.width].copy()


def score_face(frame_width: int, box: FaceBox, m: FaceMetrics, eyes: int | None, colour: str,
               required_background: str | None) -> FaceReport:
    """Turn one face's measurements into the documented 0-100 score and its problem codes."""
    offset = abs(box.x + box.width / 2 - frame_width / 2) / frame_width
    clipped = m.dark_fraction + m.bright_fraction
    factors = {
        "size": ramp(box.width / frame_width, 0.12, 0.22),
        "centred": ramp(offset, 0.30, 0.10),
        "sharpness": ramp(math.log(max(m.sharpness, 1e-9)), math.log(8.0), math.log(50.0)),
        "brightness": min(ramp(m.mean, 30, 80), ramp(m.mean, 240, 190)),
        "clipping": ramp(clipped, 0.20, 0.02),
        "eyes": 1.0 if eyes is None or eyes >= 2 else 0.5,
        "background_uniform": ramp(m.bg_stddev, 40.0, 12.0) if m.bg_pixels else 1.0,
        "background_colour": 0.0 if required_background and colour != required_background else 1.0,
    }
    problems = [code for code, name in [("FACE_TOO_SMALL", "size"), ("FACE_OFF_CENTRE", "centred"),
                                        ("FACE_BLURRED", "sharpness"), ("EYES_NOT_FOUND", "eyes"),
                                        ("BACKGROUND_NOT_UNIFORM", "background_uniform"),
                                        ("BACKGROUND_WRONG_COLOUR", "background_colour")] if factors[name] < 1.0]
    if factors["brightness"] < 1.0 or factors["clipping"] < 1.0:
        problems.append("FACE_TOO_DARK" if m.mean < 128 else "FACE_TOO_BRIGHT")
    score = round(100.0 * math.prod(factors.values()))
    return FaceReport(score, tuple(problems), 1, box, m, colour, eyes, factors)
