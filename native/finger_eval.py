"""A labelled degradation set built from the sample prints, and how well our fingerprint score separates it.

Built with fixed seeds from the three SFinGe samples (416x560, 500 ppi); every image is 416x560:

- usable: the original, mild blur (Gaussian sigma 1), moderate noise (Gaussian sigma 15), reduced contrast
  (x0.35 around mid-grey), a small smudge (an ellipse of about 6 % of the print smeared with sigma 5);
- unusable: heavy blur (sigma 4), near-zero contrast (x0.04), a blank platen (grey 245 with sensor noise); pure
  uniform noise (12 seeds); and non-finger images: a face crop, an iris crop, a checkerboard, a text card.

`evaluate()` scores each image with our C score (native.fingerprint) and NFIQ 2 (native.confirm) and reports the AUC
of each (usable vs unusable; ties count half; NFIQ 2's "no score" counts as 0), Spearman's rho between the two
(ranks with ties averaged), and what NFIQ 2 gives pure noise. `evaluation_table()` is the printable report that
`sinopsis quality --eval` shows.

NFIQ 2 takes about a quarter of a second an image, and the set is fixed: its scores are kept in a small JSON file
in the cache folder ($SINOPSIS_CACHE_DIR, else $XDG_CACHE_HOME/sinopsis or ~/.cache/sinopsis), keyed by the
SHA-256 of every image, and computed once under a file lock (two evaluations at once score the set once).
"""

import contextlib
import fcntl
import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import cv2
import numpy as np

from native import samples
from native.confirm import ConfirmScorer, Nfiq2Scorer
from native.fingerprint import FingerQuality

SHAPE = (560, 416)  # rows, columns: the sample prints' size
MOSIP_FINGER_THRESHOLD = 40  # the default [capture.thresholds] finger (station/config.py)
NOISE_SEEDS = 12  # NFIQ 2 on uniform noise varies with the seed (34-43 here), so several are scored


@dataclass(frozen=True)
class LabelledImage:
    """One image of the set: `name` is unique, `kind` the degradation, `usable` the label."""

    name: str
    kind: str
    usable: bool
    image: np.ndarray


@dataclass(frozen=True)
class EvalRow:
    """One image's label and both scores (nfiq2 None: NFIQ 2 could not score it)."""

    name: str
    kind: str
    usable: bool
    ours: int
    nfiq2: int | None


@dataclass(frozen=True)
class Evaluation:
    """The per-image rows and the summary numbers."""

    rows: list[EvalRow]
    auc_ours: float
    auc_nfiq2: float
    spearman: float  # ours vs NFIQ 2 over every image, NFIQ 2's "no score" as 0
    spearman_usable: float  # ours vs NFIQ 2 over the usable prints only: ranking among good prints
    nfiq2_pure_noise: list[int | None]
    threshold: int

    def gate_refuses(self, kind: str) -> bool:
        """True if our gate (score >= threshold) refuses every image of this kind."""
        return all(r.ours < self.threshold for r in self.rows if r.kind == kind)


def reduced_contrast(image: np.ndarray, factor: float) -> np.ndarray:
    """The print with its grey levels squeezed around mid-grey by `factor` (a light touch, a dry finger)."""
    return np.clip(128 + (image.astype(np.float64) - 128) * factor, 0, 255).round().astype(np.uint8)


def _noise(image: np.ndarray, sigma: float, rng: np.random.Generator) -> np.ndarray:
    return np.clip(image + rng.normal(0, sigma, image.shape), 0, 255).round().astype(np.uint8)


