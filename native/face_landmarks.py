"""Face detection, 468-point face landmarks and head pose, with models that ship in `native/models/`.

Why: the Haar cascades in `native.face` miss eyes behind glasses, cannot tell "no face" from "more than one
face" reliably and know nothing of head pose. This module replaces them with two small neural models run by
OpenCV's own DNN module (no extra runtime, nothing downloaded at run time):

- **YuNet** (`face_detection_yunet_2023mar.onnx`, MIT) through `cv2.FaceDetectorYN` finds every face with a
  score. It runs on the frame scaled down to `detect_size` px on its long side, and the boxes are mapped back.
  Its five points do *not* follow a tilted head (the eye line of a face rolled 30 degrees reads about 4 degrees),
  so they only seed the landmark crop.
- **MediaPipe Face Mesh** (`face_landmark.tflite`, Apache-2.0) through `cv2.dnn.readNetFromTFLite` gives 468
  points (x, y and a relative depth z) and a face-presence score on a 192 x 192 crop. As in MediaPipe, the crop
  is a square of 1.5 x the face's size, rotated so that the eye line is level; from a detection the first crop
  uses YuNet's eye line, and, because that is wrong for a tilted head, a second pass re-crops with the eye line
  of the first pass's landmarks whenever the two differ by more than `RECROP_DEGREES`.
- **Pose** from the landmarks: eye centres are the means of the 16 eye-contour points of each eye; roll is the
  angle of the line between them; yaw and pitch come from a scaled orthographic Procrustes fit (Umeyama) of
  the 468 predicted 3-D points to MediaPipe's canonical face model (`canonical_face_model.obj`, Apache-2.0),
  which is what MediaPipe's own face-geometry module does (it uses a perspective camera; at portrait distance
  the difference is small). Measured on the sample portrait: roll within about 1 degree of the truth over
  -30..+30 degrees of synthetic rotation; yaw and pitch change by less than ~2 degrees under rotation, scaling
  and shifting, and yaw changes sign under a mirror image. There is no ground truth for yaw and pitch here, so
  their absolute accuracy is that of the model (MediaPipe quotes none); treat them as estimates good to a few
  degrees, enough to refuse a clearly turned head. Pitch has an offset: on 879 frontal official portraits of
  members of Congress (225 x 275, the development set's source) the median pitch is -6.8 degrees (5-95 %:
  -15..+2.5) and the median yaw -1.4 degrees, so the canonical model's "level" is about 7 degrees chin-up of
  a level studio portrait. Whoever sets ICAO limits on pitch must calibrate this offset first.
- **Tracking** (`track`): YuNet runs every `detect_every` frames, or when the track is lost; between those
  frames the previous frame's landmarks give the next crop (MediaPipe's face-mesh tracking). A frame then costs
  one warpAffine of a 192 x 192 crop and one landmark inference, whatever the camera resolution. Measured on
  a 2-core x86-64 build machine, 1920 x 1080 frame, OpenCV 4.14 default threads (medians): detect 5.7 ms,
  detect + landmarks 8.6 ms, landmarks only 2.5 ms, pose 0.1 ms, `track` with detect_every=10 2.6 ms a frame.

Conventions: image coordinates (x right, y down), "right eye" is the subject's right eye (on the left of the
image). Roll is positive when the image-right eye is lower (the head turns clockwise on screen); yaw is positive
when the face turns towards the image's right (the subject's left); pitch is positive when the chin goes up.
"""

import math
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from native.frames import FrameError, describe_frame

MODELS = Path(__file__).resolve().parent / "models"
YUNET_FILE = "face_detection_yunet_2023mar.onnx"
LANDMARK_FILE = "face_landmark.tflite"
CANONICAL_FILE = "canonical_face_model.obj"

DETECT_SIZE = 480  # YuNet runs on the frame scaled to at most this many pixels on its long side
DETECT_SCORE = 0.6  # YuNet boxes below this score are dropped
DETECT_NMS = 0.3
MIN_FRAME = 16  # frames with a shorter side than this hold no detectable face: no face, not an error
CROP = 192  # the landmark model's input side
ROI_SCALE = 1.5  # MediaPipe: the crop is 1.5 x the face's landmark box (square on the long side)
DETECTION_ROI_SCALE = 1.25  # YuNet's box (forehead to chin) is larger than the landmark box: 1.25 x it matches
PRESENCE = 0.5  # MediaPipe's threshold on the face-presence score
RECROP_DEGREES = 3.0  # after a detection, re-crop when the landmarks' eye line differs from YuNet's by more

