"""Our live fingerprint score against NIST NFIQ 2 on a folder of real prints, at the station's threshold.

`sinopsis quality --eval-fingerprints --prints-dir DIR`: every print file directly in DIR is one group, each
subfolder one more (a scanner, a database, a day at a school; native/image_folders.py), read through the CLI's
checked reader (special files, size, depth and channels are refused there and the file is left out with the reason,
as a frame too small to score is). Each print gets our score (native.fingerprint) and NFIQ 2 (native.confirm; "no
score" counts as 0, as in native/finger_eval.py), and each group reports how often the two agree at the threshold:
both pass, both refuse, ours alone refuses (a print NFIQ 2 finds usable that the live gate would send back), ours
alone passes; with the medians and Spearman's rho. There are no labels here: NFIQ 2, the standard, is the reference.
This is how the labelled, synthetic degradation set (native/finger_eval.py) is checked against real sensors, and how
a province's own prints can be.
"""

import statistics
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from native.confirm import ConfirmScorer, Nfiq2Scorer
from native.finger_eval import spearman
from native.fingerprint import FingerQuality
from native.image_folders import Reader, score_groups


@dataclass(frozen=True)
class GroupAgreement:
    """One group's prints: how many, the medians, the rank correlation, and the four cells at the threshold."""

    name: str
    count: int
    ours_median: float
    nfiq2_median: float
    spearman: float
    both_pass: int
    both_refuse: int
    ours_only_refuses: int
    ours_only_passes: int


@dataclass(frozen=True)
class PrintsAgreement:
    """Every group, all prints together (`total`), the threshold, and the files left out with why."""

    folder: str
    threshold: int
    groups: list[GroupAgreement]
    total: GroupAgreement
    left_out: list[str] = field(default_factory=list)


def _group(name: str, ours: list[int], theirs: list[int], threshold: int) -> GroupAgreement:
    passes = [(o >= threshold, t >= threshold) for o, t in zip(ours, theirs, strict=True)]
    return GroupAgreement(name, len(ours), float(statistics.median(ours)), float(statistics.median(theirs)),
                          spearman(np.array(ours), np.array(theirs)),
                          both_pass=sum(o and t for o, t in passes),
                          both_refuse=sum(not o and not t for o, t in passes),
                          ours_only_refuses=sum(t and not o for o, t in passes),
                          ours_only_passes=sum(o and not t for o, t in passes))


def evaluate_prints(folder: Path, read: Reader, threshold: int = 40,
                    scorer: ConfirmScorer | None = None) -> PrintsAgreement:
    """Score every print of `folder` with ours and NFIQ 2 (`scorer`, else NIST NFIQ 2; ConfirmError when it is not
    installed); SinopsisError when no print in it can be scored (each file's reason in the message)."""
    scorer = scorer if scorer is not None else Nfiq2Scorer()
    ours = FingerQuality()
    scored, left_out = score_groups(folder, read, lambda image: (ours.measure(image).score, scorer.score(image) or 0),
                                    "print")
    groups = [_group(name, [o for _, (o, _t) in rows], [t for _, (_o, t) in rows], threshold)
              for name, rows in scored.items()]
    every = [pair for rows in scored.values() for _, pair in rows]
    return PrintsAgreement(str(folder), threshold, groups,
                           _group("all", [o for o, _ in every], [t for _, t in every], threshold), left_out)


def format_agreement(result: PrintsAgreement) -> str:
    """The agreement as a printable table: a line per group, then all, then the files left out."""
    head = (f"{'group':<20} {'prints':>6} {'ours':>5} {'NFIQ 2':>6} {'rho':>5}  {'both pass':>9} {'both refuse':>11} "
            f"{'ours refuses':>12} {'ours passes':>11}")
    lines = [f"Our live score against NFIQ 2 on {result.folder}, gate at {result.threshold} (medians; 'ours refuses': "
             "NFIQ 2 passes it, our gate does not)", head, "-" * len(head)]
    for g in [*result.groups, result.total]:
        if g is result.total:
            lines.append("-" * len(head))
        lines.append(f"{g.name[:20]:<20} {g.count:>6} {g.ours_median:>5.0f} {g.nfiq2_median:>6.0f} {g.spearman:>5.2f}  "
                     f"{g.both_pass:>9} {g.both_refuse:>11} {g.ours_only_refuses:>12} {g.ours_only_passes:>11}")
    lines += [f"left out: {reason}" for reason in result.left_out]
    return "\n".join(lines)