def _smudge(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Smear an ellipse (about 6 % of the frame) somewhere over the print's middle."""
    mask = np.zeros(image.shape, np.uint8)
    centre = (int(rng.integers(150, 266)), int(rng.integers(200, 360)))
    cv2.ellipse(mask, centre, (55, 40), float(rng.integers(0, 180)), 0, 360, 255, -1)
    smeared = cv2.GaussianBlur(image, (0, 0), 5)
    return np.where(mask > 0, smeared, image)


def _fit(image: np.ndarray) -> np.ndarray:
    """Resize any grey image to the prints' 416x560."""
    return cv2.resize(image, (SHAPE[1], SHAPE[0]), interpolation=cv2.INTER_AREA)


def _non_fingers() -> list[LabelledImage]:
    face = cv2.imread(str(samples.FACE), cv2.IMREAD_GRAYSCALE)
    iris = cv2.imread(str(samples.IRIS), cv2.IMREAD_GRAYSCALE)
    checker = ((np.indices(SHAPE) // 24).sum(axis=0) % 2 * 255).astype(np.uint8)
    card = np.full(SHAPE, 250, np.uint8)
    for i, line in enumerate(["KARTU TANDA PENDUDUK", "NIK 1471015505080001", "Nama: SISWA TELADAN",
                              "Pekanbaru, 15-05-2008", "Gol. darah: O", "Agama: ISLAM", "Pelajar/Mahasiswa",
                              "WNI  SEUMUR HIDUP", "RT/RW 002/004", "Kel. SUKAJADI", "Kec. SUKAJADI"]):
        cv2.putText(card, line, (8, 40 + 48 * i), cv2.FONT_HERSHEY_SIMPLEX, 0.75, 20, 2, cv2.LINE_AA)
    return [LabelledImage("face", "non-finger", False, _fit(face[0:512, 48:428])),
            LabelledImage("iris", "non-finger", False, _fit(iris[0:480, 140:500])),
            LabelledImage("checkerboard", "non-finger", False, checker),
            LabelledImage("text card", "non-finger", False, card)]


# --- non-finger textures (issue 18): procedural, seeded, never scored by NFIQ 2 -----------------------------------

NON_FINGER_KINDS = ("grating", "masked grating", "rings", "cloth", "paper", "printed text", "brick", "gravel")
NON_FINGER_SEEDS = 4  # images per kind; each seed draws its own period, angle, scale and placement


def _scanner_look(pattern: np.ndarray, rng: np.random.Generator, dark: float = 40.0, light: float = 225.0,
                  noise: float = 3.0) -> np.ndarray:
    """A pattern in 0..1 (1 = touching the platen) as a scanner shows it: dark where it touches, sensor noise."""
    image = light + (dark - light) * np.clip(pattern, 0.0, 1.0) + rng.normal(0.0, noise, pattern.shape)
    return np.clip(image, 0, 255).round().astype(np.uint8)


def _coordinates(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Pixel coordinates rotated by a random angle about a random point (so no pattern is axis-aligned by luck)."""
    yy, xx = np.mgrid[0:SHAPE[0], 0:SHAPE[1]].astype(np.float64)
    angle = rng.uniform(0.0, np.pi)
    xx, yy = xx - rng.uniform(0, SHAPE[1]), yy - rng.uniform(0, SHAPE[0])
    return xx * np.cos(angle) + yy * np.sin(angle), -xx * np.sin(angle) + yy * np.cos(angle)


def _ellipse_mask(rng: np.random.Generator) -> np.ndarray:
    """A fingertip-shaped ellipse (about 300x420 px) somewhere near the middle of the frame."""
    mask = np.zeros(SHAPE, np.uint8)
    centre = (int(rng.integers(180, 236)), int(rng.integers(250, 310)))
    cv2.ellipse(mask, centre, (int(rng.integers(130, 170)), int(rng.integers(190, 230))),
                float(rng.uniform(-20, 20)), 0, 360, 255, -1)
    return mask > 0


def grating(rng: np.random.Generator) -> np.ndarray:
    """A sinusoidal grating, period 5-15 px (the finger ridge band at 500 ppi), any angle."""
    u, _ = _coordinates(rng)
    return _scanner_look(0.5 + 0.5 * np.cos(2 * np.pi * u / rng.uniform(5.0, 15.0)), rng)


def masked_grating(rng: np.random.Generator) -> np.ndarray:
    """A grating inside a fingertip-shaped ellipse on an empty platen: the outline of a finger, none of its ridges."""
    u, _ = _coordinates(rng)
    pattern = np.where(_ellipse_mask(rng), 0.5 + 0.5 * np.cos(2 * np.pi * u / rng.uniform(5.0, 15.0)), 0.0)
    return _scanner_look(pattern, rng)


def rings(rng: np.random.Generator) -> np.ndarray:
    """Concentric rings, period 5-15 px, centred anywhere in the middle half of the frame."""
    yy, xx = np.mgrid[0:SHAPE[0], 0:SHAPE[1]].astype(np.float64)
    cx, cy = rng.uniform(0.25, 0.75) * SHAPE[1], rng.uniform(0.25, 0.75) * SHAPE[0]
    radius = np.hypot(xx - cx, yy - cy)
    return _scanner_look(0.5 + 0.5 * np.cos(2 * np.pi * radius / rng.uniform(5.0, 15.0)), rng)


def cloth(rng: np.random.Generator) -> np.ndarray:
    """Woven cloth: warp and weft threads (pitch 6-16 px) going over and under each other (plain weave or twill),
    each thread shaded across its width, with fibre noise and a random rotation."""
    u, v = _coordinates(rng)
    pitch = rng.uniform(6.0, 16.0)
    iu, iv = np.floor(u / pitch), np.floor(v / pitch)
    fu, fv = u / pitch - iu, v / pitch - iv
    twill = int(rng.integers(1, 3))  # 1: plain weave; 2: twill (over two, under two)
    warp_on_top = ((iu + twill * iv).astype(np.int64) // twill) % 2 == 0
    warp = np.sin(np.pi * fu) ** 2  # a thread presses hardest (darkest) along its middle
    weft = np.sin(np.pi * fv) ** 2
    pattern = np.where(warp_on_top, warp, weft) * (0.8 + 0.2 * rng.random(SHAPE))
    return _scanner_look(cv2.GaussianBlur(pattern, (0, 0), 0.8), rng)


def paper(rng: np.random.Generator) -> np.ndarray:
    """Paper: a nearly flat sheet with fibres (short thin strokes at random angles) and mottled density."""
    sheet = np.zeros(SHAPE, np.float64)
    for _ in range(int(rng.integers(300, 900))):
        x, y = rng.uniform(0, SHAPE[1]), rng.uniform(0, SHAPE[0])
        angle, length = rng.uniform(0, np.pi), rng.uniform(10, 60)
        dx, dy = np.cos(angle) * length / 2, np.sin(angle) * length / 2
        cv2.line(sheet, (int(x - dx), int(y - dy)), (int(x + dx), int(y + dy)), float(rng.uniform(0.2, 0.7)), 1,
                 cv2.LINE_AA)
    mottle = cv2.GaussianBlur(rng.random(SHAPE), (0, 0), rng.uniform(4, 12))
    pattern = cv2.GaussianBlur(sheet, (0, 0), 0.7) + 4.0 * (mottle - mottle.mean())
    return _scanner_look(0.15 + pattern, rng, noise=4.0)


def printed_text(rng: np.random.Generator) -> np.ndarray:
    """A printed page: lines of random letters and digits, small to large type, dark ink on white."""
    page = np.zeros(SHAPE, np.float64)
    scale = rng.uniform(0.35, 0.9)
    thickness = 1 if scale < 0.6 else 2
    step = int(30 * scale + 6)
    letters = np.array(list("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789     .,:/-"))
    font = [cv2.FONT_HERSHEY_SIMPLEX, cv2.FONT_HERSHEY_PLAIN, cv2.FONT_HERSHEY_DUPLEX,
            cv2.FONT_HERSHEY_COMPLEX][int(rng.integers(0, 4))]
    for y in range(step, SHAPE[0], step):
        line = "".join(rng.choice(letters, 60))
        cv2.putText(page, line, (int(rng.integers(0, 12)), y), font, scale, 1.0, thickness, cv2.LINE_AA)
    return _scanner_look(page, rng, dark=20.0, light=245.0)


def brick(rng: np.random.Generator) -> np.ndarray:
    """A brick wall: courses 12-40 px high, bricks twice to three times as long, offset each course, dark mortar,
    each brick its own shade with grain."""
    u, v = _coordinates(rng)
    height = rng.uniform(12.0, 40.0)
    length = height * rng.uniform(2.0, 3.0)
    course = np.floor(v / height)
    shifted = u + (course % 2) * length / 2
    column = np.floor(shifted / length)
    fu, fv = shifted / length - column, v / height - course
    mortar = np.maximum(np.minimum(fu, 1 - fu) * length, 0)
    mortar = np.minimum(mortar, np.minimum(fv, 1 - fv) * height) < rng.uniform(1.5, 3.5)
    shade = np.random.default_rng(int(rng.integers(1 << 30))).uniform(0.2, 0.5, (2048,))
    brick_shade = shade[((course * 131 + column * 17) % 2048).astype(np.int64)]
    pattern = np.where(mortar, 0.9, brick_shade + 0.15 * cv2.GaussianBlur(rng.random(SHAPE), (0, 0), 1.0))
    return _scanner_look(pattern, rng)


def gravel(rng: np.random.Generator) -> np.ndarray:
    """Gravel: packed pebbles (radius 4-30 px) of random shade and shape, each shaded like a dome."""
    pattern = np.full(SHAPE, 0.1, np.float64)
    low, high = rng.uniform(4, 10), rng.uniform(10, 30)
    for _ in range(int(3 * SHAPE[0] * SHAPE[1] / (np.pi * ((low + high) / 2) ** 2))):
        stone = np.zeros(SHAPE, np.uint8)
        axes = (int(rng.uniform(low, high)), int(rng.uniform(low, high)))
        centre = (int(rng.integers(0, SHAPE[1])), int(rng.integers(0, SHAPE[0])))
        cv2.ellipse(stone, centre, axes, float(rng.uniform(0, 180)), 0, 360, 255, -1)
        pattern[stone > 0] = rng.uniform(0.3, 0.9)
    pattern = cv2.GaussianBlur(pattern, (0, 0), 1.0) + 0.05 * rng.random(SHAPE)
    return _scanner_look(pattern, rng)


_NON_FINGER_MAKERS: dict[str, Callable[[np.random.Generator], np.ndarray]] = {
    "grating": grating, "masked grating": masked_grating, "rings": rings, "cloth": cloth, "paper": paper,
    "printed text": printed_text, "brick": brick, "gravel": gravel}


def non_finger_set(seeds: int = NON_FINGER_SEEDS, first_seed: int = 0) -> list[LabelledImage]:
    """Procedural non-finger textures a station must refuse (kind in NON_FINGER_KINDS, all unusable), `seeds` of
    each, 416x560. Separate from build_set(): NFIQ 2 never scores these (its evaluation set stays as it is); the
    tests need only our score of them. Each image's seed is derived from its kind and number, so a new kind does not
    change the others."""
    out = []
    for number, kind in enumerate(NON_FINGER_KINDS):
        for seed in range(first_seed, first_seed + seeds):
            rng = np.random.default_rng([18, number, seed])
            out.append(LabelledImage(f"{kind} seed {seed}", kind, False, _NON_FINGER_MAKERS[kind](rng)))
    return out


def build_set() -> list[LabelledImage]:
    """The labelled set: 5 usable and 3 unusable variants of each sample, 12 pure noise frames, 4 non-fingers."""
    out: list[LabelledImage] = []
    for index, path in enumerate(samples.FINGERPRINTS):
        image = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
        rng = np.random.default_rng(1000 + index)  # fixed per sample, so the set never changes
        tag = path.stem.removeprefix("SFinGe_")
        variants = [
            ("original", True, image),
            ("mild blur", True, cv2.GaussianBlur(image, (0, 0), 1.0)),
            ("moderate noise", True, _noise(image, 15, rng)),
            ("reduced contrast", True, reduced_contrast(image, 0.35)),
            ("small smudge", True, _smudge(image, rng)),
            ("heavy blur", False, cv2.GaussianBlur(image, (0, 0), 4.0)),
            ("near-zero contrast", False, reduced_contrast(image, 0.04)),
            ("blank platen", False, _noise(np.full(SHAPE, 245, np.uint8), 2, rng)),
        ]
        out += [LabelledImage(f"{tag} {kind}", kind, usable, img) for kind, usable, img in variants]
    noise = [LabelledImage(f"pure noise seed {seed}", "pure noise", False,
                           np.random.default_rng(seed).integers(0, 256, SHAPE, dtype=np.uint8))
             for seed in range(NOISE_SEEDS)]
    return out + noise + _non_fingers()


def auc(scores: np.ndarray, labels: np.ndarray) -> float:
    """Area under the ROC curve: P(a usable image scores above an unusable one), ties counting half."""
    pos, neg = scores[labels], scores[~labels]
    if not len(pos) or not len(neg):
        raise ValueError("AUC needs both usable and unusable images")
    diff = pos[:, None] - neg[None, :]
    return float(((diff > 0).sum() + 0.5 * (diff == 0).sum()) / diff.size)


def ranks(values: np.ndarray) -> np.ndarray:
    """1-based ranks with ties given their average rank."""
    order = np.argsort(values, kind="stable")
    raw = np.empty(len(values))
    raw[order] = np.arange(1, len(values) + 1)
    _, inverse = np.unique(values, return_inverse=True)
    return (np.bincount(inverse, raw) / np.bincount(inverse))[inverse]


def spearman(a: np.ndarray, b: np.ndarray) -> float:
    """Spearman's rho: Pearson correlation of the tie-averaged ranks (nan if either side is constant)."""
    ra, rb = ranks(np.asarray(a, np.float64)), ranks(np.asarray(b, np.float64))
    ra, rb = ra - ra.mean(), rb - rb.mean()
    denominator = np.sqrt((ra * ra).sum() * (rb * rb).sum())
    return float((ra * rb).sum() / denominator) if denominator > 0 else float("nan")


def cache_dir() -> Path:
    """Where SINOPSIS keeps data it can always compute again: $SINOPSIS_CACHE_DIR, else the XDG cache folder."""
    named = os.environ.get("SINOPSIS_CACHE_DIR", "").strip()
    if named:
        return Path(named)
    return Path(os.environ.get("XDG_CACHE_HOME", "").strip() or Path.home() / ".cache") / "sinopsis"


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        yield


def set_key(images: list[LabelledImage]) -> str:
    """The SHA-256 of the set's names and pixels and of the NFIQ 2 build that scores them."""
    digest = hashlib.sha256()
    with contextlib.suppress(metadata.PackageNotFoundError):
        digest.update(metadata.version("nbis-py").encode())
    for item in images:
        digest.update(item.name.encode() + b"\0" + item.image.tobytes())
    return digest.hexdigest()


def nfiq2_scores(images: list[LabelledImage], scorer: ConfirmScorer | None = None,
                 folder: Path | None = None) -> dict[str, int | None]:
    """NFIQ 2 of every image (name -> score), from the cache file when it holds this very set, else scored now
    (by `scorer`, or NIST NFIQ 2) and stored; ConfirmError when NFIQ 2 is not installed."""
    path = (folder or cache_dir()) / "nfiq2-eval.json"
    key = set_key(images)
    with _locked(path.with_suffix(".lock")):
        with contextlib.suppress(OSError, ValueError):
            stored = json.loads(path.read_text(encoding="utf-8"))
            if isinstance(stored, dict) and stored.get("key") == key and isinstance(stored.get("scores"), dict):
                return stored["scores"]
        scorer = scorer if scorer is not None else Nfiq2Scorer()
        scores = {item.name: scorer.score(item.image) for item in images}
        with tempfile.NamedTemporaryFile("w", dir=path.parent, prefix=".nfiq2-", delete=False) as tmp:
            json.dump({"key": key, "scores": scores}, tmp)
        Path(tmp.name).replace(path)
    return scores


def evaluate(nfiq2: ConfirmScorer | None = None, threshold: int = MOSIP_FINGER_THRESHOLD,
             images: list[LabelledImage] | None = None) -> Evaluation:
    """Score the set with ours and NFIQ 2: `nfiq2` when given (scored here, nothing cached), else NIST NFIQ 2
    through the cache (`nfiq2_scores`)."""
    images = build_set() if images is None else images
    scored = {i.name: nfiq2.score(i.image) for i in images} if nfiq2 is not None else nfiq2_scores(images)
    ours = FingerQuality()
    rows = [EvalRow(i.name, i.kind, i.usable, ours.measure(i.image).score, scored[i.name]) for i in images]
    labels = np.array([r.usable for r in rows])
    our_scores = np.array([r.ours for r in rows], np.float64)
    their_scores = np.array([r.nfiq2 or 0 for r in rows], np.float64)
    return Evaluation(rows=rows, auc_ours=auc(our_scores, labels), auc_nfiq2=auc(their_scores, labels),
                      spearman=spearman(our_scores, their_scores),
                      spearman_usable=spearman(our_scores[labels], their_scores[labels]),
                      nfiq2_pure_noise=[r.nfiq2 for r in rows if r.kind == "pure noise"], threshold=threshold)


def format_table(result: Evaluation) -> str:
    """The evaluation as a printable table: one line per image, then the summary."""
    show: Callable[[int | None], str] = lambda v: "—" if v is None else str(v)  # noqa: E731
    lines = [f"{'image':<28} {'label':<9} {'ours':>4} {'NFIQ 2':>6}  gate", "-" * 56]
    for r in result.rows:
        gate = "pass" if r.ours >= result.threshold else "refuse"
        lines.append(f"{r.name:<28} {'usable' if r.usable else 'unusable':<9} {r.ours:>4} {show(r.nfiq2):>6}  {gate}")
    noise = ", ".join(show(v) for v in result.nfiq2_pure_noise)
    passed = sum(v is not None and v >= result.threshold for v in result.nfiq2_pure_noise)
    lines += ["-" * 56,
              f"AUC usable vs unusable: ours {result.auc_ours:.3f}, NFIQ 2 {result.auc_nfiq2:.3f}",
              f"Spearman rho ours vs NFIQ 2: {result.spearman:.3f} over all {len(result.rows)} images "
              f"(NFIQ 2 no score = 0), {result.spearman_usable:.3f} over the {int(sum(r.usable for r in result.rows))} "
              "usable prints",
              f"NFIQ 2 on pure noise: {noise} ({passed} of {len(result.nfiq2_pure_noise)} reach {result.threshold}); "
              f"our gate (score >= {result.threshold}) "
              f"{'refuses' if result.gate_refuses('pure noise') else 'does NOT refuse'} all pure noise",
              "Our score is an approximation for the live gate, not NFIQ 2; NFIQ 2 confirms the candidate frame."]
    return "\n".join(lines)


def evaluation_table(threshold: int = MOSIP_FINGER_THRESHOLD) -> str:
    """Build the set, score it with both, and return the printable report (what the CLI prints)."""
    return format_table(evaluate(threshold=threshold))
