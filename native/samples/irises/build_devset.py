"""Build the iris development set: 585 real near-infrared eyes from four research databases, and
`circles_usable.tsv`, the hand-drawn pupil and limbus circles and usable share for 435 of them.

Why: the iris gate is measured on real eyes (`sinopsis quality --eval-irises`, docs/architecture.md, Iris quality
score, "Measured on real eyes"), and only circles someone drew by hand can tell right circles from wrong ones. The
images are research-licensed, so they are not committed; this script rebuilds the folder from public snapshots.
Tests never run it. It is a maintainer's tool: it needs opencv-python-headless, numpy, scipy and h5py (IRISSEG-CC's
circle files are MATLAB 7.3, i.e. HDF5; its eyelid files MATLAB 5), e.g. in a scratch venv.

Sources (public GitHub repositories, repository @ commit; the database owners' terms apply):
- CASIA-IrisV1, 108 eyes, 320 x 280 BMP: QifanJiang/Iris-Recognization-Project @ f4c12f99 (`CASIA Iris Image
  Database (version 1.0)/`). CASIA (CBSR, Institute of Automation, Chinese Academy of Sciences): research use only,
  no redistribution, acknowledge CASIA.
- CASIA-Iris-Interval (CASIA-IrisV3), 249 subjects, 320 x 280 JPEG: pengmenghao/IRIS @ 00bb7df6, branch `master`
  (`CASIA-Iris-Interval/`). CASIA's terms as above.
- IITD Iris Database v1.0, 224 subjects, 320 x 240 BMP: terror26/IRIS-SCANNER @ b9bb3820 (`IITDatabase/`). IIT Delhi:
  research and non-commercial use only; acknowledge "IIT Delhi Iris Database version 1.0".
- MMU1 (MMU Iris Database), 45 subjects, 320 x 240 BMP: Felixned/BiometricSystems @ 91d2c7d8 (`MMU-Iris-Database/`).
  Multimedia University: all rights reserved, no distribution; acknowledge the MMU Iris Database.
- CASIA-Interval truth, IRISSEG-CC (Halmstad University; Alonso-Fernandez and Bigun, ICPR 2014), MIT licence:
  HalmstadUniversityBiometrics/Iris-Segmentation-Groundtruth-Database @ f8b4f08a,
  `CASIA-IrisV3-Interval_groundtruth.zip` unzipped (pupil and limbus circles per image; eyelid circles in
  `*_eyelids_circles.mat`).
- IITD truth, IRISSEG-EP operator A (University of Salzburg; Hofbauer et al., ICPR 2014; research use, cite them),
  as the 224 x 224 copy in wowotou1022/IrisSegment @ 92a5769e (`Data/IITD/guassian_noise_224/{train,test}/mask/
  OperatorA_<subject>-<A|B>_<nn>.tiff`, image `IITDatabase/<subject>/<nn>_<L|R>.bmp`; no licence file).
- MMU1 truth: jkozlova/Masks-for-MMU-Iris-dataset @ 3f776d97 (`Dataset/mask/<k>/<eye>/<n>.bmp`; no licence file;
  Ganeeva and Myasnikov). Their subject k is the k-th image folder in numeric order (the images skip folder 4),
  their left and right are the image folders' right and left, and their n is the image's n (checked by the overlap
  of each mask's pupil with the darkest blob: for 418 of the 450 that image overlaps best of its subject's ten, the
  rest are near ties; and by drawing).

Which images (a rule that never looks at the pixels): per database the subjects in sorted order; each subject's
images sorted, split by eye (CASIA-IrisV1: by session) and interleaved (first of the first eye, first of the
second, second of the first...); then round robin: every subject's first image, then every subject's second, and
so on, until COUNTS is reached. So one image per subject where the database has enough subjects, and MMU1's 135 are
each subject's left 1, right 1 and left 2.

Truth, in the image's pixels (0-based, x right, y down): CASIA-Interval's circles as drawn (MATLAB's 1-based
(row, column) moved to 0-based (x, y)), usable = the annulus inside both eyelid circles, as the archive's
`CASIA_IrisV3_Interval_plot_mask_from_mat.m` builds the mask. IITD (mask scaled to 320 x 240) and MMU1: circles
fitted to the mask, pupil to its inner and limbus to its outer boundary, seen on 360 rays from the widest point the
mask leaves out inside its hull (the pupil): of the circles through three lateral edges (within 45 degrees of
horizontal, which lids seldom cut), the one most rays on both sides agree with (within 4 %), the limbus only around
the pupil (centres within R / 4), refitted on those rays; the pupil's centre counts as PRIOR more points of the
limbus fit, so that a squinting eye's short lateral arcs do not place its height alone. usable = the mask's share of
the annulus between the circles, pixels outside the frame counting as not usable. A row is dropped (the image kept)
when its truth file is missing or broken: fewer than 40 rays on a circle, a pupil not inside the iris or outside
0.1-0.85 of its radius, a pupil not darker than the iris, or (IITD) a 224 x 224 copy that is not this image
(correlation under 0.9).

Usage (each DIR a checkout of its snapshot, e.g. extracted with `git archive`, or file by file where a snapshot
lacks some large files it does not need; --irisseg-cc DIR is where its CASIA-IrisV3-Interval zip was unzipped):
    python native/samples/irises/build_devset.py --casia-v1 DIR --casia-interval DIR --iitd DIR --mmu1 DIR \\
        --irisseg-cc DIR --iitd-masks DIR --mmu1-masks DIR --out /tmp/irises
    sinopsis quality --eval-irises --irises-dir /tmp/irises --iris-truth /tmp/irises/circles_usable.tsv
"""

