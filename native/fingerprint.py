"""Fingerprint quality and slap segmentation through the C kernel (native/fingerprint.c).

`FingerQuality.measure(frame)` scores one finger image (a single-finger scanner frame or a box cut from a slap)
0–100; `SlapSegmenter.segment(frame)` finds up to four finger boxes in a 4-4-2 slap. Both keep their C workspace
(per-block arrays) while the frame size stays the same, so a stream of frames allocates nothing frame-sized.

Fingerprint quality score (OUR approximation, not NFIQ 2; NFIQ 2 confirms a candidate frame, see native/confirm.py)::

    block quality q_b = coherence_b * clarity_b   for a foreground block whose ridge profile crosses its mean
                                                  at least twice (a ridge bounded on both sides), else 0
    ridge_quality     = sum(q_b) / max(foreground blocks, area blocks)   (0..1: good ridge area, so a small or
                        partial print scores low; area = the frame's blocks, or one fingertip's, FINGER_BLOCKS, on a
                        larger platen; a print larger than that is judged by its mean block quality)
    score             = round(100 * min(1, 1.5 * ridge_quality * min(1, contrast / 40)) * naturalness)
    naturalness       = orientation_factor * period_factor * solidity_factor   (1 for a finger, 0 for a grating)

Blocks are 16x16 pixels at 500 ppi; foreground blocks have a grey std of at least 10. `coherence` is the structure
tensor coherence of Sobel gradients, `clarity` the share of the block's grey variance explained by its mean profile
across the ridges (a correlation ratio in the spirit of NFIQ 2's local clarity score, not that score), `contrast` the
mean grey of the block's pixels above its mean minus that of the others. The gain 1.5 maps a clean print (ridge_quality
~0.55-0.8 on real sensors) to the top of the scale; 40 grey levels of ridge-valley separation count as full contrast.
The gain errs towards passing, because NFIQ 2 confirms every frame the gate passes and refuses a false pass, while a
false refusal is not caught by anything (docs/architecture.md, "Real prints from real sensors").
The area is the print a fingertip leaves, not the platen: on a scanner whose platen is larger than one fingertip's
plain impression (a 640x480 optical one) a whole, clear print covered a third of the frame and scored 15-29 against
the frame's area (NFIQ 2: 57 median), so the sum is taken over at most FINGER_BLOCKS blocks, 15 x 19 mm at 500 ppi
(an adult's fingertip pressed flat), a size chosen from the finger and not from any image set; a print that covers
more than that (a rolled one) is divided by its own foreground, so its score is its mean block quality and does not
saturate. A smaller frame (a small sensor, a box cut from a slap) is its own area, as before.

Naturalness (issue 18: a grating or concentric rings scored 100, a perfect print) asks whether the ridges are a
finger's at all. A finger's orientation field turns around its core and deltas, and its ridge period changes across
the print (closer ridges near the core and the tip); a grating has one orientation and one period, rings one period:

- `orientation_resultant` R = |mean of the unit doubled-angle vectors (gxx - gyy, 2 gxy) / |.|| over ridge-like
  blocks: 1 when every block has the same orientation. orientation_factor falls from 1 at R = 0.80 to 0 at 0.90
  (whole sample prints 0.1-0.5, a printed page 0.5-0.65, any grating 0.96-1.0);
- `period_spread` = standard deviation of ln(period) over interior ridge blocks (all 8 neighbours ridge-like, so no
  outline inside), the period of a block being 16 pi sqrt(grey variance / mean squared Sobel gradient) (exact for a
  sinusoid). period_factor rises from 0 at 0.040 to 1 at 0.055 (sample prints 0.06-0.07, rings and gratings of any
  period 0.002-0.045). Judged only with at least MIN_INTERIOR_BLOCKS interior blocks; fewer (a small or broken
  print, which scores low anyway) leave the factor at 1;
- `solidity` = interior blocks / ridge-like blocks: a print's ridge area is one solid region (sample prints 0.82-0.86,
  a smudged one too); the ridge-like blocks of a brick wall, gravel, paper or a face are isolated lines and edges
  among flat patches (0-0.1). solidity_factor rises from 0 at 0.25 to 1 at 0.50.

What the operator is told (`finger_problems`, one code; the score is the same whatever the message, and the capture
engine shows it only for a frame below the threshold):
- FINGER_UNCLEAR when under a fifth of the frame has ridge texture, or of the largest single-finger image
  (FINGER_IMAGE_BLOCKS) on a platen larger than that (an empty platen, a finger lifted or moving, a print too faint
  or smeared to show ridges);
- FINGER_PATTERN_UNNATURAL when the ridges are clear enough to judge (contrast at least JUDGE_CONTRAST) and the
  orientation or the period check fails (a finger passes both: one orientation or one period everywhere is a
  grating or rings) or the ridge area is all holes (solidity factor under HOLLOW: the isolated lines of paper,
  print, brick or gravel). A real print that is only faint or blurred loses part of its
  solid ridge area too (solidity factor 0.16-0.9 in a blurred, squeezed sample print), and telling its owner it is
  cloth would be wrong;
- else LOW_CONTRAST below full contrast (a dry or light touch, a dirty finger or glass);
- else FINGER_UNCLEAR when the naturalness is still below 1 (a broken print at full contrast) or the ridge quality
  is under CLEAR_RIDGES (ridges too unclear to score).
"""

