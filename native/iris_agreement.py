"""How often the live iris gate would send back real near-infrared eye images, and why, at the station's threshold.

`sinopsis quality --eval-irises --irises-dir DIR`: every image file directly in DIR is one group, each subfolder one
more (a camera, a research database; native/image_folders.py, the same layout as `--prints-dir`), read through the
CLI's checked reader as 8-bit grey (a 24-bit BMP or colour JPEG of a grey eye is converted, not refused; special
files, size and depth are refused there and the file is left out with the reason, as a frame too small to score is).
Each image gets the live score (native.iris). There is no reference scorer for iris, as NFIQ 2 is for prints, and no
labels: every image of such a database is a capture someone kept, so each group reports how many the gate passes,
the medians of what decides it (score, iris diameter, pupil/iris radius ratio over the irises found) and, for the
refused ones, how many carry each problem code: the gate's false refusals on real eyes, and their causes.

`--iris-truth FILE` (native/iris_truth.py) adds hand-drawn circles for some of the images, and with them what the
pass rate cannot show: whether the gate passes eyes on the right circles. Per group, how many images have a truth
row, how many the kernel located (both circles within a tenth of the true iris radius), the median limbus error and
`passed_mislocated`, the images the gate passes although it is not on the drawn circles: captures that would be
accepted on wrong circles, the dangerous case. Without FILE those fields are None (null in JSON), always present, so
the JSON has the same keys either way; a truth row for an image that is left out is not counted.

With FILE's `usable` column (the usable share of the true annulus, from hand-drawn iris masks), over the located
images that have one: `usable_compared`, `usable_error_median` (the kernel's usable fraction minus the mask's),
`passed_occluded` (passed although the mask keeps under ISO/IEC 29794-6's 70 %: lids or lashes the kernel took for
iris) and `refused_on_area` (the kernel's usable fraction under 70 % although the mask's is not).
"""

import statistics
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from native.image_folders import Reader, score_groups
from native.iris import MIN_USABLE, IrisQuality, IrisReport
from native.iris_truth import LOCATED, Circles, circle_errors, located


@dataclass(frozen=True)
class IrisGroup:
    """One group's eye images: how many, how many pass the gate, the medians, and why the others are refused.

    `reasons`: (problem code, refused images carrying it), a code counted once per image, most frequent first.
    The diameter (px) and pupil/iris ratio medians are over the images whose iris was found (None when none was).
    Against the hand-drawn circles (all None without --iris-truth): `truth` images with a row, `located` of them,
    `located_rate` (None when `truth` is 0), `median_iris_error` (the limbus error relative to the true iris radius,
    over those whose iris was found; None when none was) and `passed_mislocated`, passed by the gate but not located.
    Against the masks' usable shares, over the located images with one: `usable_compared`, `usable_error_median`
    (kernel minus mask; None when none), `passed_occluded` and `refused_on_area` (module docstring).
    """

    name: str
    count: int
    passed: int
    pass_rate: float
    score_median: float
    diameter_median: float | None
    ratio_median: float | None
    reasons: list[tuple[str, int]]
    truth: int | None = None
    located: int | None = None
    located_rate: float | None = None
    median_iris_error: float | None = None
    passed_mislocated: int | None = None
    usable_compared: int | None = None
    usable_error_median: float | None = None
    passed_occluded: int | None = None
    refused_on_area: int | None = None


@dataclass(frozen=True)
class IrisGate:
    """Every group, all images together (`total`), the threshold, the files left out with why, and the file of
    hand-drawn circles the groups were compared with (None without --iris-truth; `total.truth` says whether they
    were)."""

    folder: str
    threshold: int
    groups: list[IrisGroup]
    total: IrisGroup
    left_out: list[str] = field(default_factory=list)
    truth_file: str | None = None


def _median(values: list[float]) -> float | None:
    return float(statistics.median(values)) if values else None


def _against_truth(scored: list[tuple[IrisReport, Circles | None]], threshold: int) -> dict:
    """The truth fields of a group: its images with a truth row, compared with what the kernel found."""
    compared = [(report, circles, circle_errors(circles, report.metrics)) for report, circles in scored
                if circles is not None]
    on_circles = [located(errors) for _, _, errors in compared]
    areas = [(report, circles.usable) for (report, circles, _), ok in zip(compared, on_circles, strict=True)
             if ok and circles.usable is not None]
    return {"truth": len(compared), "located": sum(on_circles),
            "located_rate": sum(on_circles) / len(compared) if compared else None,
            "median_iris_error": _median([errors[1] for _, _, errors in compared if errors is not None]),
            "passed_mislocated": sum(report.score >= threshold and not ok
                                     for (report, _, _), ok in zip(compared, on_circles, strict=True)),
            "usable_compared": len(areas),
            "usable_error_median": _median([r.metrics.usable_fraction - usable for r, usable in areas]),
            "passed_occluded": sum(r.score >= threshold and usable < MIN_USABLE for r, usable in areas),
            "refused_on_area": sum(r.metrics.usable_fraction < MIN_USABLE <= usable for r, usable in areas)}


