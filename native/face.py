"""Face quality: faces, landmarks and head pose from `native.face_landmarks` (YuNet + MediaPipe Face Mesh), the
C metrics inside the face box and the background band (`native/face.c`), and a documented 0-100 score with the
reasons behind it.

Why landmarks: the Haar cascades this replaced missed eyes behind glasses on every frame, called a group "no
face" and knew nothing of head pose. The score is our own approximation of ICAO-style portrait checks that a
kiosk can run live, not an ISO/IEC 29794-5 measure. It is 100 x the product of per-check factors in 0..1, so one
failing check pulls the whole score down, and each factor below 1 names its problem code:

- faces: no face or more than one face (YuNet boxes at least `OTHER_FACE_SHARE` of the main face's width) gives
  score 0 (FACE_NONE / FACE_MULTIPLE);
- size: eye distance (landmark eye centres) below the minimum gives 0 (FACE_TOO_SMALL); from the minimum to the
  best distance the factor rises from 0.95 to 1. The minimum is `min_eye_distance_px` (ISO 90 px), lowered to
  `min_eye_distance_share` of the frame width for frames too narrow to give it (see `FaceLimits.required_eye_distance`);
- centred: eye-centre midpoint within 15 % of the frame width from the middle (1) falling to 0 at 35 %, the eye
  line between 15 % and 70 % of the height from the top (1) falling to 0 at 5 % / 85 %, and every landmark
  inside the frame (FACE_OFF_CENTRE);
- roll (eye line) within `max_roll_deg`, falling to 0 four degrees past it (FACE_TILTED);
- yaw and calibrated pitch within `max_yaw_deg` / `max_pitch_deg` plus `pose_allowance_deg` (the estimator's
  own spread), falling to 0 five degrees past it (FACE_TURNED); pitch is read as the landmarks' pitch plus
  `PITCH_OFFSET` (see there);
- eyes open: the less open eye's lid gap over its width from `min_eye_open` / 2 (0) to `min_eye_open` (1)
  (EYES_CLOSED);
- noise: sigma of the face box at the camera's resolution (Immerkaer's mask, robust median form), 7 (1) to 12
  (0) grey levels (FACE_NOISY);
- sharpness and exposure are measured on the face box scaled so that the eyes are `NORM_EYE_DISTANCE` px apart
  (area averaging when shrinking, which also averages noise away), so the same limits hold for any camera
  resolution and distance: sharpness (see native/face_measures.py) 0.04 (0) to 0.065 (1) (FACE_BLURRED); the 95th
  percentile grey 55 (0) to 80 (1) and the median up to 215 (1) falling to 0 at 245, clipped pixels (<= 5 or
  >= 250) up to 5 % (1) falling to 0 at 20 % (FACE_TOO_DARK / FACE_TOO_BRIGHT). The percentiles, not the mean,
  so a dark-skinned face is not "too dark", and on the averaged face, so strong noise is called noise. A scene
  too dark to judge (the backdrop band unlit and the face's 95th percentile under `DIM_HIGHLIGHT`, see there) is
  FACE_TOO_DARK whatever the face's own percentiles say: the light of the whole scene is the reference a
  brightly lit face of dark skin and a dimly lit face of light skin differ by, where the face's grey levels alone
  overlap;
- background (the C band, unchanged): grey-level standard deviation of the band up to 12 (1) falling to 0 at
  40 (BACKGROUND_NOT_UNIFORM); and, when a colour is required (e-KTP: red for an odd birth year, blue for an
  even one), the band's colour class must be that colour or the factor is 0 (BACKGROUND_WRONG_COLOUR), except in
  a scene too dark to judge, whose cloth shows no colour (FACE_TOO_DARK says to add light), and when the head
  leaves no band of backdrop in the frame at all: the student is too close to be framed (FACE_TOO_CLOSE: step
  back), not in front of the wrong cloth.

Live loop: `FaceQuality(detect_every=N)` keeps its state per camera stream: YuNet runs on a downscaled frame
every N frames (or when the face is lost), the landmarks of the previous frame give the next crop in between
(MediaPipe's tracking, as `FaceLandmarker.track`). With N > 1 the detector runs on its own thread
(native/face_stream.py): a frame does not wait for it, and is judged against a detection at most N + 2 frames
older (`detection_age`; it waits only when the detector lags further); `close()` stops that thread. `reset()`
starts a new stream. With the default N = 1 every call detects inline, which is what a single still image needs.
"""

