"""A labelled set of capture frames built from the face development set, and how the face gate decides on it.

Why: the face gate must pass what a kiosk sees every day and refuse what an ID photo must not be, on real
people (the 40 of `native/samples/faces/`, see its LICENSES.md), not on the one synthetic head of the tests.

Sources: each `<id>_<colour>.jpg` (the person on the e-KTP backdrop of their birth year). Two are left out by
rule, not by name: a source whose eyes are under `MIN_SOURCE_EYE_DISTANCE` px apart is a full-length photo,
and upscaling it to a capture-size face gives an honestly blurred face. Each source is made into a capture
frame: levelled (turned in the image plane so its eye line is level: the published portraits' own tilt of up
to 11 degrees is a property of the photo, and the kiosk asks for a straight head), scaled by `SCALE` (eye
distance about 110-150 px, a 1080p camera at kiosk distance) and widened by a margin of its own backdrop colour
on each side (the published crops are tighter than a camera frame; the margin is the flat segmented backdrop
the portrait already has, so it adds no new backdrop content).

Everyday classes, which must pass (score >= threshold and no problem): the frame itself; a shift of 5 % of the
width and 4 % of the height; a roll of +-4 degrees; a scale of +-8 %; brighter (x 1.2) and darker (x 0.8);
JPEG quality 70; mild noise (Gaussian sigma 4).

Defect classes, which must be refused with their code: roll of +-15 degrees (FACE_TILTED); a head turned by 40
degrees further the way the source already faces (FACE_TURNED, see `turned`; the warp reads as about two thirds of
its angle, so 40 degrees is a turn of about 25 degrees as the landmarks see it); Gaussian blur of sigma = eye
distance / 30 and horizontal motion blur over eye distance / 6 px (FACE_BLURRED); strong noise, sigma 25
(FACE_NOISY); too dark, x 0.35 (FACE_TOO_DARK); the other backdrop colour required (BACKGROUND_WRONG_COLOUR); two
portraits side by side and a group of six tiled 3 x 2 (FACE_MULTIPLE).

Every random choice (signs, noise) comes from `numpy.random.default_rng(SEED + source index)`.

Another set, the same way (`sinopsis quality --eval-faces --faces-dir DIR`): every `<name>_<red|blue>.<jpg|png>`
in DIR, a person on that e-KTP backdrop, of any size; each is scaled so its eyes are `TARGET_EYE_DISTANCE` px
apart (the middle of the development set's range) instead of by `SCALE`, and the same rules leave out a face too
small to scale up. This is how a set of other people (a province's own photos, a check set) is measured with
the same classes.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from contract.errors import SinopsisError
from native.face import BACKGROUNDS, FaceLimits, FaceQuality
from native.face_landmarks import FaceLandmarker

FACES_DIR = Path(__file__).resolve().parent / "samples" / "faces"
SEED = 18
SCALE = 2.5  # 225 x 275 sources -> about 560 x 690, eye distance 110-150 px
MARGIN = 0.25  # backdrop added on each side, as a share of the scaled portrait's width
MIN_SOURCE_EYE_DISTANCE = 40.0  # sources with a smaller face are full-length photos (see the module doc)
FACE_THRESHOLD = 90  # the default [capture.thresholds] face (station/config.py)
TARGET_EYE_DISTANCE = 130.0  # another set's sources are scaled to this (the development set's 110-150 px)
PORTRAIT_SUFFIXES = (".jpg", ".jpeg", ".png")
TURN_DEGREES = 40.0
EVERYDAY = ("portrait", "shift", "roll 4", "scale 8 %", "brighter", "darker", "jpeg 70", "mild noise")
DEFECTS = {"roll 15": "FACE_TILTED", "turned 40": "FACE_TURNED", "blur": "FACE_BLURRED",
           "motion blur": "FACE_BLURRED", "strong noise": "FACE_NOISY", "too dark": "FACE_TOO_DARK",
           "wrong backdrop": "BACKGROUND_WRONG_COLOUR", "two faces": "FACE_MULTIPLE", "group": "FACE_MULTIPLE"}


@dataclass(frozen=True)
class Source:
    """One development-set person made into a capture frame (see the module doc)."""

    name: str
    backdrop: str
    frame: np.ndarray
    eye_distance: float
    points: np.ndarray  # the frame's 468 landmarks (x, y, z), for the turned head
    yaw: float  # the landmarks' yaw of the source: the turned head turns further the same way


@dataclass(frozen=True)
class Sample:
    """One frame of the set: its class, the source, the backdrop the birth year requires, the frame."""

    kind: str
    source: str
    required_background: str
    frame: np.ndarray


@dataclass(frozen=True)
class Row:
    """One frame's verdict."""

    kind: str
    source: str
    score: int
    problems: tuple[str, ...]
    passed: bool


