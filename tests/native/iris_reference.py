"""A numpy reference of native/iris.c and its parts (iris_seed.c, iris_fit.c, iris_limbus.c, iris_annulus.c),
step by step, for the tests that check the C kernel against it (test_iris.py, test_iris_robust.py): the
constants are the C #defines, and `agree(frame)` asserts that every field of the kernel's metrics equals the
reference's to 1e-9.
"""

import cv2
import numpy as np
import pytest

from native.bench_modalities import SPECULAR, reflections_filled
from native.iris import FIELDS, IrisQuality

QUALITY = IrisQuality()

RAYS = 128
STAY = 5
GRID = 64
SHIFTS = 6
SEED_PER_SIDE = 16
MIN_RISE = 6.0
TRIMS = 4
SEEDS = 3
SMALLEST_IRIS = 100.0
OUTWARD = 3
CENTRE_PRIOR = 0.1
RING_STEP = 1.25
LATERAL = 0.7
MIN_LATERAL = 5.0
LID_STEP = 0.5
LONE_RING = 2.5
ANG = 2 * np.pi * np.arange(RAYS) / RAYS
COS, SIN = np.cos(ANG), np.sin(ANG)


def fit_circle(x, y, valid, ox, oy, band):
    """iris_fit_circle: mode-initialised algebraic circle fit with median trimming."""
    x, y, valid = np.asarray(x, float), np.asarray(y, float), np.asarray(valid, bool)
    dist = np.hypot(x - ox, y - oy)
    counts = np.where(valid, (valid[None] & (np.abs(dist[None] - dist[:, None]) <= band)).sum(axis=1), 0)
    if counts.max(initial=0) <= 0:
        return 0, None
    inlier = valid & (np.abs(dist - dist[int(np.argmax(counts))]) <= band)
    if inlier.sum() < 6:
        return 0, None
    x0, y0 = x[inlier].mean(), y[inlier].mean()
    for rnd in range(TRIMS + 1):
        u, w = x[inlier] - x0, y[inlier] - y0
        a = np.c_[u, w, np.ones_like(u)]
        try:
            p = np.linalg.solve(a.T @ a, a.T @ -(u * u + w * w))
        except np.linalg.LinAlgError:
            return 0, None
        r2 = p[0] ** 2 / 4 + p[1] ** 2 / 4 - p[2]
        if not r2 > 0:
            return 0, None
        cx, cy, r = x0 - p[0] / 2, y0 - p[1] / 2, np.sqrt(r2)
        if rnd == TRIMS:
            break
        res = np.abs(np.hypot(x - cx, y - cy) - r)
        keep = max(3 * np.median(res[inlier]), 0.05 * r, 1.5)
        inlier = valid & (res <= keep)
        if inlier.sum() < 6:
            return 0, None
    return int(inlier.sum()), (cx, cy, r, inlier)


def fit_harmonic(r, valid, tol):
    r, valid = np.asarray(r, float), np.asarray(valid, bool)
    n = len(r)
    ang = 2 * np.pi * np.arange(n) / n
    if not valid.any():
        return 0, None
    counts = np.where(valid, (valid[None] & (np.abs(r[None] - r[:, None]) <= 2 * tol)).sum(axis=1), -1)
    best = int(np.argmax(counts))
    inlier = valid & (np.abs(r - r[best]) <= 2 * tol)
    for rnd in range(TRIMS + 1):
        if inlier.sum() < 6:
            return 0, None
        a = np.c_[np.ones(n), np.cos(ang), np.sin(ang)][inlier]
        try:
            ridge = np.diag([0.0, 1.0, 1.0]) * CENTRE_PRIOR * inlier.sum() if rnd == TRIMS else 0.0
            p = np.linalg.solve(a.T @ a + ridge, a.T @ r[inlier])
        except np.linalg.LinAlgError:
            return 0, None
        if not p[0] > 0:
            return 0, None
        if rnd == TRIMS:
            break
        inlier = valid & (np.abs(r - (p[0] + p[1] * np.cos(ang) + p[2] * np.sin(ang))) <= tol)
    return int(inlier.sum()), (p[0], p[1], p[2], inlier)


def fill_reflections(img):
    """iris_seed.c's fill: the OpenCV baseline's, the same algorithm (native.bench_modalities.reflections_filled)."""
    return reflections_filled(img)


def local_mean(img):
    """The 3x3 mean iris.c classifies lids and lashes by; the pixel itself on the frame's outer ring."""
    h, w = img.shape
    out = img.astype(float)
    i = img.astype(int)
    out[1:-1, 1:-1] = sum(i[1 + dy: h - 1 + dy, 1 + dx: w - 1 + dx] for dy in (-1, 0, 1) for dx in (-1, 0, 1)) / 9.0
    return out


