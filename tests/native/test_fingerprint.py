"""Fingerprint kernel (C through cffi) agrees with a numpy/OpenCV reference of every block metric; slaps segment into
the right finger boxes; blank and noise frames have no finger; bad frames are refused."""

import cv2
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis.extra import numpy as hnp

from native import samples
from native.fingerprint import (
    BLOCK,
    FINGER_BLOCKS,
    FingerQuality,
    SlapSegmenter,
    finger_problems,
    naturalness_from,
    pattern_factors,
    score_from,
)
from native.fingerprint_reference import pattern_reference

QUALITY = FingerQuality()
PRINTS = [cv2.imread(str(p), cv2.IMREAD_GRAYSCALE) for p in samples.FINGERPRINTS]


def reference(frame: np.ndarray, b: int = BLOCK, min_std: float = 10.0) -> dict[str, np.ndarray]:
    """Per-block metrics the numpy/OpenCV way (same definitions as native/fingerprint.h)."""
    img = np.ascontiguousarray(frame).astype(np.float64)
    h, w = img.shape
    by, bx, n = h // b, w // b, b * b
    gx = cv2.Sobel(img, cv2.CV_64F, 1, 0, ksize=3)
    gy = cv2.Sobel(img, cv2.CV_64F, 0, 1, ksize=3)
    gx[[0, -1], :] = gx[:, [0, -1]] = gy[[0, -1], :] = gy[:, [0, -1]] = 0  # no gradient on the image border

    def blocks(a: np.ndarray) -> np.ndarray:
        return a[: by * b, : bx * b].reshape(by, b, bx, b).swapaxes(1, 2)  # (by, bx, b, b)

    pix = blocks(img)
    s, ss = pix.sum(axis=(2, 3)), (pix * pix).sum(axis=(2, 3))
    gxx, gyy, gxy = (blocks(u * v).sum(axis=(2, 3)) for u, v in ((gx, gx), (gy, gy), (gx, gy)))
    d, e, energy = gxx - gyy, 2.0 * gxy, gxx + gyy
    r = np.sqrt(d * d + e * e)
    coherence = np.divide(r, energy, out=np.zeros_like(r), where=energy > 0)
    var = (ss * n - s * s) / (n * n)
    mask = (var >= min_std * min_std) & (var > 0)
    # Unit gradient direction from the doubled angle; pixels binned by 1-px distance along it from the centre.
    c2 = np.divide(d, r, out=np.ones_like(r), where=r > 0)
    c = np.where(r > 0, np.sqrt((1.0 + c2) / 2.0), 1.0)
    sn = np.where(r > 0, np.copysign(np.sqrt(np.maximum(0.0, (1.0 - c2) / 2.0)), e), 0.0)
    half = (b - 1) / 2.0
    dy, dx = np.mgrid[0:b, 0:b] - half
    t = dx * c[..., None, None] + dy * sn[..., None, None]
    bins = (np.floor(t + b).astype(np.int64) + 2 * b * np.arange(by * bx).reshape(by, bx, 1, 1)).ravel()
    bin_n = np.bincount(bins, minlength=2 * b * by * bx).reshape(by, bx, 2 * b)
    bin_s = np.bincount(bins, pix.ravel(), minlength=2 * b * by * bx).reshape(by, bx, 2 * b)
    between = (np.divide(bin_s**2, bin_n, out=np.zeros_like(bin_s), where=bin_n > 0)).sum(axis=2) - s * s / n
    total = ss - s * s / n
    clarity = np.clip(np.divide(between, total, out=np.zeros_like(total), where=total > 0), 0, 1)
    crossings = np.zeros((by, bx), np.int64)
    last = np.full((by, bx), -1)
    for i in range(2 * b):
        used = bin_n[..., i] * 4 >= b
        sign = (bin_s[..., i] * n - s * bin_n[..., i] >= 0).astype(int)
        crossings += used & (last >= 0) & (sign != last)
        last = np.where(used, sign, last)
    dark = pix * n <= s[..., None, None]
    dark_n, dark_s = dark.sum(axis=(2, 3)), (pix * dark).sum(axis=(2, 3))
    light_n, light_s = n - dark_n, s - dark_s
    ok = (dark_n > 0) & (light_n > 0)
    contrast = np.where(ok, light_s / np.maximum(light_n, 1) - dark_s / np.maximum(dark_n, 1), 0.0)
    quality = np.where(mask & (crossings >= 2), coherence * clarity, 0.0)
    return {"mask": mask, "ridge": mask & (crossings >= 2) & (quality >= 0.10), "ridge_like": mask & (crossings >= 2),
            "coherence": coherence,
            "clarity": np.where(mask, clarity, 0.0), "contrast": np.where(mask, contrast, 0.0), "quality": quality}