@dataclass
class FaceEvaluation:
    """Verdicts per frame and the summary per class: pass rate of the everyday classes, refusal rate (with the
    expected code) of the defect classes, and how often each problem code was given per class."""

    rows: list[Row]
    threshold: int
    sources: int
    left_out: list[str] = field(default_factory=list)
    set_name: str = "the development set"

    def rate(self, kind: str) -> float:
        """Share of the class that passed (everyday) or was refused with its expected code (defect)."""
        rows = [r for r in self.rows if r.kind == kind]
        if kind in DEFECTS:
            good = [r for r in rows if not r.passed and DEFECTS[kind] in r.problems]
        else:
            good = [r for r in rows if r.passed]
        return len(good) / len(rows) if rows else 0.0

    def reasons(self, kind: str) -> dict[str, int]:
        """How many frames of the class got each problem code."""
        counts: dict[str, int] = {}
        for row in self.rows:
            if row.kind == kind:
                for code in row.problems:
                    counts[code] = counts.get(code, 0) + 1
        return dict(sorted(counts.items(), key=lambda item: -item[1]))

    def summary(self) -> list[dict]:
        """One dict per class: kind, expect (pass / the code), frames, rate, reasons."""
        kinds = [*EVERYDAY, *DEFECTS]
        return [{"kind": k, "expect": DEFECTS.get(k, "pass"), "frames": sum(r.kind == k for r in self.rows),
                 "rate": round(self.rate(k), 4), "reasons": self.reasons(k)} for k in kinds]