import math
import weakref
from dataclasses import dataclass, field

import cv2
import numpy as np

from native._native import ffi, lib
from native.face_landmarks import PRESENCE, FaceLandmarker, Landmarks, Roi, roi_from_landmarks
from native.face_landmarks import FaceBox as DetectedFace
from native.face_measures import NOISE_SIDE, Scratch, face_measures, noise_sigma
from native.face_stream import StreamTracker
from native.frames import FrameError, describe_frame, grey_frame_pointer

COLOUR_SHARE = 0.6  # share of band pixels of one colour for the backdrop to count as that colour
# A scene too dark to judge: the backdrop band's brightest mean channel below the colour classes' floor (90 in
# native/face.c: a lit red or blue cloth has its own channel at 90 or more), and the face's highlights below
# DIM_HIGHLIGHT. Then the light is what is wrong (FACE_TOO_DARK), not the cloth's colour. Measured (the 38 + 80
# people of docs/architecture.md, Face quality): the backdrop's brightest channel is >= 150 at x 0.8 and <= 70 at
# x 0.35; the faces' 95th percentile is >= 105 in every portrait and <= 85 at x 0.35.
LIT_BACKDROP = 90.0
DIM_HIGHLIGHT = 100.0
BACKGROUNDS = ("red", "blue")
OTHER_FACE_SHARE = 0.25  # a second YuNet face counts when its box is at least this share of the main face's width
# Pitch calibration: on the 879 official frontal portraits of members of Congress (Hainish/congress-images-225x275
# at commit 20531e9, the development set's source) the landmarks' pitch has median -6.8 degrees (5-95 %:
# -15.2..+2.5): the canonical face model's "level" is about 7 degrees chin-up of a level studio portrait. Adding
# this offset makes such a portrait read 0.
PITCH_OFFSET = 6.8
HAIR_MARGIN = 0.15  # the band's box is the landmark box widened this share of its width on each side (hair)


@dataclass(frozen=True)
class FaceLimits:
    """The portrait limits (station.toml [capture.face]; the sources are in station/config.py's descriptions).

    Degrees and pixels. A head is refused as turned past `max_yaw_deg` / `max_pitch_deg` + `pose_allowance_deg`.
    """

    max_roll_deg: float = 8.0
    max_yaw_deg: float = 5.0
    max_pitch_deg: float = 5.0
    pose_allowance_deg: float = 12.0
    min_eye_distance_px: float = 90.0
    best_eye_distance_px: float = 120.0
    min_eye_distance_share: float = 0.10
    min_eye_open: float = 0.12

    def required_eye_distance(self, frame_width: int) -> tuple[float, float]:
        """(minimum, best) eye distance in px for a frame `frame_width` wide.

        The ISO minimum in pixels, except on a frame too narrow to give it with the head framed for the ID photo:
        there the minimum is `min_eye_distance_share` of the width (the 640 x 480 simulator, a low-resolution
        webcam), and the best distance shrinks in the same proportion.
        """
        minimum = min(self.min_eye_distance_px, self.min_eye_distance_share * frame_width)
        return minimum, self.best_eye_distance_px * minimum / self.min_eye_distance_px


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
class FacePose:
    """What the landmarks said: pose in degrees (pitch calibrated by PITCH_OFFSET), eye distance in px, the less
    open eye's openness, and the scale-normalised face measures (noise sigma and exposure in grey levels)."""

    roll: float
    yaw: float
    pitch: float
    eye_distance: float
    eye_open: float
    noise: float  # at the camera's resolution, in grey levels
    sharpness: float
    median: float
    highlight: float  # 95th-percentile grey
    clipped: float


@dataclass(frozen=True)
class FaceReport:
    """One frame's verdict: the 0-100 score, the problem codes, and every component kept."""

    score: int
    problems: tuple[str, ...]
    faces: int
    box: FaceBox | None = None
    metrics: FaceMetrics | None = None
    background: str = "unknown"  # red / blue / other, or unknown when the face fills the frame
    eyes: int | None = None  # open eyes (0-2) by the landmarks; None when no landmarks were found
    factors: dict[str, float] = field(default_factory=dict)
    pose: FacePose | None = None


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
        raise FrameError(f"expected an H x W x 3 uint8 BGR colour frame, got {describe_frame(frame)}", "frame.format")
    height, width = frame.shape[:2]
    if height < 3 or width < 3:
        raise FrameError(f"frame is {width}x{height}; it must be at least 3x3", "frame.too_small")
    if frame.strides[2] != 1 or frame.strides[1] != 3 or frame.strides[0] < 3 * width:
        raise FrameError("frame pixels must be packed BGR (pixel stride 3, channel stride 1)", "frame.layout")
    return ffi.cast("const uint8_t *", frame.__array_interface__["data"][0]), width, height, frame.strides[0]


