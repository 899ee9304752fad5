"""Iris kernel (C through cffi) agrees with a numpy reference of the same algorithm; the score names problems."""

import cv2
import numpy as np
import pytest

from native import samples
from native.iris import FIELDS, IrisQuality

QUALITY = IrisQuality()
EYE = cv2.imread(str(samples.IRIS), cv2.IMREAD_GRAYSCALE)


def reference(img: np.ndarray) -> dict:
    """native/iris.c's algorithm, step by step, in numpy."""
    img = np.ascontiguousarray(img)
    h, w = img.shape
    out = dict.fromkeys(FIELDS, 0)
    out["found"] = False
    hist = np.bincount(img.ravel(), minlength=256)
    low = int(np.argmax(np.cumsum(hist) * 200 >= img.size))
    threshold = low + int((img.mean() - low) / 4.0)
    out["dark_threshold"] = threshold
    side = min(w, h) // 16
    integral = np.zeros((h + 1, w + 1), np.int64)
    integral[1:, 1:] = np.cumsum(np.cumsum(img <= threshold, axis=0), axis=1)
    dark = integral[side:, side:] - integral[side:, :-side] - integral[:-side, side:] + integral[:-side, :-side]
    ys, xs = np.nonzero(dark >= int(0.9 * side * side + 0.5))
    if ys.size == 0:
        return out
    cx, cy = float(np.mean(xs + side / 2.0)), float(np.mean(ys + side / 2.0))
    rmax = min(w, h) // 2
    angles = 2 * np.pi * np.arange(128) / 128
    radii = np.arange(rmax + 1)
    px = np.floor(cx + radii[:, None] * np.cos(angles)[None] + 0.5).astype(int)
    py = np.floor(cy + radii[:, None] * np.sin(angles)[None] + 0.5).astype(int)
    inside = (px >= 0) & (py >= 0) & (px < w) & (py < h)
    values = np.where(inside, img[py.clip(0, h - 1), px.clip(0, w - 1)], 0).astype(float)
    keep = inside & (values < 240)
    lateral = keep & (np.abs(np.cos(angles)) >= 0.7071)[None]

    def profile(mask):
        n = mask.sum(axis=1)
        p = np.where(mask, values, 0).sum(axis=1) / np.maximum(n, 1)
        for r in np.nonzero(n == 0)[0]:
            p[r] = p[r - 1] if r else 0.0
        return p

    p_all, p_lat = profile(keep), profile(lateral)
    cross = next((r for r in range(side // 2, rmax - 2 - 5 + 1) if (p_all[r:r + 6] > threshold).all()), None)
    if cross is None:
        return out

    def steepest(p, r0, r1):
        r = np.arange(r0, r1 + 1)
        return int(r[np.argmax(p[r + 2] - p[r - 2])])

    rp = steepest(p_all, max(2, cross - 3), min(rmax - 2, cross + 3))
    r0, r1 = int(1.4 * rp), min(5 * rp, rmax - 10)
    if r0 + 1 > r1:
        return out
    ri = steepest(p_lat, r0, r1)
    pupil = p_all[rp // 2: max(rp - 2, rp // 2) + 1].mean()
    iris = p_lat[rp + (ri - rp) // 4: ri - (ri - rp) // 4 + 1].mean()
    sclera = p_lat[ri + 3: ri + 9].mean()
    out.update(found=True, pupil_x=cx, pupil_y=cy, pupil_radius=rp, iris_radius=ri, iris_diameter=2 * ri,
               pupil_grey=pupil, iris_grey=iris, sclera_grey=sclera, pupil_contrast=(iris - pupil) / 255,
               iris_contrast=(sclera - iris) / 255)
    gy, gx = np.mgrid[1:h - 1, 1:w - 1]
    d2 = (gx - cx) ** 2 + (gy - cy) ** 2
    ring = (d2 > (rp + 2.0) ** 2) & (d2 <= (ri - 2.0) ** 2)
    v = img[1:-1, 1:-1][ring].astype(int)
    if v.size:
        lap = cv2.Laplacian(img, cv2.CV_64F)[1:-1, 1:-1][ring]
        specular = v >= 240
        occluded = ~specular & ((v > (iris + sclera) / 2) | (v < (pupil + iris) / 2))
        out.update(annulus_sharpness=lap.var(), specular_fraction=specular.mean(), occluded_fraction=occluded.mean(),
                   usable_fraction=1 - specular.mean() - occluded.mean())
    return out


def agree(frame: np.ndarray) -> None:
    got = QUALITY.metrics(frame)
    ref = reference(frame)
    for name in FIELDS:
        assert getattr(got, name) == pytest.approx(ref[name], rel=1e-9, abs=1e-9), name


@pytest.mark.parametrize("crop", [np.s_[:, :], np.s_[100:400, 150:520], np.s_[7:333, 101:498], np.s_[:, 300:]])
def test_agrees_on_the_sample_and_its_crops(crop):
    agree(EYE[crop])


@pytest.mark.parametrize("make", [
    lambda: cv2.GaussianBlur(EYE, (0, 0), 2), lambda: cv2.resize(EYE, (321, 239)), lambda: EYE[::2, ::2].copy(),
    lambda: np.full((32, 32), 7, np.uint8), lambda: np.random.default_rng(1).integers(0, 256, (97, 131), np.uint8),
    lambda: cv2.imread(str(samples.FACE), cv2.IMREAD_GRAYSCALE),
    lambda: cv2.imread(str(samples.FINGERPRINTS[0]), cv2.IMREAD_GRAYSCALE),
], ids=["blurred", "odd-size", "half", "flat", "noise", "face", "fingerprint"])
def test_agrees_on_degraded_and_foreign_frames(make):
    agree(make())


def test_finds_the_sample_pupil_and_iris():
    m = QUALITY.metrics(EYE)
    # Read off the sample by eye: pupil centre near (330, 231), radius ~64; iris radius ~127.
    assert abs(m.pupil_x - 330) < 6 and abs(m.pupil_y - 231) < 6
    assert 58 <= m.pupil_radius <= 70 and 115 <= m.iris_radius <= 135
    assert 0.7 <= m.usable_fraction < 0.95  # the upper lid covers part of the iris


def test_a_good_eye_scores_high_and_each_problem_is_named():
    assert QUALITY.measure(EYE).score >= 90
    blurred = QUALITY.measure(cv2.GaussianBlur(EYE, (0, 0), 2))
    assert blurred.score < 60 and "IRIS_BLURRED" in blurred.problems
    small = QUALITY.measure(cv2.resize(EYE, (320, 240), interpolation=cv2.INTER_AREA))
    assert "IRIS_TOO_SMALL" in small.problems and small.score < 90
    edge = QUALITY.measure(np.ascontiguousarray(EYE[:, 300:]))
    assert "IRIS_AT_EDGE" in edge.problems and edge.score < 60
    lid = EYE.copy()
    lid[:250] = 200  # a lid down to below the pupil centre
    closed = QUALITY.measure(lid)
    assert closed.score < 60 and "IRIS_OCCLUDED" in closed.problems


@pytest.mark.parametrize("frame", [np.full((480, 640), 128, np.uint8),
                                   np.random.default_rng(0).integers(0, 256, (480, 640), np.uint8)],
                         ids=["blank", "noise"])
def test_no_eye_is_not_found(frame):
    report = QUALITY.measure(frame)
    assert (report.score, report.problems) == (0, ("IRIS_NOT_FOUND",))


def test_bad_input_is_a_clear_error():
    with pytest.raises(ValueError, match="at least 32x32"):
        QUALITY.measure(EYE[:31])
    with pytest.raises(ValueError, match="at least 32x32"):
        QUALITY.measure(EYE[:0])
    with pytest.raises(ValueError, match="uint8"):
        QUALITY.measure(EYE.astype(np.float64))
    with pytest.raises(ValueError, match="2-D uint8"):
        QUALITY.measure(cv2.cvtColor(EYE, cv2.COLOR_GRAY2BGR))
    with pytest.raises(ValueError, match="contiguous"):
        QUALITY.measure(EYE[:, ::2])