import argparse
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np

COUNTS = {"CASIA-IrisV1": 150, "CASIA-Iris-Interval": 150, "IITD-v1": 150, "MMU1": 135}
HEADER = "file\tpupil_x\tpupil_y\tpupil_r\tiris_x\tiris_y\tiris_r\tusable"
PRIOR = 4  # how many boundary points the pupil's centre weighs as in a limbus fit (fit)
Circle = tuple[float, float, float]  # x, y, r
Truth = tuple[Circle, Circle, float | None]  # pupil, limbus, usable share


def choose(subjects: dict[str, list[list[Path]]], count: int) -> list[Path]:
    """`count` images by the docstring's rule: each subject's sorted eye lists interleaved, then round robin."""
    queues = []
    for name in sorted(subjects):
        eyes = [sorted(e) for e in subjects[name] if e]
        queues.append([p for i in range(max(map(len, eyes), default=0)) for e in eyes if i < len(e) for p in [e[i]]])
    chosen = [q[i] for i in range(max(map(len, queues), default=0)) for q in queues if i < len(q)]
    return chosen[:count]


def split(files: list[Path], key: Callable[[Path], str]) -> list[list[Path]]:
    """`files` grouped by `key` (eye or session), groups in key order."""
    groups: dict[str, list[Path]] = {}
    for f in files:
        groups.setdefault(key(f), []).append(f)
    return [groups[k] for k in sorted(groups)]


def fit(points: np.ndarray, towards: Circle | None = None) -> Circle:
    """Least-squares circle through `points` (N x 2): algebraic (Kasa), then geometric (Gauss-Newton). With
    `towards` (the pupil), its centre weighs as PRIOR points would: where lids leave only short lateral arcs, the
    arcs do not fix the limbus's height and the pupil's centre does; where the arcs do, it moves a circle by ~1 %."""
    x, y = points[:, 0], points[:, 1]
    a, b, c = np.linalg.lstsq(np.column_stack([x, y, np.ones_like(x)]), x * x + y * y, rcond=None)[0]
    cx, cy, r = a / 2, b / 2, float(np.sqrt(max(c + a * a / 4 + b * b / 4, 1.0)))
    for _ in range(10 if towards is not None else 0):
        d = np.maximum(np.hypot(x - cx, y - cy), 1e-6)
        jac = np.column_stack([(cx - x) / d, (cy - y) / d, -np.ones_like(x)])
        res = d - r
        w = np.sqrt(PRIOR)
        jac = np.vstack([jac, [[w, 0, 0], [0, w, 0]]])
        res = np.concatenate([res, [w * (cx - towards[0]), w * (cy - towards[1])]])
        step = np.linalg.lstsq(jac, -res, rcond=None)[0]
        cx, cy, r = cx + step[0], cy + step[1], r + step[2]
    return float(cx), float(cy), float(r)