# MediaPipe Face Mesh indices (the model's fixed topology). Right = the subject's right eye (image left).
RIGHT_EYE = (33, 7, 163, 144, 145, 153, 154, 155, 133, 173, 157, 158, 159, 160, 161, 246)
LEFT_EYE = (263, 249, 390, 373, 374, 380, 381, 382, 362, 398, 384, 385, 386, 387, 388, 466)
RIGHT_EYE_CORNERS, RIGHT_EYE_LIDS = (33, 133), (159, 145)  # outer/inner corner; upper/lower lid mid-points
LEFT_EYE_CORNERS, LEFT_EYE_LIDS = (263, 362), (386, 374)
NOSE_TIP, FOREHEAD, CHIN = 1, 10, 152
ROLL_KEYPOINTS = (33, 263)  # MediaPipe's rotation vector for the tracking crop: the outer eye corners


@dataclass(frozen=True)
class FaceBox:
    """One YuNet detection in frame pixels: the box, its score (0..1) and YuNet's five points.

    `points` are (right eye, left eye, nose tip, right mouth corner, left mouth corner) as (x, y); they do not
    follow a tilted head and are used only to seed the landmark crop.
    """

    x: float
    y: float
    width: float
    height: float
    score: float
    points: tuple[tuple[float, float], ...]

    @property
    def centre(self) -> tuple[float, float]:
        """The box centre (x, y)."""
        return self.x + self.width / 2, self.y + self.height / 2


@dataclass(frozen=True)
class Roi:
    """A square crop in frame pixels: centre, side and rotation (radians, the face's eye-line angle)."""

    cx: float
    cy: float
    size: float
    angle: float


@dataclass(frozen=True)
class Landmarks:
    """468 face-mesh points in frame pixels (x, y; z is relative depth in the same pixel scale, smaller = nearer
    the camera), the face-presence score (0..1) and the crop they were computed on."""

    points: np.ndarray  # (468, 3) float32
    presence: float
    roi: Roi


@dataclass(frozen=True)
class Pose:
    """What the portrait checks need from the landmarks (pixels and degrees; conventions in the module doc)."""

    right_eye: tuple[float, float]
    left_eye: tuple[float, float]
    eye_distance: float
    roll: float
    yaw: float
    pitch: float
    right_eye_open: float  # eyelid gap / eye width; about 0.25-0.35 for an open eye, below ~0.1 closed
    left_eye_open: float
    centre: tuple[float, float]  # centre of the landmarks' bounding box
    width: float  # landmarks' extent along the eye line
    height: float  # forehead (point 10) to chin (point 152)


@dataclass(frozen=True)
class Track:
    """One frame of `FaceLandmarker.track`: the tracked face's landmarks (None when no face is tracked), the
    number of faces at the last detection and whether this frame ran the detector."""

    landmarks: Landmarks | None
    faces: int
    detected: bool


def check_frame(frame: np.ndarray) -> None:
    """Raise FrameError (a ValueError) unless `frame` is an H x W x 3 uint8 BGR image (as the camera gives)."""
    if not isinstance(frame, np.ndarray) or frame.dtype != np.uint8 or frame.ndim != 3 or frame.shape[2] != 3:
        raise FrameError(f"expected an H x W x 3 uint8 BGR frame, got {describe_frame(frame)}", "frame.format")


def load_canonical(path: Path) -> np.ndarray:
    """The 468 vertices (x right, y up, z towards the viewer; centimetres) of MediaPipe's canonical face OBJ."""
    vertices = [line.split()[1:4] for line in path.read_text().splitlines() if line.startswith("v ")]
    points = np.asarray(vertices, np.float64)
    if points.shape != (468, 3):
        raise RuntimeError(f"{path} has {points.shape[0]} vertices; the face mesh needs 468")
    return points


def procrustes_rotation(source: np.ndarray, target: np.ndarray) -> np.ndarray:
    """The rotation R (3 x 3) of the similarity transform s R source + t that best fits target (Umeyama 1991)."""
    covariance = (target - target.mean(axis=0)).T @ (source - source.mean(axis=0))
    # OpenCV's SVD and determinant: numpy.linalg's error-state context leaves a small allocation behind per call
    _, u, vt = cv2.SVDecomp(covariance)
    d = np.ones(3)
    d[2] = np.sign(cv2.determinant(u @ vt)) or 1.0
    return (u * d) @ vt