def _group(name: str, scored: list[tuple[IrisReport, Circles | None]], threshold: int, compare: bool) -> IrisGroup:
    reports = [report for report, _ in scored]
    found = [r.metrics for r in reports if r.metrics.found]
    refused = [r for r in reports if r.score < threshold]
    reasons = Counter(code for r in refused for code in set(r.problems))
    passed = len(reports) - len(refused)
    return IrisGroup(name, len(reports), passed, passed / len(reports),
                     float(statistics.median(r.score for r in reports)),
                     _median([m.iris_diameter for m in found]),
                     _median([m.pupil_radius / m.iris_radius for m in found if m.iris_radius > 0]),
                     sorted(reasons.items(), key=lambda item: (-item[1], item[0])),
                     **(_against_truth(scored, threshold) if compare else {}))


def evaluate_irises(folder: Path, read: Reader, threshold: int = 60, truth: dict[str, Circles] | None = None,
                    truth_file: Path | None = None) -> IrisGate:
    """Score every eye image of `folder` with the live iris gate, and compare the images `truth` has circles for
    (native.iris_truth.read_truth; keyed by path relative to `folder`) with them; SinopsisError when none can be
    scored (each file's reason in the message)."""
    quality = IrisQuality()  # one instance: its workspaces are reused across frames of the same size
    scored, left_out = score_groups(folder, read, quality.measure, "eye image")
    pairs = {name: [(report, None if truth is None else truth.get(relative)) for relative, report in rows]
             for name, rows in scored.items()}
    groups = [_group(name, rows, threshold, truth is not None) for name, rows in pairs.items()]
    every = [pair for rows in pairs.values() for pair in rows]
    return IrisGate(str(folder), threshold, groups, _group("all", every, threshold, truth is not None), left_out,
                    None if truth_file is None else str(truth_file))


def format_iris_gate(result: IrisGate) -> str:
    """The evaluation as a printable table: a line per group, then all; why the refused ones were refused, per
    group; with hand-drawn circles, a second table of the groups against them; then the files left out."""
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
    if result.total.truth is not None:
        lines += ["", *_truth_table(result, rows)]
    if result.total.usable_compared:
        lines += ["", *_area_table(rows)]
    lines += [f"left out: {reason}" for reason in result.left_out]
    return "\n".join(lines)


def _truth_table(result: IrisGate, rows: list[IrisGroup]) -> list[str]:
    """The groups against the hand-drawn circles: a line per group, then all."""
    head = (f"{'group':<20} {'truth':>6} {'located':>7} {'loc. %':>6} {'iris err %':>10} "
            f"{'passed, mislocated':>18}")
    lines = [f"Against the hand-drawn circles in {result.truth_file or 'the table given'}: located, pupil and "
             f"limbus within {100 * LOCATED:.0f}%", "of the true iris radius; iris err %, the median limbus error in % "
             "of that radius, over the irises found", head, "-" * len(head)]
    for g in rows:
        if g is result.total:
            lines.append("-" * len(head))
        rate = "-" if g.located_rate is None else f"{100 * g.located_rate:.1f}"
        error = "-" if g.median_iris_error is None else f"{100 * g.median_iris_error:.1f}"
        lines.append(f"{g.name[:20]:<20} {g.truth:>6} {g.located:>7} {rate:>6} {error:>10} {g.passed_mislocated:>18}")
    return lines


def _area_table(rows: list[IrisGroup]) -> list[str]:
    """The located images against the masks' usable shares: a line per group, then all."""
    head = f"{'group':<20} {'masks':>6} {'usable err':>10} {'passed, occluded':>16} {'refused on area':>15}"
    lines = ["Usable iris area against the masks (located images with a usable share): usable err, the median of "
             "the kernel's", f"usable fraction minus the mask's; passed, occluded: passed although the mask keeps "
             f"under {100 * MIN_USABLE:.0f}%", head, "-" * len(head)]
    for g in rows:
        if g is rows[-1]:
            lines.append("-" * len(head))
        error = "-" if g.usable_error_median is None else f"{g.usable_error_median:+.3f}"
        lines.append(f"{g.name[:20]:<20} {g.usable_compared:>6} {error:>10} {g.passed_occluded:>16} "
                     f"{g.refused_on_area:>15}")
    return lines