def ray_edges(mask: np.ndarray, cx: float, cy: float, inner: bool) -> tuple[np.ndarray, np.ndarray]:
    """(angles, points) where each of 360 rays from (cx, cy) first enters `mask` (inner) or last leaves it (outer);
    rays without an edge, or whose outer edge is the frame's, give none."""
    h, w = mask.shape
    radii = np.arange(0, max(h, w), 0.5)
    angles, points = [], []
    for a in np.deg2rad(np.arange(360)):
        x, y = cx + radii * np.cos(a), cy + radii * np.sin(a)
        xi, yi = np.rint(x).astype(int), np.rint(y).astype(int)
        inside = (xi >= 0) & (xi < w) & (yi >= 0) & (yi < h)
        on = np.zeros(len(radii), bool)
        on[inside] = mask[yi[inside], xi[inside]]
        hits = np.flatnonzero(on)
        if not len(hits):
            continue
        i = hits[0] if inner else hits[-1]
        if not inner and (i + 1 >= len(radii) or not inside[i + 1]):
            continue
        angles.append(a)
        points.append((x[i], y[i]))
    return np.array(angles), np.array(points).reshape(-1, 2)


def robust_circle(mask: np.ndarray, cx: float, cy: float, inner: bool,
                  around: Circle | None = None) -> tuple[Circle, int]:
    """The circle of `mask`'s inner or outer boundary seen from (cx, cy), and how many rays support it: the circle
    through three lateral edges (within 45 degrees of horizontal) that the most rays on both sides agree with
    (within 4 %; 400 seeded draws; a lid's chord has no partner on the far side), refitted on those rays. With
    `around` (the pupil), only a limbus around it: containing it, centres within a quarter of the limbus radius
    (a lid's curve is fitted by a far larger circle centred far below or above)."""
    angles, points = ray_edges(mask, cx, cy, inner)
    lateral = np.flatnonzero(np.abs(np.sin(angles)) < np.sin(np.deg2rad(45)))
    if len(lateral) < 10:
        return (cx, cy, 0.0), 0
    side = np.cos(angles) > 0

    def agree(circle: Circle) -> np.ndarray:
        return np.abs(np.hypot(*(points - circle[:2]).T) - circle[2]) <= max(1.5, 0.04 * circle[2])

    rng = np.random.default_rng(0)
    best: tuple[Circle, int] = ((cx, cy, 0.0), 0)
    for _ in range(400):
        circle = fit(points[rng.choice(lateral, 3, replace=False)])
        for _ in range(3):
            if not 3 < circle[2] < max(mask.shape) or (around is not None and (
                    np.hypot(circle[0] - around[0], circle[1] - around[1]) > 0.25 * circle[2]
                    or circle[2] < 1.2 * around[2])):
                break
            keep = agree(circle)
            support = int(min(keep[side].sum(), keep[~side].sum()) * 2)
            if support <= best[1]:
                break
            best = (circle, support)
            circle = fit(points[keep])
    if best[1] == 0:
        return best
    return fit(points[agree(best[0])], around), best[1]


def annulus_share(pupil: Circle, iris: Circle, keep: np.ndarray) -> float:
    """The share of the lattice points between `pupil` and `iris` that `keep` (image-sized) keeps; points outside
    the frame count as not kept."""
    x0, y0, r = iris
    xs, ys = np.meshgrid(np.arange(np.floor(x0 - r), np.ceil(x0 + r) + 1),
                         np.arange(np.floor(y0 - r), np.ceil(y0 + r) + 1))
    ring = ((xs - x0) ** 2 + (ys - y0) ** 2 <= r * r) & ((xs - pupil[0]) ** 2 + (ys - pupil[1]) ** 2 >= pupil[2] ** 2)
    xi, yi = xs[ring].astype(int), ys[ring].astype(int)
    inside = (xi >= 0) & (xi < keep.shape[1]) & (yi >= 0) & (yi < keep.shape[0])
    return float(keep[yi[inside], xi[inside]].sum()) / max(1, int(ring.sum()))