def reference_report(frame: np.ndarray) -> dict[str, float]:
    """Frame-level means as the kernel reports them."""
    m = reference(frame)
    fg = m["mask"]
    k = int(fg.sum())
    mean = (lambda a: float(a[fg].mean())) if k else (lambda a: 0.0)
    area = min(fg.size, FINGER_BLOCKS)  # the frame's blocks, or one fingertip's on a larger platen
    ridge_quality = float(m["quality"].sum() / max(k, area))
    contrast = mean(m["contrast"])
    p = pattern_reference(frame, m["ridge_like"])
    natural = naturalness_from(p["orientation_resultant"], p["period_spread"], p["interior_blocks"], p["ridge_blocks"])
    return {"foreground_fraction": k / fg.size, "coherence": mean(m["coherence"]), "clarity": mean(m["clarity"]),
            "contrast": contrast, "ridge_quality": ridge_quality, "score": score_from(ridge_quality, contrast, natural),
            "orientation_resultant": p["orientation_resultant"], "period_spread": p["period_spread"],
            "ridge_period": p["ridge_period"], "interior_blocks": p["interior_blocks"], "naturalness": natural,
            "ridge_blocks": p["ridge_blocks"],
            "period": p["period"],
            "present": bool(k and k / fg.size >= 0.10 and m["quality"][fg].mean() >= 0.30 and contrast >= 20)}


def agree(frame: np.ndarray) -> None:
    got = QUALITY.measure(frame)
    want = reference_report(frame)
    for name in ("foreground_fraction", "coherence", "clarity", "contrast", "ridge_quality", "orientation_resultant",
                 "period_spread", "ridge_period", "naturalness"):
        assert getattr(got, name) == pytest.approx(want[name], rel=1e-9, abs=1e-9), name
    assert (got.score, got.present, got.interior_blocks) == (want["score"], want["present"], want["interior_blocks"])
    factors = pattern_factors(want["orientation_resultant"], want["period_spread"], want["interior_blocks"],
                              want["ridge_blocks"])
    assert got.problems == finger_problems(want["foreground_fraction"], want["contrast"], factors,
                                           want["ridge_quality"])
    np.testing.assert_allclose(QUALITY.block_array("period"), want["period"], rtol=1e-9, atol=1e-9)
    ref = reference(frame)
    bits = QUALITY.block_array("mask")
    assert np.array_equal(bits & 1 == 1, ref["mask"]) and np.array_equal(bits & 2 == 2, ref["ridge"])
    assert np.array_equal(bits & 4 == 4, ref["ridge_like"])
    for name in ("coherence", "clarity", "contrast", "quality"):
        np.testing.assert_allclose(QUALITY.block_array(name), ref[name], rtol=1e-9, atol=1e-9, err_msg=name)


@pytest.mark.parametrize("index", [0, 1, 2])
def test_samples_crops_and_views(index):
    image = PRINTS[index]
    agree(image)
    agree(image[17:301, 29:333])  # crop: row stride > width, odd offsets
    agree(image[::2, :])  # every other row: row stride = 2 widths
    agree(np.fliplr(image)[:, :].copy())
    agree(image.T.copy())


@pytest.mark.parametrize("shape", [(32, 32), (33, 47), (47, 33), (101, 77), (480, 640), (560, 416)])
def test_random_and_odd_sizes(shape):
    rng = np.random.default_rng(sum(shape))
    agree(rng.integers(0, 256, shape, dtype=np.uint8))
    agree(cv2.GaussianBlur(rng.integers(0, 256, shape, dtype=np.uint8), (0, 0), 1.5))


@settings(max_examples=40, deadline=None)
@given(hnp.arrays(np.uint8, hnp.array_shapes(min_dims=2, max_dims=2, min_side=32, max_side=80)))
def test_property_agrees_with_reference(frame):
    agree(frame)


