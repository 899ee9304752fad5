"""Per-modality benchmarks: face, fingerprint and iris analyzers against the OpenCV/numpy way and NFIQ 2.

The baselines compute the same quantities (or, where the whole algorithm has no OpenCV equivalent, the part of
it that does, named in the row's note) on the same frame, in the same run.
"""

import cv2
import numpy as np

from native import samples
from native.bench_timing import FRAME_BUDGET_MS, median_ms, read_pass_ms, row
from native.face import FaceQuality
from native.fingerprint import FingerQuality, SlapSegmenter
from native.iris import IrisQuality

BLOCK = 16


def _band_mask(mask: np.ndarray, box, border: int) -> np.ndarray:
    """The face kernel's background band, drawn into `mask` with slicing."""
    mask[:] = 0
    mask[:border] = 1
    mask[:, :border] = 1
    mask[:, mask.shape[1] - border:] = 1
    mask[box.y + box.height:] = 0
    grow = box.width // 4
    mask[:, max(0, box.x - grow): box.x + box.width + grow] = 0
    return mask


def face_bench(repeat: int = 30) -> list[dict]:
    """All face metrics for a known box (C) vs OpenCV, and the whole per-frame pipeline, on a real portrait at the
    camera's sizes (640x480, 720p, 1080p)."""
    return [r for width, height in ((640, 480), (1280, 720), (1920, 1080)) for r in _face_rows(width, height, repeat)]


# The backdrop colour rules of face.c as linear forms of (B, G, R) that must be >= 0, plus the channel >= 90:
# red: 2R - 3G, 2R - 3B, R; blue: 2B - 3R, 10B - 11G, B.
_RED_FORMS = np.array([[0, -3, 2], [-3, 0, 2], [0, 0, 1]], np.float32)
_BLUE_FORMS = np.array([[2, 0, -3], [10, -11, 0], [1, 0, 0]], np.float32)
_SHARE_LOW, _SHARE_HIGH = (0, 0, 90), (32767, 32767, 32767)


def _minus(a: int, b: int, cut0: int, cut1: int) -> list[tuple[int, int]]:
    """[a, b) without [cut0, cut1), as at most two non-empty intervals."""
    return [(x0, x1) for x0, x1 in ((a, min(b, cut0)), (max(a, cut1), b)) if x1 > x0]


def band_rects(width: int, box, border: int) -> list[tuple[int, int, int, int]]:
    """The face kernel's background band as rectangles (y0, y1, x0, x1): the top `border` rows and the side
    `border` columns above the box's bottom, less the head's columns (the box grown by a quarter of its width)."""
    grow = box.width // 4
    cut0, cut1 = max(0, box.x - grow), min(width, box.x + box.width + grow)
    bottom, top = box.y + box.height, min(border, box.y + box.height)
    rects = [(0, top, x0, x1) for x0, x1 in _minus(0, width, cut0, cut1)]
    sides = _minus(0, min(border, width), cut0, cut1) + _minus(max(border, width - border), width, cut0, cut1)
    return rects + [(top, bottom, x0, x1) for x0, x1 in sides if bottom > top]


def opencv_face_metrics(frame: np.ndarray, grey: np.ndarray, box, border: int) -> tuple:
    """The face kernel's numbers the best straightforward OpenCV way: grey computed once (into `grey`), the box's
    Laplacian in 16 bit and `cv2.meanStdDev`, a histogram for the clipped shares, and the background band as a few
    rectangles (no full-frame mask), its colour rules as `cv2.transform` + `cv2.inRange`. Returns the fields of
    native.face.FaceMetrics in order; the bench times it and a test checks it agrees with the C kernel."""
    cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY, dst=grey)
    inside = grey[box.y:box.y + box.height, box.x:box.x + box.width]
    _, lap_std = cv2.meanStdDev(cv2.Laplacian(inside, cv2.CV_16S)[1:-1, 1:-1])
    mean, std = cv2.meanStdDev(inside)
    hist = cv2.calcHist([inside], [0], None, [256], [0, 256])
    n, s1, s2, bgr, red, blue = 0, 0.0, 0.0, np.zeros(3), 0, 0
    for y0, y1, x0, x1 in band_rects(grey.shape[1], box, border):
        count = (y1 - y0) * (x1 - x0)
        m, sd = cv2.meanStdDev(grey[y0:y1, x0:x1])
        n, s1, s2 = n + count, s1 + count * m[0, 0], s2 + count * (sd[0, 0] ** 2 + m[0, 0] ** 2)
        colour = frame[y0:y1, x0:x1]
        bgr += np.array(cv2.sumElems(colour)[:3])
        wide = colour.astype(np.int16)
        red += cv2.countNonZero(cv2.inRange(cv2.transform(wide, _RED_FORMS), _SHARE_LOW, _SHARE_HIGH))
        blue += cv2.countNonZero(cv2.inRange(cv2.transform(wide, _BLUE_FORMS), _SHARE_LOW, _SHARE_HIGH))
    size = inside.size
    band_mean = s1 / n if n else 0.0
    return (float(lap_std[0, 0] ** 2), float(mean[0, 0]), float(std[0, 0]), float(hist[:6].sum() / size),
            float(hist[250:].sum() / size), n, tuple(bgr / n) if n else (0.0, 0.0, 0.0),
            float(np.sqrt(max(0.0, s2 / n - band_mean ** 2))) if n else 0.0, red / n if n else 0.0,
            blue / n if n else 0.0)