import math
from dataclasses import dataclass

import numpy as np

from native._native import ffi, lib
from native.frames import grey_frame_pointer

BLOCK = 16  # pixels at 500 ppi: 1.5-2 ridge periods
FULL_CONTRAST = 40.0  # grey levels of ridge-valley separation that count as full contrast
SCORE_GAIN = 1.5  # a clean print's ridge_quality (~0.55-0.8) reaches the top; errs to passing: NFIQ 2 confirms
FINGER_BLOCKS = 440  # 16 px blocks in a fingertip's plain impression, 15 x 19 mm at 500 ppi (295 x 374 px)
# ANSI/NIST-ITL 1 (Table "finger position code & maximum image dimensions"): a single finger's image is at most
# 1.6 x 1.5 in, 800 x 750 px at 500 ppi, 50 x 46 blocks; the print-area message judges a larger platen against that
FINGER_IMAGE_BLOCKS = (800 // BLOCK) * (750 // BLOCK)
SEGMENT_MIN_QUALITY = 0.10  # ridge blocks for slaps: noise blocks stay under 0.05, 98 % of print blocks reach 0.1
ORIENTATION_RESULTANT = (0.80, 0.90)  # factor 1 at or below the first, 0 at or above the second: one orientation
PERIOD_SPREAD = (0.040, 0.055)  # factor 0 at or below the first, 1 at or above the second: one ridge period
SOLIDITY = (0.25, 0.50)  # factor 0 at or below the first, 1 at or above the second: ridge area full of holes
MIN_INTERIOR_BLOCKS = 16  # fewer interior blocks cannot tell a finger's period variety from an estimate's noise
UNNATURAL = "FINGER_PATTERN_UNNATURAL"  # problem code: one orientation or period everywhere, or no solid ridge area
UNCLEAR = "FINGER_UNCLEAR"  # problem code: no clear print (nothing on the platen, moved, smeared, broken)
FAINT = "LOW_CONTRAST"  # problem code: ridges fainter than full contrast
MIN_PRINT_AREA = 0.2  # share of foreground blocks below which there is no print to judge (a blurred one: 0.07-0.12)
JUDGE_CONTRAST = 25.0  # grey levels: fainter ridges are not judged unnatural (a finger at x 0.15 contrast: 20.6)
CLEAR_RIDGES = 0.25  # ridge quality under this scores under 32: ridges too unclear (a usable print: 0.45 or more)
HOLLOW = 0.1  # a solidity factor under this is a surface's isolated lines (paper, print, brick, gravel: 0-0.06)


@dataclass(frozen=True)
class FingerReport:
    """One finger image's score and the components it was made from (means over foreground blocks)."""

    score: int  # 0–100, our approximation (see the module docstring), not NFIQ 2
    present: bool  # enough foreground with enough ridge quality and contrast
    foreground_fraction: float  # share of blocks that are foreground (ridge area)
    coherence: float  # 0..1, orientation coherence
    clarity: float  # 0..1, variance explained by the profile across the ridges
    contrast: float  # grey levels, ridge-valley separation
    ridge_fraction: float  # share of foreground blocks that look like ridges (profile crosses its mean twice)
    ridge_quality: float  # sum of block quality / max(foreground blocks, min(all blocks, FINGER_BLOCKS))
    orientation_resultant: float = 0.0  # 0..1, 1 = the same orientation in every ridge block (a grating)
    period_spread: float = 0.0  # std of ln(ridge period) over interior ridge blocks (0 = one period: rings)
    ridge_period: float = 0.0  # geometric mean ridge period over interior ridge blocks, pixels
    interior_blocks: int = 0  # ridge blocks whose 8 neighbours are ridge blocks (the period spread's sample)
    naturalness: float = 1.0  # 0..1, the factor the two checks above put on the score
    problems: tuple[str, ...] = ()  # finger_problems: FINGER_UNCLEAR, FINGER_PATTERN_UNNATURAL or LOW_CONTRAST


@dataclass(frozen=True)
class FingerBox:
    """A finger found in a slap: block-aligned box in pixels, its foreground area and centroid."""

    x: int
    y: int
    width: int
    height: int
    area: int
    centre_x: float
    centre_y: float


def _ramp(value: float, zero: float, one: float) -> float:
    """0 at `zero`, 1 at `one`, linear between and clamped (zero > one gives a falling ramp)."""
    return min(1.0, max(0.0, (value - zero) / (one - zero)))


def naturalness_from(orientation_resultant: float, period_spread: float, interior_blocks: int,
                     ridge_blocks: int) -> float:
    """0..1: how much the ridge pattern looks like a finger's and not a grating's, concentric rings' or a textured
    surface's (thresholds in the module docstring). The period check needs MIN_INTERIOR_BLOCKS interior blocks and
    is 1 with fewer: too little print to judge, and such a print scores low anyway."""
    return math.prod(pattern_factors(orientation_resultant, period_spread, interior_blocks, ridge_blocks))


def pattern_factors(orientation_resultant: float, period_spread: float, interior_blocks: int,
                    ridge_blocks: int) -> tuple[float, float, float]:
    """(orientation, period, solidity) factors, each 0..1, whose product is the naturalness (module docstring)."""
    orientation = _ramp(orientation_resultant, ORIENTATION_RESULTANT[1], ORIENTATION_RESULTANT[0])
    period = _ramp(period_spread, *PERIOD_SPREAD) if interior_blocks >= MIN_INTERIOR_BLOCKS else 1.0
    solidity = _ramp(interior_blocks / ridge_blocks if ridge_blocks else 0.0, *SOLIDITY)
    return orientation, period, solidity


def finger_problems(foreground_fraction: float, contrast: float, factors: tuple[float, float, float],
                    ridge_quality: float) -> tuple[str, ...]:
    """What is wrong with a finger image, for the operator (module docstring): one code or none. `factors` are
    `pattern_factors`' (orientation, period, solidity)."""
    orientation, period, solidity = factors
    if foreground_fraction < MIN_PRINT_AREA:
        return (UNCLEAR,)
    if contrast >= JUDGE_CONTRAST and (orientation < 1.0 or period < 1.0 or solidity < HOLLOW):
        return (UNNATURAL,)
    if contrast < FULL_CONTRAST:
        return (FAINT,)
    return (UNCLEAR,) if math.prod(factors) < 1.0 or ridge_quality < CLEAR_RIDGES else ()


def score_from(ridge_quality: float, contrast: float, naturalness: float = 1.0) -> int:
    """The 0–100 score from the kernel's ridge quality and contrast and the pattern's naturalness (formula in the
    module docstring)."""
    value = SCORE_GAIN * ridge_quality * min(1.0, contrast / FULL_CONTRAST)
    return round(100 * min(1.0, max(0.0, value)) * min(1.0, max(0.0, naturalness)))


class _Kernel:
    """Parameters, the C workspace for one block grid, and the pointer checks shared by both analyzers."""

    def __init__(self, foreground_min_std: float, present_min_fraction: float, present_min_quality: float,
                 present_min_contrast: float, segment_min_blocks: int) -> None:
        self._params = ffi.new("struct fingerprint_params *", {
            "block": BLOCK, "foreground_min_std": foreground_min_std, "ridge_min_crossings": 2,
            "present_min_fraction": present_min_fraction, "present_min_quality": present_min_quality,
            "present_min_contrast": present_min_contrast, "segment_min_quality": SEGMENT_MIN_QUALITY,
            "segment_min_blocks": segment_min_blocks, "print_blocks": FINGER_BLOCKS})
        self._ws = ffi.new("struct fingerprint_workspace *")
        self._arrays: list[object] = []
        self._out = ffi.new("struct fingerprint_quality *")

    def _workspace_for(self, width: int, height: int) -> None:
        """(Re)make the per-block arrays when the block grid changes; otherwise reuse them."""
        bx, by = width // BLOCK, height // BLOCK
        if (self._ws.blocks_x, self._ws.blocks_y) == (bx, by):
            return
        n = bx * by
        arrays = {"mask": ffi.new("uint8_t[]", n), "coherence": ffi.new("double[]", n),
                  "clarity": ffi.new("double[]", n), "contrast": ffi.new("double[]", n),
                  "quality": ffi.new("double[]", n), "period": ffi.new("double[]", n),
                  "labels": ffi.new("int32_t[]", n),
                  "stack": ffi.new("int32_t[]", n)}
        for name, array in arrays.items():
            setattr(self._ws, name, array)
        self._arrays = list(arrays.values())  # keeps them alive as long as the workspace points at them
        self._ws.blocks_x, self._ws.blocks_y = bx, by

    def run(self, frame: np.ndarray) -> object:
        """Run fingerprint_measure on a checked frame; returns the C result struct (reused between calls)."""
        ptr, width, height, stride = grey_frame_pointer(frame, min_side=2 * BLOCK)
        self._workspace_for(width, height)
        status = lib.fingerprint_measure(ptr, width, height, stride, self._params, self._ws, self._out)
        if status != 0:
            raise RuntimeError(f"fingerprint_measure failed with code {status}")
        return self._out

    def block_array(self, name: str) -> np.ndarray:
        """A copy of one per-block array of the last frame, shaped (blocks_y, blocks_x); for tests and debugging."""
        shape = (self._ws.blocks_y, self._ws.blocks_x)
        dtype = np.uint8 if name == "mask" else np.int32 if name in ("labels", "stack") else np.float64
        buffer = ffi.buffer(getattr(self._ws, name), shape[0] * shape[1] * np.dtype(dtype).itemsize)
        return np.frombuffer(buffer, dtype=dtype).reshape(shape).copy()


class FingerQuality(_Kernel):
    """Scores 8-bit grey fingerprint frames (500 ppi, dark ridges or light, either works) 0–100.

    Frames must be 2-D uint8 with contiguous columns and at least 32x32 (two blocks a side); crops of a bigger
    array are fine. Anything else raises ValueError. An analyzer owns its workspace: use one per thread.
    """

    def __init__(self, foreground_min_std: float = 10.0, present_min_fraction: float = 0.10,
                 present_min_quality: float = 0.30, present_min_contrast: float = 20.0) -> None:
        super().__init__(foreground_min_std, present_min_fraction, present_min_quality, present_min_contrast, 40)

    def measure(self, frame: np.ndarray) -> FingerReport:
        """Score one finger image; the components are kept in the report."""
        out = self.run(frame)
        factors = pattern_factors(out.orientation_resultant, out.period_spread, out.interior_blocks, out.ridge_blocks)
        natural = math.prod(factors)
        return FingerReport(score=score_from(out.ridge_quality, out.contrast, natural), present=bool(out.present),
                            foreground_fraction=out.foreground_fraction, coherence=out.coherence,
                            clarity=out.clarity, contrast=out.contrast, ridge_fraction=out.ridge_fraction,
                            ridge_quality=out.ridge_quality, orientation_resultant=out.orientation_resultant,
                            period_spread=out.period_spread, ridge_period=out.ridge_period,
                            interior_blocks=out.interior_blocks, naturalness=natural,
                            problems=finger_problems(self._print_share(out.foreground_fraction), out.contrast,
                                                     factors, out.ridge_quality))

    def _print_share(self, foreground_fraction: float) -> float:
        """The ridge area as a share of the frame, or of the largest single-finger image (FINGER_IMAGE_BLOCKS) on a
        platen larger than that: a whole print in the middle of a large platen is a print, not an empty frame."""
        blocks = self._ws.blocks_x * self._ws.blocks_y
        return foreground_fraction * blocks / min(blocks, FINGER_IMAGE_BLOCKS)


class SlapSegmenter(_Kernel):
    """Finds the fingers of a 4-4-2 slap (four fingers, or two thumbs) as boxes ordered left to right.

    Algorithm (C): 16x16 foreground blocks (grey std >= `foreground_min_std`) whose block quality reaches 0.10 are
    ridge blocks (a noisy platen is foreground, never ridge); 4-connected components of them are labelled; a
    component is split at a column where its count of ridge blocks falls to 3/4 of the lower of the highest columns
    on either side, with at least 8 columns (128 px) each side (touching fingertips: their rounded outlines leave a
    valley in the column profile; one finger's profile has none); pieces that share at least half their columns
    and lie at most 4 blocks apart vertically are merged (a finger cut by a crease); components under `min_blocks`
    blocks are specks and dropped; the `max_fingers` largest are kept and ordered by centre x. Limits: fingers
    pressed together along their whole length leave no valley and come out as one box; a strongly rotated hand
    (fingers sharing columns) can merge two fingers or split one at an angle; a dirty platen with large smudges
    gives extra components (only the largest survive); boxes are block-aligned (16 px).
    """

    def __init__(self, max_fingers: int = 4, min_blocks: int = 40, foreground_min_std: float = 10.0) -> None:
        if not 1 <= max_fingers <= 8:
            raise ValueError(f"max_fingers must be 1..8 (got {max_fingers})")
        if min_blocks < 1:
            raise ValueError(f"min_blocks must be at least 1 (got {min_blocks})")
        super().__init__(foreground_min_std, 0.10, 0.30, 20.0, min_blocks)
        self.max_fingers = max_fingers
        self._boxes = ffi.new("struct fingerprint_box[]", max_fingers)
        self._count = ffi.new("int *")

    def segment(self, frame: np.ndarray) -> list[FingerBox]:
        """Finger boxes of a slap frame, left to right; an empty list when no finger is on the platen."""
        self.run(frame)
        status = lib.fingerprint_segment(self._params, self._ws, self._boxes, self.max_fingers, self._count)
        if status != 0:
            raise RuntimeError(f"fingerprint_segment failed with code {status}")
        return [FingerBox(b.x, b.y, b.width, b.height, b.area, b.centre_x, b.centre_y)
                for b in (self._boxes[i] for i in range(self._count[0]))]