@settings(max_examples=30, deadline=None)
@given(hnp.arrays(np.bool_, (12, 14)), hnp.arrays(np.uint8, (4,)))
def test_property_segment_invariants(blocks, seeds):
    """Any pattern of print blocks on a platen: boxes inside the frame, ordered, sized, finite; metrics finite."""
    texture = np.tile(PRINTS[int(seeds[0]) % 3][100:132, 100:132], (12 * 2, 14 * 2))[: 12 * 32, : 14 * 32]
    frame = np.where(np.kron(blocks, np.ones((32, 32), bool)), texture, 250).astype(np.uint8)
    boxes = SlapSegmenter(max_fingers=1 + seeds[1] % 4, min_blocks=1 + seeds[2] % 8).segment(frame)
    assert len(boxes) <= 1 + seeds[1] % 4
    assert [b.centre_x for b in boxes] == sorted(b.centre_x for b in boxes)
    for b in boxes:
        assert b.x >= 0 and b.y >= 0 and b.x + b.width <= frame.shape[1] and b.y + b.height <= frame.shape[0]
        assert 0 < b.area <= b.width * b.height and np.isfinite([b.centre_x, b.centre_y]).all()
    report = QUALITY.measure(frame)
    assert np.isfinite([report.coherence, report.clarity, report.contrast, report.ridge_quality]).all()
    assert 0 <= report.score <= 100


def test_flat_and_blank_frames():
    for value in (0, 128, 255):
        report = QUALITY.measure(np.full((64, 80), value, np.uint8))
        assert (report.score, report.present, report.foreground_fraction, report.coherence) == (0, False, 0.0, 0.0)


def test_samples_score_and_are_present():
    for image in PRINTS:
        report = QUALITY.measure(image)
        assert report.present and report.score >= 40 and 0.6 < report.coherence < 1


def test_a_whole_print_on_a_platen_larger_than_a_fingertip_is_not_diluted_by_the_empty_glass():
    """A scanner whose platen is larger than one fingertip (a 640x480 optical one): the same print scores about what
    it scores filling a frame of its own, where dividing by every block of the platen cut it to a third (issue 18,
    real CrossMatch V300 prints). The kernel still agrees with its reference there."""
    print_alone = np.ascontiguousarray(PRINTS[0][80:448, 60:352])  # 292 x 368 px: about one fingertip's blocks
    platen = np.full((480, 640), int(np.median(PRINTS[0][:20, :20])), np.uint8)  # the empty glass: flat
    platen[48:416, 176:468] = print_alone  # off the block grid, as a finger lands
    alone, on_platen = QUALITY.measure(print_alone), QUALITY.measure(platen)
    assert alone.score >= 40 and on_platen.score >= 0.85 * alone.score, (alone.score, on_platen.score)
    assert on_platen.foreground_fraction < 0.4  # most of the platen is empty glass (all blocks: a third the score)
    agree(platen)


