"""numpy/OpenCV reference of the fingerprint pattern checks in native/fingerprint.c (period_variety and the
orientation resultant), written the plain array way so a test can hold the C kernel to it.

It takes the ridge-like block mask from outside (the block metrics have their own reference in
tests/native/test_fingerprint.py) and recomputes everything else from the pixels: Sobel gradients (none on the
one-pixel image border), per-block sums, the unit doubled-angle vectors, the period estimate
16 pi sqrt(var * n / (gxx + gyy)) and the interior blocks (all 8 neighbours have a period).
"""

import cv2
import numpy as np


def pattern_reference(frame: np.ndarray, ridge_like: np.ndarray, block: int = 16) -> dict:
    """Per-block `period` and the frame-level pattern numbers of struct fingerprint_quality, for `frame` (2-D
    uint8) whose ridge-like blocks are `ridge_like` (bool, blocks_y x blocks_x)."""
    img = np.ascontiguousarray(frame).astype(np.float64)
    h, w = img.shape
    by, bx, n = h // block, w // block, block * block
    gx = cv2.Sobel(img, cv2.CV_64F, 1, 0, ksize=3)
    gy = cv2.Sobel(img, cv2.CV_64F, 0, 1, ksize=3)
    gx[[0, -1], :] = gx[:, [0, -1]] = gy[[0, -1], :] = gy[:, [0, -1]] = 0

    def sums(a: np.ndarray) -> np.ndarray:
        return a[: by * block, : bx * block].reshape(by, block, bx, block).sum(axis=(1, 3))

    s, ss = sums(img), sums(img * img)
    gxx, gyy, gxy = sums(gx * gx), sums(gy * gy), sums(gx * gy)
    d, e, energy = gxx - gyy, 2.0 * gxy, gxx + gyy
    r = np.hypot(d, e)
    var = (ss * n - s * s) / (n * n)
    oriented = ridge_like & (r > 0)
    count = int(oriented.sum())
    resultant = float(np.hypot((d[oriented] / r[oriented]).sum(), (e[oriented] / r[oriented]).sum()) / count) \
        if count else 0.0
    period = np.zeros((by, bx))
    has = ridge_like & (energy > 0)
    period[has] = 16.0 * np.pi * np.sqrt(var[has] * n / energy[has])
    interior = np.zeros((by, bx), bool)
    if by >= 3 and bx >= 3:
        inner = np.ones((by - 2, bx - 2), bool)
        for dy in (-1, 0, 1):
            for dx in (-1, 0, 1):
                inner &= period[1 + dy: by - 1 + dy, 1 + dx: bx - 1 + dx] > 0
        interior[1:-1, 1:-1] = inner
    logs = np.log(period[interior])
    k = len(logs)
    return {"period": period, "ridge_blocks": int(ridge_like.sum()), "oriented_blocks": count,
            "orientation_resultant": resultant, "interior_blocks": k,
            "ridge_period": float(np.exp(logs.mean())) if k else 0.0,
            "period_spread": float(np.sqrt(max(0.0, (logs * logs).mean() - logs.mean() ** 2))) if k else 0.0}
