"""How often the live iris gate would send back real near-infrared eye images, and why, at the station's threshold.

`sinopsis quality --eval-irises --irises-dir DIR`: every image file directly in DIR is one group, each subfolder one
more (a camera, a research database; native/image_folders.py, the same layout as `--prints-dir`), read through the
CLI's checked reader as 8-bit grey (a 24-bit BMP or colour JPEG of a grey eye is converted, not refused; special
files, size and depth are refused there and the file is left out with the reason, as a frame too small to score is).
Each image gets the live score (native.iris). There is no reference scorer for iris, as NFIQ 2 is for prints, and no
labels: every image of such a database is a capture someone kept, so each group reports how many the gate passes,
the medians of what decides it (score, iris diameter, pupil/iris radius ratio over the irises found) and, for the
refused ones, how many carry each problem code: the gate's false refusals on real eyes, and their causes.
"""

import statistics
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from contract.errors import SinopsisError
from native.image_folders import image_groups
from native.iris import IrisQuality, IrisReport

Reader = Callable[[Path], np.ndarray]  # an eye image file's 8-bit grey image; a SinopsisError says why it is not one


@dataclass(frozen=True)
class IrisGroup:
    """One group's eye images: how many, how many pass the gate, the medians, and why the others are refused.

    `reasons`: (problem code, refused images carrying it), a code counted once per image, most frequent first.
    The diameter (px) and pupil/iris ratio medians are over the images whose iris was found (None when none was)."""

    name: str
    count: int
    passed: int
    pass_rate: float
    score_median: float
    diameter_median: float | None
    ratio_median: float | None
    reasons: list[tuple[str, int]]


@dataclass(frozen=True)
class IrisGate:
    """Every group, all images together (`total`), the threshold, and the files left out with why."""

    folder: str
    threshold: int
    groups: list[IrisGroup]
    total: IrisGroup
    left_out: list[str] = field(default_factory=list)


def _median(values: list[float]) -> float | None:
    return float(statistics.median(values)) if values else None


def _group(name: str, reports: list[IrisReport], threshold: int) -> IrisGroup:
    found = [r.metrics for r in reports if r.metrics.found]
    refused = [r for r in reports if r.score < threshold]
    reasons = Counter(code for r in refused for code in set(r.problems))
    passed = len(reports) - len(refused)
    return IrisGroup(name, len(reports), passed, passed / len(reports),
                     float(statistics.median(r.score for r in reports)),
                     _median([m.iris_diameter for m in found]),
                     _median([m.pupil_radius / m.iris_radius for m in found if m.iris_radius > 0]),
                     sorted(reasons.items(), key=lambda item: (-item[1], item[0])))


def evaluate_irises(folder: Path, read: Reader, threshold: int = 60) -> IrisGate:
    """Score every eye image of `folder` with the live iris gate; SinopsisError when none can be scored (each
    file's reason in the message)."""
    folder = Path(folder)
    quality = IrisQuality()  # one instance: its workspaces are reused across frames of the same size
    groups, left_out, every = [], [], []
    for name, files in image_groups(folder).items():
        reports = []
        for path in files:
            try:
                reports.append(quality.measure(np.ascontiguousarray(read(path))))
            except (SinopsisError, ValueError) as e:  # unreadable, special file, too small to score…
                left_out.append(f"{path.relative_to(folder)}: {e}")
        if reports:
            groups.append(_group(name, reports, threshold))
            every.extend(reports)
    if not groups:
        raise SinopsisError(f"{folder}: no eye image in it could be scored: {'; '.join(left_out[:5])}"
                            f"{' …' if len(left_out) > 5 else ''}", "usage")
    return IrisGate(str(folder), threshold, groups, _group("all", every, threshold), left_out)


def format_iris_gate(result: IrisGate) -> str:
    """The evaluation as a printable table: a line per group, then all; why the refused ones were refused, per
    group; then the files left out."""
    head = f"{'group':<20} {'images':>6} {'passed':>6} {'pass %':>6} {'score':>5} {'iris px':>7} {'pupil/iris':>10}"
    lines = [f"The live iris gate on {result.folder}, at {result.threshold} (medians; iris px and pupil/iris over "
             "the irises found)", head, "-" * len(head)]
    rows = [*result.groups, result.total]
    for g in rows:
        if g is result.total:
            lines.append("-" * len(head))
        diameter = "-" if g.diameter_median is None else f"{g.diameter_median:.0f}"
        ratio = "-" if g.ratio_median is None else f"{g.ratio_median:.2f}"
        lines.append(f"{g.name[:20]:<20} {g.count:>6} {g.passed:>6} {100 * g.pass_rate:>6.1f} {g.score_median:>5.0f} "
                     f"{diameter:>7} {ratio:>10}")
    lines += ["", "Refused, by problem code (an image counted once per code it carries)"]
    for g in rows:
        reasons = ", ".join(f"{code} {n}" for code, n in g.reasons) or "none refused"
        lines.append(f"{g.name[:20]:<20} {reasons}")
    lines += [f"left out: {reason}" for reason in result.left_out]
    return "\n".join(lines)