def _backdrop_bgr(image: np.ndarray) -> tuple[int, int, int]:
    """The flat backdrop colour: the median of the two top corners (10 % squares)."""
    side = max(2, image.shape[1] // 10)
    corners = np.concatenate([image[:side, :side].reshape(-1, 3), image[:side, -side:].reshape(-1, 3)])
    return tuple(int(v) for v in np.median(corners, axis=0))


def portraits(folder: Path) -> list[Path]:
    """The `<name>_<backdrop>` portrait files of a folder, sorted (other files are not portraits of the set)."""
    return sorted(p for p in Path(folder).glob("*_*") if p.suffix.lower() in PORTRAIT_SUFFIXES)


Reader = Callable[[Path], np.ndarray]  # a portrait file's BGR image; a SinopsisError says why it is not one


def _read_own(path: Path) -> np.ndarray:
    """The project's own portraits (native/samples/faces), as checked in."""
    image = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if image is None:
        raise SinopsisError(f"{path}: not an image OpenCV can decode", "image.undecodable")
    return image


def load_sources(landmarker: FaceLandmarker | None = None, step: int = 1, folder: Path = FACES_DIR,
                 scale: float | None = SCALE, read: Reader = _read_own) -> tuple[list[Source], list[str]]:
    """The backdrop portraits of `folder` (the development set's by default) as capture frames (every `step`-th
    person), and the names left out (with why). `scale` None: each scaled to TARGET_EYE_DISTANCE. `read` opens a
    file; a set from outside the project is read by the CLI's checked reader (sinopsis/image_file.py: special
    files, size, decompression bombs, depth and channels), whose refusal leaves that file out with the reason."""
    landmarker = landmarker or FaceLandmarker()
    sources, left_out = [], []
    for path in portraits(folder)[::step]:
        name, backdrop = path.stem.rsplit("_", 1)
        if backdrop not in BACKGROUNDS:
            left_out.append(f"{path.name}: the name must end in _red or _blue (the backdrop it is on)")
            continue
        try:
            image = read(path)
        except SinopsisError as e:
            left_out.append(str(e))
            continue
        pose = _pose(landmarker, image)
        if pose is None or pose[0].eye_distance < MIN_SOURCE_EYE_DISTANCE:
            left_out.append(f"{name}: eyes {pose[0].eye_distance:.0f} px apart in the source" if pose else
                            f"{name}: no face found in the source")
            continue
        (rx, ry), (lx, ly) = pose[0].right_eye, pose[0].left_eye
        level = cv2.getRotationMatrix2D(((rx + lx) / 2, (ry + ly) / 2), pose[0].roll, 1.0)
        image = cv2.warpAffine(image, level, image.shape[1::-1], flags=cv2.INTER_CUBIC,
                               borderMode=cv2.BORDER_REPLICATE)
        factor = scale if scale is not None else TARGET_EYE_DISTANCE / pose[0].eye_distance
        image = cv2.resize(image, None, fx=factor, fy=factor,
                           interpolation=cv2.INTER_CUBIC if factor >= 1 else cv2.INTER_AREA)
        pad = round(image.shape[1] * MARGIN)
        frame = cv2.copyMakeBorder(image, 0, 0, pad, pad, cv2.BORDER_CONSTANT, value=_backdrop_bgr(image))
        found = _pose(landmarker, frame)
        if found is None:
            left_out.append(f"{name}: no face found after scaling")
            continue
        sources.append(Source(name, backdrop, frame, found[0].eye_distance, found[1], found[0].yaw))
    return sources, left_out


def _pose(landmarker: FaceLandmarker, image: np.ndarray):  # -> (Pose, points) | None
    boxes = landmarker.detect(image)
    if not boxes:
        return None
    found = landmarker.landmarks(image, max(boxes, key=lambda b: b.width * b.height))
    return landmarker.pose(found), found.points


def _affine(frame: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    return cv2.warpAffine(frame, matrix, frame.shape[1::-1], flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


def rolled(frame: np.ndarray, degrees: float) -> np.ndarray:
    """The frame turned by `degrees` in the image plane about its centre."""
    height, width = frame.shape[:2]
    return _affine(frame, cv2.getRotationMatrix2D((width / 2, height / 2), degrees, 1.0))


def scaled(frame: np.ndarray, factor: float) -> np.ndarray:
    """The frame zoomed by `factor` about its centre, same size (edges replicated when zooming out)."""
    height, width = frame.shape[:2]
    return _affine(frame, cv2.getRotationMatrix2D((width / 2, height / 2), 0.0, factor))


def shifted(frame: np.ndarray, dx: float, dy: float) -> np.ndarray:
    """The frame moved by (dx, dy) px, same size."""
    return _affine(frame, np.array([[1.0, 0.0, dx], [0.0, 1.0, dy]]))


def exposed(frame: np.ndarray, gain: float) -> np.ndarray:
    """Every channel x `gain`, clipped."""
    return np.clip(frame.astype(np.float32) * gain, 0, 255).astype(np.uint8)


def noisy(frame: np.ndarray, sigma: float, rng: np.random.Generator) -> np.ndarray:
    """Gaussian noise of `sigma` grey levels on every channel, clipped."""
    return np.clip(frame + rng.normal(0.0, sigma, frame.shape), 0, 255).astype(np.uint8)


def jpeg(frame: np.ndarray, quality: int) -> np.ndarray:
    """The frame through a JPEG encode and decode at `quality`."""
    ok, data = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, quality])
    assert ok
    return cv2.imdecode(data, cv2.IMREAD_COLOR)


def motion_blurred(frame: np.ndarray, length: int) -> np.ndarray:
    """Horizontal motion blur over `length` px (a box along one row)."""
    kernel = np.zeros((length, length), np.float32)
    kernel[length // 2, :] = 1.0 / length
    return cv2.filter2D(frame, -1, kernel)


def side_by_side(frames: list[np.ndarray], columns: int) -> np.ndarray:
    """Frames tiled `columns` wide, each resized to the first one's size."""
    height, width = frames[0].shape[:2]
    tiles = [cv2.resize(f, (width, height), interpolation=cv2.INTER_AREA) for f in frames]
    rows = [np.concatenate(tiles[i:i + columns], axis=1) for i in range(0, len(tiles), columns)]
    return np.concatenate(rows, axis=0)


def turned(frame: np.ndarray, points: np.ndarray, degrees: float) -> np.ndarray:
    """The face turned by `degrees` about the vertical axis (positive: towards the image's right).

    How, and its limits: the 468 landmarks with the landmark model's own depth are rotated in 3-D about the vertical
    axis through their centroid and projected orthographically; the image is warped piecewise-affinely on a Delaunay
    triangulation of the points (with a fixed ring around the head and the frame's corners, so the hair, ears and
    backdrop stretch smoothly), the nearer triangles painted last. The nose moves across the face and the far cheek
    narrows as in a real turn, but nothing hidden appears (no ear, no profile): it is a stand-in for a turn (the
    landmarks read about two thirds of the warp's angle), and it uses the same model's depth that the pose reads, so
    it checks the gate's chain from landmarks to refusal, not the estimator's accuracy on real turned heads.
    """
    height, width = frame.shape[:2]
    p = points.astype(np.float64)
    centre = p.mean(axis=0)
    cos, sin = math.cos(math.radians(degrees)), math.sin(math.radians(degrees))
    moved = p[:, :2].copy()
    moved[:, 0] = centre[0] + (p[:, 0] - centre[0]) * cos - (p[:, 2] - centre[2]) * sin
    half_w, half_h = (p[:, 0].max() - p[:, 0].min()) * 0.85, (p[:, 1].max() - p[:, 1].min()) * 0.85
    ring = np.array([[centre[0] + half_w * math.cos(a), centre[1] + half_h * math.sin(a)]
                     for a in np.linspace(0, 2 * math.pi, 32, endpoint=False)])
    corners = np.array([[0, 0], [width - 1, 0], [0, height - 1], [width - 1, height - 1], [width / 2, 0],
                        [width / 2, height - 1], [0, height / 2], [width - 1, height / 2]], np.float64)
    fixed = np.clip(np.concatenate([ring, corners]), 0, [width - 1, height - 1])
    src = np.concatenate([np.clip(p[:, :2], 0, [width - 1, height - 1]), fixed])
    dst = np.concatenate([np.clip(moved, 0, [width - 1, height - 1]), fixed])
    depth = np.concatenate([p[:, 2], np.full(len(fixed), p[:, 2].max() + 1.0)])
    subdiv = cv2.Subdiv2D((0, 0, width, height))
    index: dict[tuple[float, float], int] = {}
    for i, (x, y) in enumerate(src):
        key = (float(np.float32(x)), float(np.float32(y)))
        if key not in index:
            index[key] = i
            subdiv.insert(key)
    triangles = []
    for t in subdiv.getTriangleList():
        keys = [(float(np.float32(t[k])), float(np.float32(t[k + 1]))) for k in (0, 2, 4)]
        if all(k in index for k in keys):
            triangles.append([index[k] for k in keys])
    triangles.sort(key=lambda tri: -depth[tri].mean())  # far first: the nearer surface is painted over it
    owner = np.full((height, width), -1, np.int32)
    inverse = np.zeros((len(triangles), 2, 3), np.float64)
    for n, tri in enumerate(triangles):
        (ax, ay), (bx, by) = dst[tri[1]] - dst[tri[0]], dst[tri[2]] - dst[tri[0]]
        if abs(ax * by - ay * bx) < 1e-6:  # a degenerate triangle: no affine map
            continue
        inverse[n] = cv2.getAffineTransform(dst[tri].astype(np.float32), src[tri].astype(np.float32))
        cv2.fillConvexPoly(owner, np.round(dst[tri]).astype(np.int32), n)
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    has = owner >= 0
    a = inverse[owner[has]]
    map_x, map_y = xs.copy(), ys.copy()
    map_x[has] = a[:, 0, 0] * xs[has] + a[:, 0, 1] * ys[has] + a[:, 0, 2]
    map_y[has] = a[:, 1, 0] * xs[has] + a[:, 1, 1] * ys[has] + a[:, 1, 2]
    return cv2.remap(frame, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


def build_set(sources: list[Source]) -> list[Sample]:
    """Every class of the module doc, one frame per source and class (fixed seeds)."""
    samples = []
    for i, s in enumerate(sources):
        rng = np.random.default_rng(SEED + i)
        sign = 1.0 if rng.random() < 0.5 else -1.0
        height, width = s.frame.shape[:2]
        other = "blue" if s.backdrop == "red" else "red"
        neighbours = [sources[(i + k) % len(sources)].frame for k in range(6)]
        ied = s.eye_distance
        made = {
            "portrait": s.frame,
            "shift": shifted(s.frame, sign * 0.05 * width, (1 if rng.random() < 0.5 else -1) * 0.04 * height),
            "roll 4": rolled(s.frame, 4.0 * sign),
            "scale 8 %": scaled(s.frame, 1.0 + 0.08 * sign),
            "brighter": exposed(s.frame, 1.2),
            "darker": exposed(s.frame, 0.8),
            "jpeg 70": jpeg(s.frame, 70),
            "mild noise": noisy(s.frame, 4.0, rng),
            "roll 15": rolled(s.frame, 15.0 * sign),
            "turned 40": turned(s.frame, s.points, TURN_DEGREES * (1.0 if s.yaw >= 0 else -1.0)),
            "blur": cv2.GaussianBlur(s.frame, (0, 0), ied / 30.0),
            "motion blur": motion_blurred(s.frame, max(3, round(ied / 6.0))),
            "strong noise": noisy(s.frame, 25.0, rng),
            "too dark": exposed(s.frame, 0.35),
            "two faces": side_by_side(neighbours[:2], 2),
            "group": side_by_side(neighbours, 3),
        }
        for kind, frame in made.items():
            samples.append(Sample(kind, s.name, s.backdrop, frame))
        samples.append(Sample("wrong backdrop", s.name, other, s.frame))
    return samples


def evaluate(threshold: int = FACE_THRESHOLD, limits: FaceLimits | None = None,
             quality: FaceQuality | None = None, step: int = 1, folder: Path | None = None,
             read: Reader = _read_own) -> FaceEvaluation:
    """Build the set and score every frame as a still (the detector runs on each). `step` > 1 keeps every
    step-th person only (the tests' quicker run). `folder`: another set of backdrop portraits, opened by `read`
    (module doc)."""
    quality = quality or FaceQuality(limits=limits)
    sources, left_out = load_sources(step=step, folder=folder or FACES_DIR, scale=SCALE if folder is None else None,
                                     read=read)
    rows = []
    for sample in build_set(sources):
        quality.reset()
        report = quality.measure(sample.frame, required_background=sample.required_background)
        rows.append(Row(sample.kind, sample.source, report.score, report.problems,
                        report.score >= threshold and not report.problems))
    return FaceEvaluation(rows, threshold, len(sources), left_out,
                          "the development set" if folder is None else str(folder))


def format_table(result: FaceEvaluation) -> str:
    """The printable report: one line per class with its rate and the codes given."""
    lines = [f"face gate on {result.set_name}: {result.sources} people, threshold {result.threshold}",
             *(f"left out: {why}" for why in result.left_out),
             f"{'class':<16} {'expect':<24} {'frames':>6} {'rate':>7}  reasons"]
    for row in result.summary():
        reasons = ", ".join(f"{code} {n}" for code, n in row["reasons"].items()) or "-"
        rate = f"{100 * row['rate']:.1f}%"
        lines.append(f"{row['kind']:<16} {row['expect']:<24} {row['frames']:>6} {rate:>7}  {reasons}")
    return "\n".join(lines)
