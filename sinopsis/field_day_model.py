"""The field day's time model (issue 20 point 2), in one place and not tuned: what a touch, a typed character, a
screen, a capture, a slip and a walk cost in seconds. `sinopsis station simulate --day` counts what the real
kiosk screens took (touches delivered to the window, screens shown, captures and their attempts, slips) and this
module turns the counts into time.

The numbers are the issue's own words; a capture's figure is its minimum ("a face capture >= 8 s") and is used as
it is. Two lanes run side by side: the check-in lane (a student walks up, checks in, takes the queue slip) and the
operator lane (call, identity check, captures, save, acknowledgement slip). Check-in of the next students
overlaps the current capture, so the kit spends per student the longer of the two lanes plus what cannot overlap
(`Lanes.serial_s`).
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

TAP_S = 1.2  # "a tap 1.2 s"
TYPED_CHARACTER_S = 0.6  # "a typed character 0.6 s" (a digit key of the on-screen keypad)
READ_SCREEN_S = 2.0  # "reading a new screen 2 s"
CAPTURE_S = {  # one attempt of one capture
    "face": 8.0,  # "a face capture >= 8 s"
    "signature": 12.0,  # "a signature >= 12 s"
    "slap": 6.0,  # "each slap >= 6 s"
    "finger": 5.0,  # "each single finger >= 5 s"
    "iris": 5.0,  # "each eye >= 5 s"
}
SLIP_S = 6.0  # "a printed slip 6 s"
WALK_UP_S = 20.0  # "a student walking up 20 s (may overlap the previous capture)": in the check-in lane
RETRY_SHARE = 0.15  # "15 % of captures need one retry"
WORKING_DAY_S = 7 * 3600.0  # "a 7-hour working day"

# Step kinds of a timeline and what one of each costs (a capture's cost is per attempt, from CAPTURE_S).
# Showing the application QR to the scanner is not a touch; the model has no figure of its own for it, so it costs
# what one deliberate action costs, a tap.
STEP_S = {"tap": TAP_S, "typed": TYPED_CHARACTER_S, "screen": READ_SCREEN_S, "slip": SLIP_S, "walk": WALK_UP_S,
          "show": TAP_S}


@dataclass(frozen=True)
class Step:
    """One thing that took time: `kind` is tap, typed, screen, slip, walk, show (a QR) or capture; `what` names
    it (a screen, a capture); `count` of them (a capture's attempts)."""

    kind: str
    what: str
    count: int = 1
    modality: str = ""  # a capture: face, signature, slap, finger or iris

    @property
    def seconds(self) -> float:
        """The model's time for this step."""
        each = CAPTURE_S[self.modality] if self.kind == "capture" else STEP_S[self.kind]
        return each * self.count


def lane_seconds(steps: Iterable[Step]) -> float:
    """The model's time for a lane's steps."""
    return sum(step.seconds for step in steps)


@dataclass
class Lanes:
    """One student's two lanes and what cannot overlap."""

    checkin: list[Step] = field(default_factory=list)
    operator: list[Step] = field(default_factory=list)
    serial: list[Step] = field(default_factory=list)  # on the kit's critical path whatever the other lane does

    @property
    def checkin_s(self) -> float:
        return lane_seconds(self.checkin)

    @property
    def operator_s(self) -> float:
        return lane_seconds(self.operator)

    @property
    def serial_s(self) -> float:
        return lane_seconds(self.serial)

    @property
    def kit_s(self) -> float:
        """What this student costs the kit: the longer lane (the other overlaps it) plus what cannot overlap."""
        return max(self.checkin_s, self.operator_s) + self.serial_s


def students_per_day(per_student_s: Iterable[float], overhead_s: float = 0.0,
                     day_s: float = WORKING_DAY_S) -> int:
    """Whole students a kit finishes in a working day at the mean of `per_student_s`, after `overhead_s` once a
    day (the operator's login)."""
    times = list(per_student_s)
    if not times:
        return 0
    mean = sum(times) / len(times)
    return int(max(0.0, day_s - overhead_s) // mean) if mean > 0 else 0


def needs_retry(draw: float) -> bool:
    """A capture whose seeded draw in [0, 1) is below RETRY_SHARE needs one retry."""
    return draw < RETRY_SHARE
