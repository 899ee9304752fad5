"""The e-KTP capture policy (DESIGN.md §5) as data and one check: what a complete record must hold.

A record needs every position in CAPTURE_ORDER, each either captured or an exception with a coded reason.
A capture below its threshold counts only when the configured policy allows it and the operator gave a
reason; it is then flagged on the receipt.
"""

from dataclasses import dataclass, field
from typing import Any, Literal

from contract.errors import RecordStateError
from station.config import CaptureSection

FINGERS = tuple(
    f"{hand}_{finger}" for hand in ("right", "left") for finger in ("thumb", "index", "middle", "ring", "little")
)
IRISES = ("right_iris", "left_iris")
# The order the operator is guided through (verify identity first, review and commit after).
CAPTURE_ORDER = ("face", "signature", *FINGERS, *IRISES)

# Coded reasons for a finger or eye that cannot be captured (MOSIP-style), and for a student who cannot sign.
BIOMETRIC_EXCEPTIONS = frozenset({"amputated", "injured", "unable_to_print", "other"})
SIGNATURE_EXCEPTIONS = frozenset({"unable_to_sign", "other"})
# Coded reasons for keeping the best of the attempts although it stays below its threshold (the kiosk offers
# these; the code is the capture's `reason`, sealed in the record and in the audit log's record.sealed row).
BELOW_THRESHOLD_REASONS = frozenset({"worn_prints", "medical_condition", "cannot_keep_still", "site_conditions",
                                     "other"})


def face_background_for(birth_year: int) -> str:
    """The e-KTP portrait backdrop: red for an odd birth year, blue for an even one (checked at capture)."""
    return "red" if birth_year % 2 else "blue"


def modality_of(position: str) -> str:
    """face, signature, finger or iris for a capture position."""
    if position in FINGERS:
        return "finger"
    if position in IRISES:
        return "iris"
    if position in ("face", "signature"):
        return position
    raise ValueError(f"unknown capture position {position!r}")


@dataclass(frozen=True)
class CaptureResult:
    """The outcome of one position: the image (in memory only), its scores and how it was obtained.

    For an exception, `image` is the exception photo and `exception_code` says why.
    """

    position: str
    outcome: Literal["captured", "exception"]
    attempts: int
    image: bytes | None = None
    image_ext: str = "png"
    score: int | None = None
    below_threshold: bool = False
    reason: str | None = None
    exception_code: str | None = None
    device_serial: str | None = None
    started_at: str | None = None
    finished_at: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def modality(self) -> str:
        return modality_of(self.position)

    @property
    def image_name(self) -> str:
        """The file name of the image inside the sealed packet."""
        folder = {"finger": "finger/", "iris": "iris/"}.get(self.modality, "")
        suffix = "_exception" if self.outcome == "exception" else ""
        return f"{folder}{self.position}{suffix}.{self.image_ext}"


def threshold_for(position: str, policy: CaptureSection) -> int | None:
    """The live-score threshold for a position (None for the signature, which has no quality score)."""
    modality = modality_of(position)
    return None if modality == "signature" else getattr(policy.thresholds, modality)


def check_complete(captures: list[CaptureResult], policy: CaptureSection) -> None:
    """Raise RecordStateError listing every way `captures` falls short of a complete e-KTP record."""
    problems = []
    by_position: dict[str, CaptureResult] = {}
    for c in captures:
        if c.position not in CAPTURE_ORDER:
            problems.append(f"{c.position}: not a capture position")
        elif c.position in by_position:
            problems.append(f"{c.position}: captured twice")
        by_position[c.position] = c
    problems += [f"{p}: missing" for p in CAPTURE_ORDER if p not in by_position]
    for position, c in by_position.items():
        if position not in CAPTURE_ORDER:
            continue
        problems += [f"{position}: {p}" for p in _problems_of(c, policy)]
    if problems:
        raise RecordStateError("the record is not complete:\n" + "\n".join(f"  - {p}" for p in problems),
                               code="record.incomplete")


def extra_attempts(c: CaptureResult) -> int:
    """The attempts beyond the policy's max_attempts that a supervisor approved for this capture (0 when none)."""
    approved = c.metadata.get("more_attempts") if isinstance(c.metadata, dict) else None
    extra = approved.get("extra") if isinstance(approved, dict) else 0
    return extra if isinstance(extra, int) and not isinstance(extra, bool) and extra > 0 else 0


def _problems_of(c: CaptureResult, policy: CaptureSection) -> list[str]:
    allowed = policy.max_attempts + extra_attempts(c)
    if c.attempts < 0 or c.attempts > allowed:
        return [f"{c.attempts} attempts is outside 0..{allowed}"]
    if c.outcome == "exception":
        allowed = {"face": frozenset(), "signature": SIGNATURE_EXCEPTIONS}.get(c.modality, BIOMETRIC_EXCEPTIONS)
        if c.exception_code not in allowed:
            return [f"exception code {c.exception_code!r} is not one of {sorted(allowed) or 'none (required)'}"]
        if c.modality in ("finger", "iris") and not c.image:
            return ["an exception needs its exception photo"]
        return []
    if not c.image:
        return ["captured but no image"]
    threshold = threshold_for(c.position, policy)
    if threshold is None:
        return []
    if c.score is None:
        return ["captured without a quality score"]
    if c.score >= threshold:
        return [] if not c.below_threshold else ["flagged below threshold but the score passes"]
    if not c.below_threshold:
        return [f"score {c.score} is below the threshold {threshold}"]
    if not policy.allow_below_threshold:
        return [f"score {c.score} is below {threshold} and the policy forbids accepting it"]
    if not (c.reason and c.reason.strip()):
        return [f"accepted below threshold ({c.score} < {threshold}) without the operator's reason"]
    return []