@pytest.mark.parametrize("side", [640, 1200, 1600])
def test_a_whole_print_on_a_large_platen_is_not_called_unclear(side):
    """The operator's message judges the ridge area against the frame, or against the largest single-finger image
    (ANSI/NIST: 1.6 x 1.5 in) on a larger platen: a good print in the middle of a large platen passes without
    FINGER_UNCLEAR (at 1200 px it was under a fifth of the frame), while a fingertip's corner alone, and the empty
    glass, are still unclear."""
    glass = int(np.median(PRINTS[0][:20, :20]))
    platen = np.full((side, side), glass, np.uint8)
    h, w = PRINTS[0].shape
    platen[(side - h) // 2:(side + h) // 2, (side - w) // 2:(side + w) // 2] = PRINTS[0]
    whole = QUALITY.measure(platen)
    assert whole.score >= 40 and whole.problems == ()
    corner = np.full((side, side), glass, np.uint8)
    corner[side // 2:side // 2 + 100, side // 2:side // 2 + 100] = PRINTS[0][200:300, 150:250]
    assert QUALITY.measure(corner).problems == ("FINGER_UNCLEAR",)
    assert QUALITY.measure(np.full((side, side), glass, np.uint8)).problems == ("FINGER_UNCLEAR",)


def test_no_finger_on_blank_or_noise():
    rng = np.random.default_rng(7)
    for frame in (np.full((560, 416), 247, np.uint8), rng.integers(0, 256, (560, 416), dtype=np.uint8),
                  np.clip(rng.normal(240, 4, (560, 416)), 0, 255).astype(np.uint8)):
        report = QUALITY.measure(frame)
        assert not report.present and report.score < 10


@pytest.mark.parametrize("frame", [np.zeros((31, 64), np.uint8), np.zeros((64, 31), np.uint8),
                                   np.zeros((0, 0), np.uint8), np.zeros((64, 64), np.float32),
                                   np.zeros((64, 64, 3), np.uint8), np.zeros((64, 128), np.uint8)[:, ::2],
                                   np.zeros((64, 64), np.uint16), [[0] * 64] * 64],
                         ids=["31-rows", "31-cols", "empty", "float", "colour", "strided", "uint16", "list"])
def test_bad_frames(frame):
    with pytest.raises(ValueError):
        QUALITY.measure(frame)
    with pytest.raises(ValueError):
        SlapSegmenter().segment(frame)


def test_workspace_follows_frame_size():
    meter = FingerQuality()
    small, big = PRINTS[0][:200, :200], PRINTS[0]
    first = meter.measure(small)
    meter.measure(big)
    assert meter.measure(small) == first == FingerQuality().measure(small)


# --- slaps ---------------------------------------------------------------------------------------------------------

def finger_crop(index: int) -> np.ndarray:
    """A fingertip-sized crop (320x440) of a sample print."""
    return PRINTS[index % 3][60:500, 48:368]


def fingertip(index: int) -> np.ndarray:
    """A finger_crop masked to an ellipse (a fingertip's outline) on a white platen."""
    tip = finger_crop(index).copy()
    mask = np.zeros_like(tip)
    cv2.ellipse(mask, (160, 220), (158, 218), 0, 0, 360, 255, -1)
    tip[mask == 0] = 255
    return tip


def compose(placements: list[tuple[int, int, np.ndarray]], shape=(1500, 1600)) -> np.ndarray:
    """A white platen with the prints placed at (x, y); dark ridges win where prints meet."""
    canvas = np.full(shape, 255, np.uint8)
    for x, y, print_ in placements:
        h, w = print_.shape
        np.minimum(canvas[y:y + h, x:x + w], print_, out=canvas[y:y + h, x:x + w])
    return canvas


def check_boxes(boxes, placements) -> None:
    assert len(boxes) == len(placements)
    for box, (x, y, print_) in zip(boxes, placements, strict=True):
        h, w = print_.shape
        assert x - BLOCK <= box.x and box.x + box.width <= x + w + BLOCK, (box, x)
        assert y - BLOCK <= box.y and box.y + box.height <= y + h + BLOCK, (box, y)
        assert box.width * box.height >= 0.6 * w * h and box.area <= box.width * box.height
        assert box.x <= box.centre_x <= box.x + box.width and box.y <= box.centre_y <= box.y + box.height


def test_four_finger_slap():
    rng = np.random.default_rng(4)
    placements = [(40, 700, finger_crop(0)), (420, 420, finger_crop(1)), (800, 380, finger_crop(2)),
                  (1200, 560, cv2.resize(finger_crop(0), (280, 380)))]
    slap = compose(placements)
    slap[100:104, 100:110] = 0  # a speck
    slap = np.clip(slap + rng.normal(0, 2, slap.shape), 0, 255).astype(np.uint8)
    check_boxes(SlapSegmenter().segment(slap), placements)


@pytest.mark.parametrize("overlap", [0, 20, 40])
def test_touching_fingertips_are_split_at_column_valleys(overlap):
    placements = [(40 + i * (320 - overlap), 300 + dy, fingertip(i)) for i, dy in enumerate([120, 20, 0, 90])]
    slap = compose(placements)
    assert cv2.connectedComponentsWithStats(reference(slap)["ridge"].astype(np.uint8), connectivity=4)[0] == 2
    boxes = SlapSegmenter().segment(slap)
    assert len(boxes) == 4
    for box, (x, _, _) in zip(boxes, placements, strict=True):
        assert x <= box.centre_x <= x + 320 and abs(box.x - x) <= overlap + 2 * BLOCK


def test_one_print_is_never_split():
    segmenter = SlapSegmenter()
    for image in PRINTS:
        for view in (image, np.rot90(image).copy(), cv2.GaussianBlur(image, (0, 0), 1.0)):
            assert len(segmenter.segment(np.pad(view, ((300, 300), (400, 400)), constant_values=255))) == 1


def test_noisy_platen_is_not_a_finger():
    """Sensor noise (std 15) makes the whole platen foreground, but only the prints are ridge blocks."""
    placements = [(100 + i * 380, 350 + 40 * (i % 2), fingertip(i)) for i in range(4)]
    slap = compose(placements) * 0.9 + np.random.default_rng(9).normal(0, 15, (1500, 1600))  # platen at 230
    slap = np.clip(slap, 0, 255).astype(np.uint8)
    segmenter = SlapSegmenter()
    check_boxes(segmenter.segment(slap), placements)
    assert (segmenter.block_array("mask") & 1).mean() > 0.95


def test_kernel_error_codes():
    from native._native import ffi, lib

    meter = FingerQuality()
    meter.measure(PRINTS[0])
    ptr = ffi.cast("const uint8_t *", PRINTS[0].ctypes.data)
    out = ffi.new("struct fingerprint_quality *")
    assert lib.fingerprint_measure(ffi.NULL, 416, 560, 416, meter._params, meter._ws, out) == -1
    assert lib.fingerprint_measure(ptr, 416, 560, 415, meter._params, meter._ws, out) == -1  # stride < width
    assert lib.fingerprint_measure(ptr, 416, 15, 416, meter._params, meter._ws, out) == -1  # no whole block
    assert lib.fingerprint_measure(ptr, 400, 560, 416, meter._params, meter._ws, out) == -2  # other grid
    boxes, count = ffi.new("struct fingerprint_box[1]"), ffi.new("int *")
    assert lib.fingerprint_segment(meter._params, meter._ws, boxes, 0, count) == -1
    meter._params.block = 5  # out of 8..64: the wrapper turns the C error into an exception
    with pytest.raises(RuntimeError, match="code -1"):
        meter.measure(PRINTS[0])


def test_two_thumbs_and_a_crease():
    left, right = np.rot90(finger_crop(1)).copy(), np.rot90(finger_crop(2), 3).copy()
    left[200:240, :] = 255  # a pale crease across the left thumb cuts it in two; merged back into one box
    placements = [(150, 500, left), (900, 450, right)]
    slap = compose(placements)
    pieces = cv2.connectedComponentsWithStats(reference(slap)["ridge"].astype(np.uint8), connectivity=4)[2][1:]
    assert sum(p[cv2.CC_STAT_AREA] >= 40 for p in pieces) == 3
    boxes = SlapSegmenter(max_fingers=4).segment(slap)
    check_boxes(boxes, placements)


def test_segmentation_matches_connected_components():
    """Without splits or merges, boxes are OpenCV's 4-connected components of the reference ridge mask, by x."""
    placements = [(40, 100, finger_crop(0)), (500, 150, finger_crop(1)), (1000, 200, finger_crop(2))]
    slap = compose(placements)
    mask = reference(slap)["ridge"].astype(np.uint8)
    stats = cv2.connectedComponentsWithStats(mask, connectivity=4)[2]
    want = sorted((s for s in stats[1:] if s[cv2.CC_STAT_AREA] >= 40), key=lambda s: s[0])
    got = SlapSegmenter().segment(slap)
    assert [(b.x, b.y, b.width, b.height, b.area) for b in got] == [
        (s[0] * BLOCK, s[1] * BLOCK, s[2] * BLOCK, s[3] * BLOCK, s[4] * BLOCK * BLOCK) for s in want]


def test_empty_platen_has_no_boxes_and_max_fingers_is_kept():
    assert SlapSegmenter().segment(np.full((1500, 1600), 250, np.uint8)) == []
    placements = [(40 + 390 * i, 300, finger_crop(i)) for i in range(4)]
    boxes = SlapSegmenter(max_fingers=2).segment(compose(placements))
    assert len(boxes) == 2 and boxes[0].centre_x < boxes[1].centre_x
    with pytest.raises(ValueError):
        SlapSegmenter(max_fingers=0)