def _face_rows(width: int, height: int, repeat: int) -> list[dict]:
    label = f"{width}x{height}"
    frame = samples.real_portrait(width, height)
    quality = FaceQuality(detect_every=5)  # as the capture engine runs it ([capture.face] detect_every)
    box = quality.detect(frame)[0]
    border = max(1, round(min(width, height) * quality.border_fraction))
    grey = np.empty((height, width), np.uint8)

    def ours() -> object:
        cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY, dst=quality._grey)
        return quality.metrics(frame, box)

    def idiomatic() -> tuple:  # what one writes first: a full-frame boolean mask and numpy reductions
        g = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
        inside = g[box.y:box.y + box.height, box.x:box.x + box.width]
        band = _band_mask(np.zeros(g.shape, np.uint8), box, border).astype(bool)
        px = frame[band].astype(np.int32)
        blue, green, red = px[:, 0], px[:, 1], px[:, 2]
        return (cv2.Laplacian(inside, cv2.CV_64F).var(), inside.mean(), inside.std(), (inside <= 5).mean(),
                (inside >= 250).mean(), g[band].std(), px.mean(axis=0),
                ((red >= 90) & (2 * red >= 3 * green) & (2 * red >= 3 * blue)).mean(),
                ((blue >= 90) & (2 * blue >= 3 * red) & (10 * blue >= 11 * green)).mean())

    c_ms = median_ms(ours, repeat)
    report = quality.measure(frame, required_background="red")
    whole = median_ms(lambda: quality.measure(frame, required_background="red"), repeat)
    quality.close()  # the detector thread of the live loop
    read_ms = read_pass_ms(frame, repeat)
    verdict = f"score {report.score}" + (f", {', '.join(report.problems)}" if report.problems else "")
    return [row("face metrics", label, c_ms, median_ms(idiomatic, repeat),
                median_ms(lambda: opencv_face_metrics(frame, grey, box, border), repeat),
                note=f"given the box, incl. BGR->grey; {100 * c_ms / FRAME_BUDGET_MS:.1f}% of a 30 fps frame",
                read_ms=read_ms),
            row("face pipeline", label, whole, None, None,
                note=f"real portrait ({verdict}): YuNet on a downscaled frame every 5th frame, landmarks tracked "
                     f"between, metrics, pose, score; {100 * whole / FRAME_BUDGET_MS:.1f}% of a frame",
                read_ms=read_ms)]