class FaceQuality:
    """Scores BGR camera frames for the e-KTP portrait; one instance per camera stream (it tracks the face).

    `border_fraction` sets the background band's width as a share of the frame's shorter side; `limits` the
    portrait limits (station.toml [capture.face]); `detect_every` how often the face detector runs in a stream
    (1: every frame, inline, for stills; N > 1: on a worker thread, see native/face_stream.py, stopped by
    `close()` or leaving a `with` block). Models load once; not thread-safe.
    """

    def __init__(self, border_fraction: float = 0.08, limits: FaceLimits | None = None, detect_every: int = 1,
                 landmarker: FaceLandmarker | None = None) -> None:
        if not 0.0 < border_fraction < 0.5:
            raise ValueError(f"border_fraction must be between 0 and 0.5 (got {border_fraction})")
        if detect_every < 1:
            raise ValueError(f"detect_every must be at least 1 (got {detect_every})")
        self.border_fraction = border_fraction
        self.limits = limits or FaceLimits()
        self.detect_every = detect_every
        self._landmarker = landmarker or FaceLandmarker()
        self._out = ffi.new("struct face_metrics *")
        self._box = ffi.new("struct face_box *")
        self._scratch = Scratch()
        self._shape: tuple[int, int] | None = None
        self._roi: Roi | None = None
        self._since_detect = 0
        self._faces = 0
        self._stream: StreamTracker | None = None
        if detect_every > 1:
            self._stream = StreamTracker(self._landmarker, detect_every, OTHER_FACE_SHARE)
            weakref.finalize(self, self._stream.close)  # the thread ends even if close() is forgotten

    def close(self) -> None:
        """Stop the live loop's detector thread (joined). Measuring again starts it again."""
        if self._stream is not None:
            self._stream.close()

    def __enter__(self) -> "FaceQuality":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def detection_age(self) -> int:
        """Live loop (N > 1): frames between the last frame measured and the frame of the detection it was
        judged against (at most `detect_every` + face_stream.LAG_FRAMES); 0 for inline detection."""
        return self._stream.detection_age if self._stream is not None else 0

    @property
    def detector_waits(self) -> dict[str, int]:
        """Live loop (N > 1): frames that waited for the detector thread, because it lagged past the staleness
        bound ("lag") or because the frame had no usable track ("own"); empty for inline detection."""
        return dict(self._stream.waits) if self._stream is not None else {"lag": 0, "own": 0}

    def _buffers(self, height: int, width: int) -> None:
        if self._shape != (height, width):
            self._grey = np.empty((height, width), np.uint8)
            self._shape = (height, width)

    def _grey_of(self, frame: np.ndarray) -> None:
        colour_frame_pointer(frame)
        self._buffers(*frame.shape[:2])
        cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY, dst=self._grey)

    @property
    def grey(self) -> np.ndarray | None:
        """The grey version of the last frame measured or searched (a reused buffer), e.g. for the motion gate."""
        return self._grey if self._shape is not None else None

    def reset(self) -> None:
        """Forget the tracked face: the next `measure` runs the detector (a new stream or a new person)."""
        self._roi = None
        self._since_detect = 0
        self._faces = 0
        if self._stream is not None:
            self._stream.reset()

    def _faces_in(self, frame: np.ndarray) -> list[DetectedFace]:
        """YuNet's faces, largest first, without those much smaller than the main one (see OTHER_FACE_SHARE)."""
        found = sorted(self._landmarker.detect(frame), key=lambda b: b.width * b.height, reverse=True)
        return [b for b in found if b.width >= OTHER_FACE_SHARE * found[0].width]

    def detect(self, frame: np.ndarray) -> list[FaceBox]:
        """All faces in a BGR frame (YuNet boxes, clipped to the frame), in frame pixels, biggest first."""
        self._grey_of(frame)
        height, width = frame.shape[:2]
        return [clipped_box(b.x, b.y, b.x + b.width, b.y + b.height, width, height) for b in self._faces_in(frame)]

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

    def _landmarks(self, frame: np.ndarray, box: FaceBox | None) -> tuple[Landmarks | None, int]:
        """The main face's landmarks and the face count: detect, or follow the last frame's landmarks."""
        if box is not None:  # the caller says where the face is: one crop there, no detector
            roi = Roi(box.x + box.width / 2, box.y + box.height / 2, max(box.width, box.height) * 1.25, 0.0)
            found = self._landmarker.landmarks_in(frame, roi)
            return (found, 1) if found.presence >= PRESENCE else (None, 0)
        if self._stream is not None:  # the live loop: YuNet on its own thread
            return self._stream.landmarks(frame)
        if self._roi is not None and self._since_detect < self.detect_every:
            found = self._landmarker.landmarks_in(frame, self._roi)
            self._since_detect += 1
            if found.presence >= PRESENCE:
                self._roi = roi_from_landmarks(found.points)
                return found, self._faces
        faces = self._faces_in(frame)  # first frame, every detect_every frames, or the track was lost
        self._faces, self._since_detect, self._roi = len(faces), 1, None
        if not faces:
            return None, 0
        found = self._landmarker.landmarks(frame, faces[0])
        if found.presence < PRESENCE:
            return None, len(faces)
        self._roi = roi_from_landmarks(found.points)
        return found, len(faces)

    def measure(self, frame: np.ndarray, required_background: str | None = None,
                box: FaceBox | None = None) -> FaceReport:
        """Find the face (or use `box`), measure and score one BGR frame.

        `required_background` is "red", "blue" or None (colour not checked). Raises ValueError for a frame that
        is not H x W x 3 uint8 with packed pixels, or smaller than 3x3.
        """
        if required_background not in (None, *BACKGROUNDS):
            raise ValueError(f"required_background must be one of {BACKGROUNDS} or None (got {required_background!r})")
        report = self._measure(frame, required_background, box)
        if self._stream is not None and box is None:  # the live loop: ask for the next detection once this
            self._stream.ask(frame)                   # frame's verdict is out, so YuNet runs between frames
        return report

    def _measure(self, frame: np.ndarray, required_background: str | None, box: FaceBox | None) -> FaceReport:
        self._grey_of(frame)
        height, width = frame.shape[:2]
        if box is not None and (box.x < 0 or box.y < 0 or box.width < 3 or box.height < 3
                                or box.x + box.width > width or box.y + box.height > height):
            raise ValueError(f"face box {box} does not fit a {width}x{height} frame (or is smaller than 3x3)")
        found, faces = self._landmarks(frame, box)
        if faces > 1:
            return FaceReport(0, ("FACE_MULTIPLE",), faces)
        if found is None and box is None:
            return FaceReport(0, ("FACE_NONE",), faces)
        if found is None:  # a given box with no face in it: the metrics, but no score
            m = self.metrics(frame, box)
            colour = background_colour(m.bg_red_fraction, m.bg_blue_fraction) if m.bg_pixels else "unknown"
            return FaceReport(0, ("FACE_NONE",), 0, box, m, colour)
        pose = self._landmarker.pose(found)
        xs, ys = found.points[:, 0], found.points[:, 1]
        inside = bool(xs.min() >= 0 and ys.min() >= 0 and xs.max() <= width - 1 and ys.max() <= height - 1)
        face_box = box or clipped_box(float(xs.min()), float(ys.min()), float(xs.max()), float(ys.max()), width,
                                      height)
        grow = round(face_box.width * HAIR_MARGIN)  # the C band leaves out the head's columns: add the hair
        m = self.metrics(frame, clipped_box(face_box.x - grow, face_box.y, face_box.x + face_box.width + grow,
                                            face_box.y + face_box.height, width, height))
        crop = self._grey[face_box.y:face_box.y + face_box.height, face_box.x:face_box.x + face_box.width]
        sharpness, median, highlight, clipped = face_measures(crop, pose.eye_distance, self._scratch)
        noise = noise_sigma(crop, max(1, round(max(crop.shape) / NOISE_SIDE)), self._scratch)
        eye_open = min(pose.right_eye_open, pose.left_eye_open)
        measured = FacePose(pose.roll, pose.yaw, pose.pitch + PITCH_OFFSET, pose.eye_distance, eye_open, noise,
                            sharpness, median, highlight, clipped)
        eye_mid = ((pose.right_eye[0] + pose.left_eye[0]) / 2, (pose.right_eye[1] + pose.left_eye[1]) / 2)
        colour = background_colour(m.bg_red_fraction, m.bg_blue_fraction) if m.bg_pixels else "unknown"
        open_from = self.limits.min_eye_open
        eyes = int(pose.right_eye_open >= open_from) + int(pose.left_eye_open >= open_from)
        return score_face((width, height), face_box, m, measured, eye_mid, inside, eyes, colour, required_background,
                          self.limits)