def from_mask(mask: np.ndarray) -> Truth | None:
    """Pupil and limbus fitted to an iris mask (True = iris), and its usable share; None when broken."""
    if mask.sum() < 500:
        return None
    hull = np.zeros(mask.shape, np.uint8)  # the pupil: the widest place inside the mask's hull that it leaves out
    cv2.fillConvexPoly(hull, cv2.convexHull(cv2.findNonZero(mask.astype(np.uint8))), 1)
    depth = cv2.distanceTransform((hull & ~mask).astype(np.uint8), cv2.DIST_L2, 5)
    cy, cx = np.unravel_index(np.argmax(depth), depth.shape)
    pupil, n_pupil = robust_circle(mask, cx, cy, inner=True)
    iris, n_iris = robust_circle(mask, pupil[0], pupil[1], inner=False, around=pupil)
    if min(n_iris, n_pupil) < 40:
        return None
    return pupil, iris, annulus_share(pupil, iris, mask)


def plausible(truth: Truth, grey: np.ndarray) -> bool:
    """Circles a hand could have drawn on this eye: pupil inside the iris, 0.1-0.85 of its radius, darker than it."""
    (px, py, pr), (ix, iy, ir), _ = truth
    if not (0.1 * ir < pr < 0.85 * ir and np.hypot(px - ix, py - iy) + pr <= ir + 2):
        return False
    yy, xx = np.mgrid[: grey.shape[0], : grey.shape[1]]
    d_pupil, d_iris = np.hypot(xx - px, yy - py), np.hypot(xx - ix, yy - iy)
    return bool(np.median(grey[d_pupil < 0.8 * pr]) < np.median(grey[(d_pupil > 1.2 * pr) & (d_iris < 0.9 * ir)]) - 10)


def casia_interval_files(cc: Path) -> dict[str, tuple[Path, Path]]:
    """IRISSEG-CC's files per image stem (e.g. S1001L01): its circles and its eyelid circles, read from the tree
    once (not walked again for each image)."""
    seg = {p.stem: p for p in cc.rglob("*_manual_segmentation/*.mat")}
    lids = {p.stem.removesuffix("_eyelids_circles"): p
            for p in cc.rglob("*_manual_occlusion_eyelids/*_eyelids_circles.mat")}
    return {stem: (seg[stem], lids[stem]) for stem in seg.keys() & lids.keys()}


def casia_interval_truth(files: dict[str, tuple[Path, Path]], stem: str) -> Truth | None:
    """IRISSEG-CC's circles for `stem` (e.g. S1001L01), and the share of the annulus inside both eyelid circles."""
    import h5py  # only here: the rest of the script runs without them
    import scipy.io

    if stem not in files:
        return None
    seg, lids = files[stem]
    with h5py.File(seg, "r") as f:  # MATLAB 7.3; centres are 1-based (row, column)
        (prow, pcol), (srow, scol) = f["CC_PUPIL"][()].ravel(), f["CC_SCLERA"][()].ravel()
        pupil = (float(pcol) - 1, float(prow) - 1, float(f["RADIO_PUPIL"][()].ravel()[0]))
        iris = (float(scol) - 1, float(srow) - 1, float(f["RADIO_SCLERA"][()].ravel()[0]))
    eyelids = scipy.io.loadmat(lids)  # (x, y, r), 1-based; the mask keeps what is inside both
    yy, xx = np.mgrid[:280, :320]
    keep = np.ones((280, 320), bool)
    for name in ("upper_eyelid", "lower_eyelid"):
        x, y, r = eyelids[name].ravel()[:3]
        keep &= (xx - (x - 1)) ** 2 + (yy - (y - 1)) ** 2 < r * r
    return pupil, iris, annulus_share(pupil, iris, keep)


def iitd_truth(masks: dict[tuple[str, str], Path], image: Path, grey: np.ndarray) -> Truth | None:
    """The IRISSEG-EP operator-A mask of IITDatabase/<subject>/<nn>_<eye>.bmp, scaled to the image, its circles."""
    key = (image.parent.name, image.name[:2])
    if key not in masks:
        return None
    small = cv2.imread(str(masks[key].parent.parent / "img" / f"{masks[key].stem}.bmp"), cv2.IMREAD_GRAYSCALE)
    if small is None or np.corrcoef(small.ravel(), cv2.resize(grey, (224, 224), interpolation=cv2.INTER_AREA).ravel()
                                    )[0, 1] < 0.9:
        return None  # the 224 x 224 copy is not this image
    mask = cv2.imread(str(masks[key]), cv2.IMREAD_GRAYSCALE)
    return from_mask(cv2.resize(mask, grey.shape[::-1], interpolation=cv2.INTER_LINEAR) >= 128)