def rotation_angles(rotation: np.ndarray) -> tuple[float, float]:
    """(yaw, pitch) in degrees of a head rotation in a y-up, z-towards-the-viewer frame.

    The rotation is split as Rz(roll) Ry(yaw) Rx(pitch), so a tilt in the image plane (roll) leaves yaw and
    pitch unchanged. Yaw is positive towards +x (image right), pitch positive upwards (chin up).
    """
    yaw = math.degrees(math.asin(max(-1.0, min(1.0, -float(rotation[2, 0])))))
    pitch = math.degrees(math.atan2(float(rotation[2, 1]), float(rotation[2, 2])))
    return yaw, -pitch


class FaceDetector:
    """YuNet on a frame scaled down to `detect_size` px on its long side; boxes mapped back to frame pixels.

    The two halves, `downscale` (on the caller's frame) and `detect_scaled` (on the small copy), are separate so
    the live loop can run the second on its own thread (native/face_stream.py). Not thread-safe: one instance
    per thread.
    """

    def __init__(self, detect_size: int = DETECT_SIZE, score: float = DETECT_SCORE, models: Path = MODELS) -> None:
        if not 64 <= detect_size <= 4096:
            raise ValueError(f"detect_size must be 64..4096 (got {detect_size})")
        self.detect_size, self.score, self.models = detect_size, score, models
        self._detector = cv2.FaceDetectorYN.create(str(models / YUNET_FILE), "", (320, 320), score, DETECT_NMS,
                                                   5000)
        self._small: np.ndarray | None = None
        self._detect_input: tuple[int, int] | None = None

    def twin(self) -> "FaceDetector":
        """A detector with the same settings and its own model instance (for another thread)."""
        return FaceDetector(self.detect_size, self.score, self.models)

    def downscale(self, frame_bgr: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """The frame as YuNet sees it: scaled to `detect_size` on its long side (area averaging), or copied when
        it is no larger. Written into `out` when its shape fits (no allocation), else into a new array."""
        height, width = frame_bgr.shape[:2]
        scale = min(1.0, self.detect_size / max(height, width))
        size = (max(1, round(width * scale)), max(1, round(height * scale)))
        if out is None or out.shape != (size[1], size[0], 3):
            out = np.empty((size[1], size[0], 3), np.uint8)
        if scale < 1.0:
            cv2.resize(frame_bgr, size, dst=out, interpolation=cv2.INTER_AREA)
        else:
            np.copyto(out, frame_bgr)
        return out

    def detect_scaled(self, image: np.ndarray, frame_size: tuple[int, int]) -> list[FaceBox]:
        """YuNet on `image` (a `downscale` of a frame `frame_size` = (width, height)); boxes in frame pixels,
        highest score first."""
        small_h, small_w = image.shape[:2]
        if self._detect_input != (small_w, small_h):
            self._detector.setInputSize((small_w, small_h))
            self._detect_input = (small_w, small_h)
        _, found = self._detector.detect(image)
        if found is None:
            return []
        sx, sy = frame_size[0] / small_w, frame_size[1] / small_h
        boxes = []
        for row in found.tolist():
            points = tuple([(row[4 + 2 * i] * sx, row[5 + 2 * i] * sy) for i in range(5)])  # a generator churns
            boxes.append(FaceBox(row[0] * sx, row[1] * sy, row[2] * sx, row[3] * sy, row[14], points))
        boxes.sort(key=lambda b: b.score, reverse=True)
        return boxes

    def detect(self, frame_bgr: np.ndarray) -> list[FaceBox]:
        """Every face YuNet finds in a BGR frame, in frame pixels, highest score first.

        ValueError for anything but an H x W x 3 uint8 frame; an empty list for a frame too small to hold a face.
        """
        check_frame(frame_bgr)
        height, width = frame_bgr.shape[:2]
        if min(height, width) < MIN_FRAME:
            return []
        if height <= self.detect_size and width <= self.detect_size:  # as it is: no copy
            return self.detect_scaled(np.ascontiguousarray(frame_bgr), (width, height))
        self._small = self.downscale(frame_bgr, self._small)
        return self.detect_scaled(self._small, (width, height))


class FaceLandmarker:
    """YuNet detection, Face Mesh landmarks and pose on BGR frames. Models load once; buffers are reused.

    `detect_size` is the long side YuNet runs at; `detect_every` is how often `track` re-runs the detector.
    Not thread-safe: one instance per camera loop.
    """

    def __init__(self, detect_size: int = DETECT_SIZE, detect_every: int = 10, score: float = DETECT_SCORE,
                 models: Path = MODELS) -> None:
        if not 64 <= detect_size <= 4096:
            raise ValueError(f"detect_size must be 64..4096 (got {detect_size})")
        if detect_every < 1:
            raise ValueError(f"detect_every must be at least 1 (got {detect_every})")
        self.detect_size = detect_size
        self.detect_every = detect_every
        self.detector = FaceDetector(detect_size, score, models)
        self._net = cv2.dnn.readNetFromTFLite(str(models / LANDMARK_FILE))
        self._net.setPreferableBackend(cv2.dnn.DNN_BACKEND_OPENCV)
        self._outputs = list(self._net.getUnconnectedOutLayersNames())
        self._canonical = load_canonical(models / CANONICAL_FILE)
        self._crop = np.empty((CROP, CROP, 3), np.uint8)
        self._rgb = np.empty((CROP, CROP, 3), np.uint8)
        self._blob = np.empty((1, 3, CROP, CROP), np.float32)
        self._frame_no = 0
        self._roi: Roi | None = None
        self._faces = 0
        self._landmark_index: int | None = None  # which of the two outputs holds the 1404 landmark values

    # --- detection ---------------------------------------------------------------------------------------

    def detect(self, frame_bgr: np.ndarray) -> list[FaceBox]:
        """Every face YuNet finds in a BGR frame, in frame pixels, highest score first (see FaceDetector.detect)."""
        return self.detector.detect(frame_bgr)

    # --- landmarks ---------------------------------------------------------------------------------------

    def landmarks(self, frame_bgr: np.ndarray, box: FaceBox) -> Landmarks:
        """The 468 landmarks of the face in `box` (a detection), in frame pixels.

        The first crop takes its rotation from YuNet's eyes; when the landmarks' own eye line differs by more
        than RECROP_DEGREES (a tilted head, which YuNet's points do not follow), a second pass re-crops with it.
        """
        check_frame(frame_bgr)
        (rx, ry), (lx, ly) = box.points[0], box.points[1]
        cx, cy = box.centre
        roi = Roi(cx, cy, max(box.width, box.height) * DETECTION_ROI_SCALE, math.atan2(ly - ry, lx - rx))
        first = self.landmarks_in(frame_bgr, roi)
        refined = roi_from_landmarks(first.points)
        if abs(math.degrees(angle_difference(refined.angle, roi.angle))) <= RECROP_DEGREES:
            return first
        return self.landmarks_in(frame_bgr, refined)

    def landmarks_in(self, frame_bgr: np.ndarray, roi: Roi) -> Landmarks:
        """The 468 landmarks computed on one crop `roi` (pixels outside the frame read as black, as MediaPipe)."""
        check_frame(frame_bgr)
        if roi.size <= 0 or not all(map(math.isfinite, (roi.cx, roi.cy, roi.size, roi.angle))):
            raise ValueError(f"bad crop {roi}")
        k = roi.size / CROP
        cos, sin = math.cos(roi.angle) * k, math.sin(roi.angle) * k
        half = CROP / 2
        # crop (u, v) -> frame: centre + R(angle) * ((u, v) - half) * k
        to_frame = np.array([[cos, -sin, roi.cx - half * (cos - sin)],
                             [sin, cos, roi.cy - half * (sin + cos)]])
        cv2.warpAffine(frame_bgr, to_frame, (CROP, CROP), dst=self._crop,
                       flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP, borderMode=cv2.BORDER_CONSTANT)
        cv2.cvtColor(self._crop, cv2.COLOR_BGR2RGB, dst=self._rgb)
        np.multiply(self._rgb.transpose(2, 0, 1), np.float32(1 / 255), out=self._blob[0], casting="unsafe")
        self._net.setInput(self._blob)
        outputs = self._net.forward(self._outputs)
        if self._landmark_index is None:
            self._landmark_index = 0 if outputs[0].size == 468 * 3 else 1
        raw = outputs[self._landmark_index].reshape(468, 3)
        presence = 1.0 / (1.0 + math.exp(-min(50.0, max(-50.0, float(outputs[1 - self._landmark_index].ravel()[0])))))
        points = np.empty((468, 3), np.float32)
        points[:, 0] = to_frame[0, 0] * raw[:, 0] + to_frame[0, 1] * raw[:, 1] + to_frame[0, 2]
        points[:, 1] = to_frame[1, 0] * raw[:, 0] + to_frame[1, 1] * raw[:, 1] + to_frame[1, 2]
        points[:, 2] = raw[:, 2] * k
        return Landmarks(points, presence, roi)

    # --- pose ------------------------------------------------------------------------------------------

    def pose(self, landmarks: Landmarks) -> Pose:
        """Eye centres and distance, roll, yaw, pitch, eye openness and the face's centre and size."""
        p = landmarks.points.astype(np.float64)
        right = p[list(RIGHT_EYE), :2].mean(axis=0)
        left = p[list(LEFT_EYE), :2].mean(axis=0)
        dx, dy = left - right
        roll = math.degrees(math.atan2(dy, dx))
        # y up and z towards the viewer, as the canonical model: flip the image's y and the model's depth
        measured = np.column_stack((p[:, 0], -p[:, 1], -p[:, 2]))
        yaw, pitch = rotation_angles(procrustes_rotation(self._canonical, measured))
        eye_line = np.array([dx, dy]) / (math.hypot(dx, dy) or 1.0)
        along = p[:, :2] @ eye_line
        across = p[:, :2] @ np.array([-eye_line[1], eye_line[0]])
        centre_u = (along.min() + along.max()) / 2
        centre_v = (across.min() + across.max()) / 2
        centre = centre_u * eye_line + centre_v * np.array([-eye_line[1], eye_line[0]])
        return Pose(
            right_eye=(float(right[0]), float(right[1])),
            left_eye=(float(left[0]), float(left[1])),
            eye_distance=float(math.hypot(dx, dy)),
            roll=roll,
            yaw=yaw,
            pitch=pitch,
            right_eye_open=eye_openness(p, RIGHT_EYE_CORNERS, RIGHT_EYE_LIDS),
            left_eye_open=eye_openness(p, LEFT_EYE_CORNERS, LEFT_EYE_LIDS),
            centre=(float(centre[0]), float(centre[1])),
            width=float(along.max() - along.min()),
            height=float(np.linalg.norm(p[FOREHEAD, :2] - p[CHIN, :2])),
        )

    # --- tracking --------------------------------------------------------------------------------------

    def track(self, frame_bgr: np.ndarray) -> Track:
        """Landmarks of the main face in a live stream: detect every `detect_every` frames (or when lost),
        otherwise crop where the last frame's landmarks were.

        The main face is the largest box at each detection. `faces` is the count at the last detection, so a
        second person stepping in is seen within `detect_every` frames.
        """
        check_frame(frame_bgr)
        detected = False
        if self._roi is None or self._frame_no % self.detect_every == 0:
            detected = True
            boxes = self.detect(frame_bgr)
            self._faces = len(boxes)
            self._frame_no = 0
            if not boxes:
                self._roi = None
                self._frame_no += 1
                return Track(None, 0, True)
            main = max(boxes, key=lambda b: b.width * b.height)
            found = self.landmarks(frame_bgr, main)
        else:
            found = self.landmarks_in(frame_bgr, self._roi)
        self._frame_no += 1
        if found.presence < PRESENCE:
            self._roi = None
            return Track(None, self._faces if detected else 0, detected)
        self._roi = roi_from_landmarks(found.points)
        return Track(found, self._faces, detected)

    def reset(self) -> None:
        """Forget the track: the next `track` call runs the detector."""
        self._roi = None
        self._frame_no = 0
        self._faces = 0


def roi_from_landmarks(points: np.ndarray) -> Roi:
    """MediaPipe's next crop from landmarks: rotation from the outer eye corners (33 -> 263), the landmarks'
    box in that rotated frame, grown to a square 1.5 x its long side."""
    a, b = points[ROLL_KEYPOINTS[0], :2], points[ROLL_KEYPOINTS[1], :2]
    angle = math.atan2(float(b[1] - a[1]), float(b[0] - a[0]))
    cos, sin = math.cos(angle), math.sin(angle)
    xy = points[:, :2].astype(np.float64)
    along = xy[:, 0] * cos + xy[:, 1] * sin
    across = -xy[:, 0] * sin + xy[:, 1] * cos
    u, v = (along.min() + along.max()) / 2, (across.min() + across.max()) / 2
    size = max(along.max() - along.min(), across.max() - across.min()) * ROI_SCALE
    return Roi(u * cos - v * sin, u * sin + v * cos, float(size), angle)


def angle_difference(a: float, b: float) -> float:
    """a - b wrapped into -pi..pi."""
    return (a - b + math.pi) % (2 * math.pi) - math.pi


def eye_openness(points: np.ndarray, corners: tuple[int, int], lids: tuple[int, int]) -> float:
    """Eyelid gap over eye width (corner to corner): about 0.25-0.35 open, under ~0.1 closed."""
    width = float(np.linalg.norm(points[corners[0], :2] - points[corners[1], :2]))
    gap = float(np.linalg.norm(points[lids[0], :2] - points[lids[1], :2]))
    return gap / width if width > 0 else 0.0