def clipped_box(x0: float, y0: float, x1: float, y1: float, width: int, height: int) -> FaceBox:
    """The integer box of (x0, y0)-(x1, y1) clipped to a width x height frame, at least 3 x 3."""
    left = min(max(0, math.floor(x0)), width - 3)
    top = min(max(0, math.floor(y0)), height - 3)
    right = max(min(width, math.ceil(x1)), left + 3)
    bottom = max(min(height, math.ceil(y1)), top + 3)
    return FaceBox(left, top, right - left, bottom - top)


def score_face(size: tuple[int, int], box: FaceBox, m: FaceMetrics, pose: FacePose, eye_mid: tuple[float, float],
               inside: bool, eyes: int, colour: str, required_background: str | None,
               limits: FaceLimits | None = None) -> FaceReport:
    """Turn one face's measurements into the documented 0-100 score and its problem codes (module docstring)."""
    limits = limits or FaceLimits()
    width, height = size
    minimum, best = limits.required_eye_distance(width)
    offset_x = abs(eye_mid[0] - width / 2) / width
    eye_row = eye_mid[1] / height
    yaw_limit = limits.max_yaw_deg + limits.pose_allowance_deg
    pitch_limit = limits.max_pitch_deg + limits.pose_allowance_deg
    unlit = bool(m.bg_pixels) and max(m.bg_mean_bgr) < LIT_BACKDROP and pose.highlight < DIM_HIGHLIGHT
    factors = {
        "size": 0.0 if pose.eye_distance < minimum else 0.95 + 0.05 * ramp(pose.eye_distance, minimum, best),
        "centred": min(ramp(offset_x, 0.35, 0.15), ramp(eye_row, 0.05, 0.15), ramp(eye_row, 0.85, 0.70),
                       1.0 if inside else 0.0),
        "roll": ramp(abs(pose.roll), limits.max_roll_deg + 4.0, limits.max_roll_deg),
        "pose": min(ramp(abs(pose.yaw), yaw_limit + 5.0, yaw_limit), ramp(abs(pose.pitch), pitch_limit + 5.0,
                                                                            pitch_limit)),
        "eyes_open": ramp(pose.eye_open, limits.min_eye_open / 2, limits.min_eye_open),
        "noise": ramp(pose.noise, 12.0, 7.0),
        "sharpness": ramp(pose.sharpness, 0.04, 0.065),
        "brightness": 0.0 if unlit else min(ramp(pose.highlight, 55, 80), ramp(pose.median, 245, 215)),
        "clipping": ramp(pose.clipped, 0.20, 0.05),
        "background_uniform": ramp(m.bg_stddev, 40.0, 12.0) if m.bg_pixels else 1.0,
        # in an unlit scene the cloth's colour cannot be seen: the light is the problem (FACE_TOO_DARK)
        "background_colour": 0.0 if required_background and colour not in (required_background, "unknown")
        and not unlit else 1.0,
        # no band of backdrop around the head: too close to frame, whatever the cloth (required colour only)
        "framing": 0.0 if required_background and colour == "unknown" else 1.0,
    }
    problems = [code for code, name in [("FACE_TOO_SMALL", "size"), ("FACE_OFF_CENTRE", "centred"),
                                        ("FACE_TILTED", "roll"), ("FACE_TURNED", "pose"),
                                        ("EYES_CLOSED", "eyes_open"), ("FACE_NOISY", "noise"),
                                        ("FACE_BLURRED", "sharpness"),
                                        ("BACKGROUND_NOT_UNIFORM", "background_uniform"),
                                        ("BACKGROUND_WRONG_COLOUR", "background_colour"),
                                        ("FACE_TOO_CLOSE", "framing")] if factors[name] < 1.0
                and not (name == "size" and factors[name] > 0.0)]
    if factors["brightness"] < 1.0 or factors["clipping"] < 1.0:
        problems.append("FACE_TOO_DARK" if pose.median < 128 else "FACE_TOO_BRIGHT")
    score = round(100.0 * math.prod(factors.values()))
    return FaceReport(score, tuple(problems), 1, box, m, colour, eyes, factors, pose)