def dark_threshold(img):
    hist = np.bincount(img.ravel(), minlength=256)
    low = int(np.argmax(np.cumsum(hist) * 200 >= img.size))
    return low + int((img.mean() - low) / 4.0)


def seed_grid(img, threshold, side):
    """The >= 90 % dark windows binned on the coarse grid: counts, x sums, y sums (flat) and the grid size."""
    h, w = img.shape
    integral = np.zeros((h + 1, w + 1), np.int64)
    integral[1:, 1:] = np.cumsum(np.cumsum(img <= threshold, axis=0), axis=1)
    dark = integral[side:, side:] - integral[side:, :-side] - integral[:-side, side:] + integral[:-side, :-side]
    ny, nx = dark.shape
    cell = max(side, -(-nx // GRID), -(-ny // GRID))
    gw, gh = -(-nx // cell), -(-ny // cell)
    ys, xs = np.nonzero(dark >= int(0.9 * side * side + 0.5))
    g = (ys // cell) * gw + xs // cell
    return (np.bincount(g, minlength=gw * gh).astype(float), np.bincount(g, xs + side / 2.0, minlength=gw * gh),
            np.bincount(g, ys + side / 2.0, minlength=gw * gh), gw, gh)


def next_seed(grid, taken, reach):
    """The densest untaken 3x3 block, mean-shifted over the untaken cells; takes the cells it reached."""
    count, sum_x, sum_y, gw, gh = grid
    free = np.where(taken, 0.0, count).reshape(gh, gw)
    padded = np.pad(free, 1)
    block = sum(padded[1 + dj: 1 + dj + gh, 1 + di: 1 + di + gw] for dj in (-1, 0, 1) for di in (-1, 0, 1))
    if block.max() <= 0:
        return None
    best = int(np.argmax(block.ravel()))
    bj, bi = divmod(best, gw)
    near = np.zeros((gh, gw), bool)
    near[max(bj - 1, 0): bj + 2, max(bi - 1, 0): bi + 2] = True
    near = near.ravel() & ~taken
    x, y = sum_x[near].sum() / count[near].sum(), sum_y[near].sum() / count[near].sum()
    has = count > 0
    mx, my = np.where(has, sum_x / np.maximum(count, 1), 0), np.where(has, sum_y / np.maximum(count, 1), 0)
    for _ in range(SHIFTS):
        sel = has & ~taken & ((mx - x) ** 2 + (my - y) ** 2 <= reach * reach)
        if count[sel].sum() <= 0:
            break
        x, y = sum_x[sel].sum() / count[sel].sum(), sum_y[sel].sum() / count[sel].sum()
    taken |= has & ((mx - x) ** 2 + (my - y) ** 2 <= reach * reach)
    taken[best] = True
    return x, y


def rays(img, cx, cy, radii):
    """Grey at integer radii along the RAYS rays (nearest pixel), -1 outside the frame: shape (RAYS, len)."""
    h, w = img.shape
    radii = np.asarray(radii)
    px = np.floor(cx + radii[None] * COS[:, None] + 0.5).astype(int)
    py = np.floor(cy + radii[None] * SIN[:, None] + 0.5).astype(int)
    inside = (px >= 0) & (py >= 0) & (px < w) & (py < h)
    return np.where(inside, img[py.clip(0, h - 1), px.clip(0, w - 1)].astype(int), -1)


def pupil_pass(img, threshold, cx, cy, r0, r1, halo, band):
    radii = np.arange(r0 - 5, r1 + STAY + 6)  # a margin for the rise refinement
    v = rays(img, cx, cy, radii)
    ex, ey, valid = np.zeros(RAYS), np.zeros(RAYS), np.zeros(RAYS, bool)
    for i in range(RAYS):
        run, edge, last = 0, -1, -1000000
        for r in range(r0, r1 + STAY + 1):
            val = v[i, r - radii[0]]
            if val < 0:
                break
            if val >= SPECULAR:
                last = r
            if threshold < val < SPECULAR and r - last > halo:
                run += 1
                if run > STAY:
                    edge = r - STAY
                    break
            else:
                run = 0
        if edge < 0 or edge > r1 or edge - last <= halo + 1:
            continue
        best, best_rise = edge, -1000
        for r in range(edge - 3, edge + 4):
            if r - 2 < 0:
                continue
            hi, lo = v[i, r + 2 - radii[0]], v[i, r - 2 - radii[0]]
            if hi < 0 or lo < 0:
                continue
            if hi - lo > best_rise:
                best, best_rise = r, hi - lo
        ex[i], ey[i], valid[i] = cx + best * COS[i], cy + best * SIN[i], True
    return fit_circle(ex, ey, valid, cx, cy, band)


def limbus_edge(v, r0, r1, k, halo, start=None):
    """One limbus ray (v: greys at radii r0 - k .. r1 + k, -1 outside): the steepest k-mean rise from `start`
    (r0 if None) to r1, or -1."""
    spec = v >= SPECULAR
    idx = np.arange(len(v))
    near = np.zeros(len(v), bool)
    for j in np.nonzero(spec)[0]:
        near |= np.abs(idx - j) <= halo
    grey = np.where((v < 0) | near, -1.0, v.astype(float))
    ok = grey >= 0
    s = np.concatenate([[0.0], np.cumsum(np.where(ok, grey, 0.0))])
    n = np.concatenate([[0.0], np.cumsum(ok)])
    lo, best, best_rise = r0 - k, -1, MIN_RISE - 1e-9
    for r in range(max(r0, start if start is not None else r0), r1 + 1):
        n_in, n_out = n[r - lo] - n[r - k - lo], n[r + k + 1 - lo] - n[r + 1 - lo]
        if 2 * n_in < k or 2 * n_out < k:
            continue
        rise = (s[r + k + 1 - lo] - s[r + 1 - lo]) / n_out - (s[r - lo] - s[r - k - lo]) / n_in
        if rise > best_rise:
            best, best_rise = r, rise
    return best


def ray_mean(img, cx, cy, use, lo, hi):
    total, n = 0.0, 0
    for i in range(RAYS):
        if use is not None and not use[i]:
            continue
        if hi[i] < lo[i]:
            continue
        v = rays(img, cx, cy, np.arange(lo[i], hi[i] + 1))[i]
        good = (v >= 0) & (v < SPECULAR)
        total += v[good].sum()
        n += int(good.sum())
    return total / n if n else 0.0


def ring_beyond(v, fit, l_lo, l_hi, k, halo, tol):
    """The steepest rise on each ray beyond the circle `fit` by 2 tol, fitted: (inliers, fit)."""
    ir, ia, ib = fit[:3]
    start = np.ceil(ir + ia * COS + ib * SIN + 2 * tol).astype(int)
    outer = np.array([limbus_edge(v[i], l_lo, l_hi, k, halo, start[i]) if start[i] <= l_hi else -1
                      for i in range(RAYS)], float)
    return fit_harmonic(outer, outer >= 0, tol)


def both_sides(inlier):
    return (inlier & (COS > 0.5)).sum() >= RAYS // 32 and (inlier & (COS < -0.5)).sum() >= RAYS // 32


def lateral_contrast(img, px, py, fit, k, pupil):
    """ISO iris-sclera contrast across the circle on the rays with |cos| >= LATERAL, or None when not judged."""
    model = (fit[0] + fit[1] * COS + fit[2] * SIN).astype(int)
    greys = []
    for z in (0, 1):
        vals = []
        for i in np.nonzero(np.abs(COS) >= LATERAL)[0]:
            radii = np.arange(model[i] + k, model[i] + 3 * k + 1) if z else np.arange(model[i] - 3 * k,
                                                                                        model[i] - k + 1)
            v = rays(img, px, py, radii)[i]
            vals.extend(v[(v >= 0) & (v < SPECULAR)])
        if len(vals) < 16 * k:
            return None
        greys.append(np.mean(vals))
    iris, sclera = greys
    span = sclera + iris - 2 * pupil
    return 100 * (sclera - iris) / span if span > 0 and sclera > iris else 0.0


def limbus(img, px, py, pr, pupil, halo):
    """iris.c's limbus(): per-ray steepest rise, harmonic fit, the outer ring that replaces a collarette, then the
    lateral contrast check and its rings out; (inliers or 0, fit, rays with an edge, lateral contrast or -1)."""
    short = min(img.shape)
    k = max(int(pr / 8.0), 3)
    l_lo, l_hi = int(1.4 * pr), min(int(5.0 * pr), int(0.6 * short))
    if l_lo + 2 > l_hi:
        return 0, None, 0, -1.0
    v = rays(img, px, py, np.arange(l_lo - k, l_hi + k + 1))
    edges = np.array([limbus_edge(v[i], l_lo, l_hi, k, halo) for i in range(RAYS)], float)
    count = int((edges >= 0).sum())
    tol = max(pr / 10.0, 2.0)
    n, fit = fit_harmonic(edges, edges >= 0, tol)
    if n < RAYS // 6 or fit[0] <= pr:
        return 0, None, count, -1.0
    for _step in range(OUTWARD):
        ir, ia, ib, _ = fit
        inner = ir + ia * COS + ib * SIN
        n2, fit2 = ring_beyond(v, fit, l_lo, l_hi, k, halo, tol)
        if n2 < RAYS // 6 or fit2[0] < RING_STEP * ir:
            break
        r2, a2, b2, in2 = fit2
        if not both_sides(in2):
            break
        out_r = r2 + a2 * COS + b2 * SIN
        zones = [ray_mean(img, px, py, in2, lo.astype(int), hi.astype(int)) for lo, hi in (
            (inner - 2 * k, inner - k), (inner + k, out_r - k), (out_r + k, out_r + 2 * k))]
        if zones[2] - zones[1] < zones[1] - zones[0]:
            break
        n, fit = n2, fit2
    kept = (n, fit, lateral_contrast(img, px, py, fit, k, pupil))
    if kept[2] is None:
        return n, fit, count, -1.0
    contrast, step = kept[2], 0
    while contrast < MIN_LATERAL:
        n2, fit2 = ring_beyond(v, fit, l_lo, l_hi, k, halo, tol) if step < OUTWARD else (0, None)
        if n2 < RAYS // 6 or fit2[0] <= fit[0] or not both_sides(fit2[3]):
            return kept[0], kept[1], count, kept[2]  # no ring with sclera beside it: the first circle stays
        n, fit, step = n2, fit2, step + 1
        contrast = lateral_contrast(img, px, py, fit, k, pupil)
        if contrast is None:
            return n, fit, count, -1.0
    return n, fit, count, contrast


def lid_starts(img, px, py, pr, model, dark, bright, run_len):
    """iris.c's lid_starts: per ray, inward from the limbus while >= half of the last 2 run_len samples are not
    iris grey; the innermost such sample, when >= run_len of the samples passed were bright."""
    lid = np.full(RAYS, np.inf)
    window = 2 * run_len
    for i in range(RAYS):
        r0, r1 = int(pr + 2.0), int(model[i])
        flags, lit, innermost = [], 0, -1
        for r in range(r1, r0 - 1, -1):
            v = rays(img, px, py, [r])[i, 0]
            flags.append(v > bright or 0 <= v < dark)
            if len(flags) >= window and 2 * sum(flags[-window:]) < window:
                break
            if flags[-1]:
                innermost = r
            lit += v > bright
        if lit >= run_len and innermost >= 0:
            lid[i] = innermost
    return np.array([np.median(np.take(lid, np.arange(i - 2, i + 3), mode="wrap")) for i in range(RAYS)])


def lone_pupil(img, n, x, y, r, out):
    """iris_annulus.c's iris_lone_pupil: no limbus, the best pupil and the reflections' share out to LONE_RING r."""
    if n == 0:
        return out
    h, w = img.shape
    inner, outer = r + 2.0, LONE_RING * r
    gy, gx = np.mgrid[max(int(np.floor(y - outer)), 0): min(int(np.ceil(y + outer)), h - 1) + 1,
                      max(int(np.floor(x - outer)), 0): min(int(np.ceil(x + outer)), w - 1) + 1]
    d2 = (gx - x) ** 2 + (gy - y) ** 2
    ring = (d2 > inner * inner) & (d2 <= outer * outer)
    seen = int(ring.sum())
    out.update(pupil_x=x, pupil_y=y, pupil_radius=r, pupil_inliers=n,
               specular_fraction=(img[gy, gx][ring] >= SPECULAR).sum() / seen if seen else 0.0)
    return out


def reference(img: np.ndarray) -> dict:
    """native/iris.c's algorithm, step by step, in numpy."""
    img = np.ascontiguousarray(img)
    h, w = img.shape
    out = dict.fromkeys(FIELDS, 0)
    out["found"] = False
    filled = fill_reflections(img)
    threshold = dark_threshold(filled)
    out["dark_threshold"] = threshold
    short = min(w, h)
    side = short // SEED_PER_SIDE
    grid = seed_grid(filled, threshold, side)
    taken = np.zeros(grid[3] * grid[4], bool)
    p_lo, p_hi, halo = max(side // 8, 2), int(0.3 * short), max(side // 3, STAY)
    best, best_key = (0, 0, 0.0, 0.0, 0.0, None, 0, 0.0, -1.0), (False, False)
    lone = (0, 0.0, 0.0, 0.0)  # the pupil with the most agreeing rays, limbus or not
    for _ in range(SEEDS):
        seed = next_seed(grid, taken, 3.0 * side)
        if seed is None:
            break
        x, y, r, n = seed[0], seed[1], 0.0, 0
        for _pass in range(2):
            n, fit = pupil_pass(filled, threshold, x, y, p_lo, p_hi, halo, side / 2.0)
            if n < RAYS // 4 or fit[2] < 3.0:
                n = 0
                break
            x, y, r = fit[0], fit[1], fit[2]
        if n == 0:
            continue
        if n > lone[0]:
            lone = (n, x, y, r)
        pupil = ray_mean(filled, x, y, None, [int(r / 2.0)] * RAYS, [int(r) - 2] * RAYS)
        limbus_n, fit, edges, lateral = limbus(img, x, y, r, pupil, halo)
        key = (lateral < 0 or lateral >= MIN_LATERAL, limbus_n > 0 and 2 * fit[0] >= SMALLEST_IRIS)
        if limbus_n > 0 and (*key, n + limbus_n) > (*best_key, best[0] + best[1]):
            best, best_key = (n, limbus_n, x, y, r, fit, edges, pupil, lateral), key
    pupil_n, limbus_n, px, py, pr, fit, edges, pupil, lateral = best
    if limbus_n == 0:
        return lone_pupil(img, *lone, out)
    ir, ia, ib, inlier = fit
    out.update(found=True, pupil_x=px, pupil_y=py, pupil_radius=pr, iris_x=px + ia, iris_y=py + ib, iris_radius=ir,
               iris_diameter=2 * ir, pupil_inliers=pupil_n, limbus_edges=edges,
               limbus_inliers=limbus_n, limbus_contrast=lateral)
    model = ir + ia * COS + ib * SIN
    band = (model - pr) / 4.0
    iris = ray_mean(img, px, py, inlier, (pr + band).astype(int), (model - band).astype(int))
    sclera = ray_mean(img, px, py, inlier, model.astype(int) + 3, model.astype(int) + 8)
    out.update(pupil_grey=pupil, iris_grey=iris, sclera_grey=sclera, pupil_contrast=(iris - pupil) / 255,
               iris_contrast=(sclera - iris) / 255)
    inner, outer = pr + 2.0, ir - 2.0
    lx, ly = px + ia, py + ib
    gy, gx = np.mgrid[int(np.floor(ly - outer)): int(np.ceil(ly + outer)) + 1,
                      int(np.floor(lx - outer)): int(np.ceil(lx + outer)) + 1]
    ring = ((gx - lx) ** 2 + (gy - ly) ** 2 <= outer * outer) & ((gx - px) ** 2 + (gy - py) ** 2 > inner * inner)
    inside = (gx >= 0) & (gy >= 0) & (gx < w) & (gy < h)
    val = img[gy.clip(0, h - 1), gx.clip(0, w - 1)].astype(int)
    total = ring.sum()
    if total == 0:
        return out
    specular = ring & inside & (val >= SPECULAR)
    local = local_mean(img)[gy.clip(0, h - 1), gx.clip(0, w - 1)]
    lid = lid_starts(img, px, py, pr, model, (pupil + iris) / 2, iris + LID_STEP * (sclera - iris),
                     min(max(int(pr / 8.0), 3), 64))
    ray = np.mod(np.floor(np.arctan2(gy - py, gx - px) / (2 * np.pi) * RAYS + 0.5).astype(int), RAYS)
    lidded = (gx - px) ** 2 + (gy - py) ** 2 >= lid[ray] ** 2
    off = ring & inside & ~specular & (lidded | (local < (pupil + iris) / 2))
    occluded = off.sum() + (ring & ~inside).sum()
    usable = ring & inside & ~specular & ~off & (gx >= 1) & (gy >= 1) & (gx < w - 1) & (gy < h - 1)
    out.update(specular_fraction=specular.sum() / total, occluded_fraction=occluded / total,
               usable_fraction=1 - specular.sum() / total - occluded / total)
    if usable.any():
        lap = cv2.Laplacian(img, cv2.CV_64F, borderType=cv2.BORDER_REPLICATE)
        out["annulus_sharpness"] = lap[gy[usable], gx[usable]].var()
    return out


def agree(frame: np.ndarray) -> None:
    got = QUALITY.metrics(frame)
    ref = reference(frame)
    for name in FIELDS:
        assert getattr(got, name) == pytest.approx(ref[name], rel=1e-9, abs=1e-9), name