def main() -> None:
    """Copy the chosen images into OUT/<group>/ byte for byte and write OUT/circles_usable.tsv."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    for name in ("casia-v1", "casia-interval", "iitd", "mmu1", "irisseg-cc", "iitd-masks", "mmu1-masks"):
        parser.add_argument(f"--{name}", type=Path, required=True, help="a checkout of the snapshot (docstring)")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()

    v1 = next(args.casia_v1.glob("CASIA Iris Image Database*"))
    interval = args.casia_interval / "CASIA-Iris-Interval"
    iitd = args.iitd / "IITDatabase"
    mmu = args.mmu1 / "MMU-Iris-Database"
    mmu_folders = sorted((d for d in mmu.iterdir() if d.name.isdigit()), key=lambda d: int(d.name))
    digit = re.compile(r"(\d+)\.bmp$")
    subjects = {
        "CASIA-IrisV1": {d.name: split(sorted(d.glob("*/*.bmp")), lambda p: p.parent.name) for d in v1.iterdir()
                         if d.name.isdigit()},
        "CASIA-Iris-Interval": {d.name: split(sorted(d.glob("*/*.jpg")), lambda p: p.parent.name)
                                for d in interval.iterdir() if d.name.isdigit()},
        "IITD-v1": {d.name: split(sorted(d.glob("*.bmp")), lambda p: p.stem[-1]) for d in iitd.iterdir()
                    if d.name.isdigit()},
        "MMU1": {d.name.zfill(2): [sorted(d.glob(f"{eye}/*.bmp"), key=lambda p: int(digit.search(p.name)[1]))
                                   for eye in ("left", "right")] for d in mmu_folders},
    }
    iitd_masks = {(m.stem[10:13], m.stem[-2:]): m  # OperatorA_<subject>-<A|B>_<nn>
                  for m in sorted(args.iitd_masks.rglob("OperatorA_*.tiff")) if m.parent.name == "mask"}
    mmu_index = {d.name: k for k, d in enumerate(mmu_folders, 1)}
    cc_files = casia_interval_files(args.irisseg_cc)

    rows = [HEADER]
    for group, count in COUNTS.items():
        (args.out / group).mkdir(parents=True, exist_ok=True)
        n_rows = n_usable = dropped = 0
        for image in choose(subjects[group], count):
            name = f"{image.parent.name}_{image.name}" if group == "IITD-v1" else image.name
            shutil.copyfile(image, args.out / group / name)
            if group == "CASIA-IrisV1":
                continue  # no hand-drawn truth exists
            grey = cv2.imread(str(image), cv2.IMREAD_GRAYSCALE)
            truth: Truth | None
            if group == "CASIA-Iris-Interval":
                truth = casia_interval_truth(cc_files, image.stem)
            elif group == "IITD-v1":
                truth = iitd_truth(iitd_masks, image, grey)
            else:
                eye = {"left": "right", "right": "left"}[image.parent.name]  # the masks' sides are swapped
                mask_file = (args.mmu1_masks / "Dataset" / "mask" / str(mmu_index[image.parent.parent.name]) / eye
                             / f"{digit.search(image.name)[1]}.bmp")
                mask = cv2.imread(str(mask_file), cv2.IMREAD_GRAYSCALE)
                truth = None if mask is None or mask.shape != grey.shape else from_mask(mask >= 128)
            if truth is None or not plausible(truth, grey):
                dropped += 1
                print(f"{group}/{name}: truth missing or broken, row dropped")
                continue
            pupil, iris, usable = truth
            cells = [f"{v:.2f}" for v in (*pupil, *iris)] + ["" if usable is None else f"{usable:.4f}"]
            rows.append("\t".join([f"{group}/{name}", *cells]))
            n_rows += 1
            n_usable += usable is not None
        print(f"{group}: {count} images, {n_rows} truth rows, {n_usable} with usable, {dropped} dropped")
    (args.out / "circles_usable.tsv").write_text("\n".join(rows) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