def _cv_blocks(frame: np.ndarray, dtype: int = cv2.CV_64F) -> tuple[np.ndarray, np.ndarray]:
    """Block grey std and orientation coherence the OpenCV way (Sobel, then block means by INTER_AREA)."""
    h, w = (frame.shape[0] // BLOCK) * BLOCK, (frame.shape[1] // BLOCK) * BLOCK
    f = frame[:h, :w].astype(np.float64 if dtype == cv2.CV_64F else np.float32)
    gx, gy = cv2.Sobel(f, dtype, 1, 0), cv2.Sobel(f, dtype, 0, 1)
    size = (w // BLOCK, h // BLOCK)
    mean = cv2.resize(f, size, interpolation=cv2.INTER_AREA)
    var = cv2.resize(f * f, size, interpolation=cv2.INTER_AREA) - mean * mean
    gxx = cv2.resize(gx * gx, size, interpolation=cv2.INTER_AREA)
    gyy = cv2.resize(gy * gy, size, interpolation=cv2.INTER_AREA)
    gxy = cv2.resize(gx * gy, size, interpolation=cv2.INTER_AREA)
    coherence = np.sqrt((gxx - gyy) ** 2 + 4 * gxy ** 2) / np.maximum(gxx + gyy, 1e-9)
    return np.sqrt(np.maximum(var, 0)), coherence


def _slap() -> np.ndarray:
    print_ = cv2.imread(str(samples.FINGERPRINTS[0]), cv2.IMREAD_GRAYSCALE)
    slap = np.full((1500, 1600), 255, np.uint8)
    for i in range(4):
        slap[300:860, 40 + i * 390: 400 + i * 390] = print_[:, 28:388]
    return slap


def finger_bench(repeat: int = 30, nfiq2_repeat: int = 5) -> list[dict]:
    """Our fingerprint metrics vs OpenCV block statistics and vs NIST NFIQ 2, single finger and slap."""
    try:
        from native.confirm import Nfiq2Scorer

        nfiq2 = Nfiq2Scorer()
    except Exception:  # noqa: BLE001 - nbis-py is optional (x86_64 only); the rows say so
        nfiq2 = None
    quality, segmenter = FingerQuality(), SlapSegmenter()
    single = cv2.imread(str(samples.FINGERPRINTS[0]), cv2.IMREAD_GRAYSCALE)
    note = ("C: block metrics + pattern checks; baselines: block std + coherence only (no OpenCV clarity); "
            "NFIQ 2 = NIST reference")
    nfiq2_ms = median_ms(lambda: nfiq2.score(single), nfiq2_repeat) if nfiq2 else None
    rows = [row("finger", "finger 416x560", median_ms(lambda: quality.measure(single), repeat),
                median_ms(lambda: _cv_blocks(single), repeat),
                median_ms(lambda: _cv_blocks(single, cv2.CV_32F), repeat), nfiq2_ms,
                note if nfiq2 else note + " (nbis-py not installed)", read_ms=read_pass_ms(single, repeat))]
    slap = _slap()
    boxes = segmenter.segment(slap)
    crops = [slap[b.y:b.y + b.height, b.x:b.x + b.width] for b in boxes]

    def ours() -> list:
        return [quality.measure(slap[b.y:b.y + b.height, b.x:b.x + b.width]) for b in segmenter.segment(slap)]

    def idiomatic(cv_type: int = cv2.CV_64F) -> object:
        std, _ = _cv_blocks(slap, cv_type)
        return cv2.connectedComponentsWithStats((std >= 10).astype(np.uint8))

    slap_nfiq2 = median_ms(lambda: [nfiq2.score(c) for c in crops], max(1, nfiq2_repeat // 2)) if nfiq2 else None
    rows.append(row("slap", "slap 1600x1500", median_ms(ours, repeat), median_ms(idiomatic, repeat),
                    median_ms(lambda: idiomatic(cv2.CV_32F), repeat), slap_nfiq2,
                    f"segment + {len(boxes)} fingers; baselines: block stats + connected components; "
                    "NFIQ 2 on each finger", read_ms=read_pass_ms(slap, repeat)))
    return rows


SEED_PER_SIDE = 16  # = native/iris_parts.h's: the pupil seed window (tests/native/test_iris.py reads both)
SPECULAR = 240  # = native/iris_parts.h's: a reflection


def reflections_filled(eye: np.ndarray) -> np.ndarray:
    """The straightforward OpenCV way to iris_seed.c's fill: within q of a pixel >= SPECULAR, the grey opening with
    a (2q + 1) square, q = max(shorter side / SEED_PER_SIDE / 2, 1) (half the seed window); elsewhere the frame
    (itself when it has no reflection). The kernel's numpy reference (tests/native/iris_reference.py) takes its
    fill from here."""
    specular = eye >= SPECULAR
    if not specular.any():
        return eye
    q = max(min(eye.shape) // SEED_PER_SIDE // 2, 1)
    square = np.ones((2 * q + 1, 2 * q + 1), np.uint8)
    return np.where(cv2.dilate(specular.view(np.uint8), square).view(bool),
                    cv2.morphologyEx(eye, cv2.MORPH_OPEN, square), eye)


def opencv_iris_locator(eye: np.ndarray, polar: np.ndarray | None = None,
                        masks: tuple[np.ndarray, np.ndarray] | None = None) -> dict:
    """The straightforward OpenCV way to what IrisQuality measures: a baseline that finds the right circles.

    Pupil: reflections filled as ours (cv2.morphologyEx opening within cv2.dilate of the >= 240 mask), then an
    Otsu-free dark threshold (a quarter of the way from the 0.5th percentile to the mean, as ours), an
    opening (7x7 ellipse) to cut lashes off, the largest external contour, minEnclosingCircle. Limbus: the image
    unwrapped around the pupil centre with warpPolar, a radial Sobel on it, per angle the radius of the strongest
    rise between 1.4 and 5 pupil radii; the angles within 8 px of the modal radius (lids disagree and lose the
    vote) get a least-squares r = R + a cos + b sin (the limbus need not share the pupil's centre).
    Then, as ours: annulus masks with cv2.circle, reflections (>= 240) and lid/lash pixels (nearer sclera or pupil
    grey than iris grey) counted, Laplacian variance over the usable pixels. `polar` and `masks` are preallocated
    buffers (the "prealloc" way); without them everything is allocated per call.
    """
    h, w = eye.shape
    pupil_view = reflections_filled(eye)  # the pupil is looked for with the reflections filled, as ours
    low = float(np.percentile(pupil_view, 0.5))
    threshold = low + int((float(pupil_view.mean()) - low) / 4.0)
    dark = cv2.morphologyEx((pupil_view <= threshold).astype(np.uint8), cv2.MORPH_OPEN,
                            cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (7, 7)))
    contours, _ = cv2.findContours(dark, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return {"found": False}
    (px, py), pr = cv2.minEnclosingCircle(max(contours, key=cv2.contourArea))
    rmax = int(0.6 * min(w, h))
    if polar is None:
        polar = cv2.warpPolar(eye, (rmax, 360), (px, py), rmax, cv2.WARP_POLAR_LINEAR | cv2.WARP_FILL_OUTLIERS)
    else:
        cv2.warpPolar(eye, (rmax, 360), (px, py), rmax, cv2.WARP_POLAR_LINEAR | cv2.WARP_FILL_OUTLIERS, dst=polar)
    rise = cv2.Sobel(cv2.blur(polar, (9, 3)), cv2.CV_32F, 1, 0, ksize=5)
    lo, hi = int(1.4 * pr), min(int(5 * pr), rmax - 1)
    if lo + 2 > hi:
        return {"found": False}
    radii = lo + np.argmax(rise[:, lo:hi], axis=1)
    votes = np.convolve(np.bincount(radii, minlength=rmax + 1).astype(float), np.ones(15), "same")
    near = np.abs(radii - np.argmax(votes)) <= 8
    theta = np.deg2rad(np.arange(360))[near]  # r = R + a cos + b sin: a circle centred at the pupil + (a, b)
    fit = np.linalg.lstsq(np.c_[np.ones(theta.size), np.cos(theta), np.sin(theta)], radii[near], rcond=None)[0]
    ir, a, b = (float(v) for v in fit)
    lx, ly = px + a, py + b
    ring, pupil_disc = masks if masks is not None else (np.empty((h, w), np.uint8), np.empty((h, w), np.uint8))
    ring[:] = 0
    pupil_disc[:] = 0
    cv2.circle(ring, (round(lx), round(ly)), round(ir - 2), 1, -1)
    cv2.circle(ring, (round(px), round(py)), round(pr + 2), 0, -1)
    cv2.circle(pupil_disc, (round(px), round(py)), round(0.8 * pr), 1, -1)
    pupil_grey = cv2.mean(pupil_view, mask=pupil_disc)[0]
    values = eye[ring.view(bool)]
    iris_grey = float(np.median(values))
    sclera_grey = float(np.median(polar[:, round(ir) + 3: round(ir) + 9]))
    specular = values >= 240
    occluded = ~specular & ((values > (iris_grey + sclera_grey) / 2) | (values < (pupil_grey + iris_grey) / 2))
    usable = ring.view(bool).copy()
    usable[ring.view(bool)] = ~specular & ~occluded
    lap = cv2.Laplacian(eye, cv2.CV_16S)
    return {"found": True, "pupil": (px, py, pr), "limbus": (lx, ly, ir), "usable_fraction": float(usable.sum() /
            max(values.size, 1)), "sharpness": float(lap[usable].astype(np.float64).var()) if usable.any() else 0.0}


def iris_bench(repeat: int = 30) -> list[dict]:
    """Iris localisation and metrics (ours, C) vs the straightforward OpenCV locator computing the same things."""
    eye = cv2.imread(str(samples.IRIS), cv2.IMREAD_GRAYSCALE)
    quality = IrisQuality()
    h, w = eye.shape
    rmax = int(0.6 * min(w, h))
    polar = np.empty((360, rmax), np.uint8)
    masks = (np.empty((h, w), np.uint8), np.empty((h, w), np.uint8))
    return [row("iris", "640x480", median_ms(lambda: quality.metrics(eye), repeat),
                median_ms(lambda: opencv_iris_locator(eye), repeat),
                median_ms(lambda: opencv_iris_locator(eye, polar, masks), repeat),
                note="baselines: reflections filled (opening near them), threshold + opening + contour + "
                     "minEnclosingCircle pupil, warpPolar + radial Sobel modal limbus, annulus masks, usable share "
                     "(lids per pixel, not per ray; no inner-ring steps), Laplacian var (checked to find the sample's "
                     "circles, also rotated +-30 deg)")]
