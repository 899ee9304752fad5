"""What a simulated field day gives: students per kit-day, touches per student on each side, dead ends, and one
student's timeline with the model's time for each step (as JSON, or as lines for a person)."""

import statistics
from dataclasses import dataclass
from typing import Any

from sinopsis import field_day_model as model
from sinopsis.field_day_model import Step, lane_seconds


@dataclass(frozen=True)
class StudentEnd:
    """How a student's turn at the operator ended: "saved" (with the receipt) or "withdrawn"; the operator's
    decisions on the way (a best kept below the threshold, a dead end)."""

    index: int
    state: str
    receipt: str
    decisions: tuple[str, ...] = ()


@dataclass
class DayRun:
    """Everything one simulated day counted; the figures are properties computed with the model."""

    people: list[Any]  # sinopsis.field_day_people.Person
    ends: list[StudentEnd]
    ledger: Any  # sinopsis.field_day_ledger.Ledger
    slap_mode: bool
    qr_scanner: str
    seed: int

    def _touches(self, lane: str, indexes: list[int]) -> float:
        return statistics.mean(self.ledger.touches(lane, i) for i in indexes) if indexes else 0.0

    @property
    def happy(self) -> list[int]:
        """Students saved without any operator decision (retries need none: the engine retries by itself)."""
        return [e.index for e in self.ends if e.state == "saved" and not e.decisions]

    def summary(self) -> dict:
        """The day's figures (the JSON of `--day --json`)."""
        from sinopsis.field_day_ledger import SESSION

        everyone = [p.index for p in self.people]
        lanes = [self.ledger.lanes(i) for i in everyone]
        login = self.ledger.steps.get(("operator", SESSION), [])
        kit = [lane.kit_s for lane in lanes]
        captures = [s for lane in lanes for s in lane.operator if s.kind == "capture"]
        by_method = {m: [p.index for p in self.people if p.method == m] for m in ("qr", "nik")}
        shown = self.happy[0] if self.happy else everyone[0]
        return {
            "students": len(everyone),
            "seed": self.seed,
            "configuration": {"finger_mode": "slap" if self.slap_mode else "single", "qr_scanner": self.qr_scanner},
            "students_per_day": model.students_per_day(kit, lane_seconds(login)),
            # a one-screen kit ([kiosk] role "all"): check-in and capture take turns on the one display; only the
            # walk up overlaps (the hand-over touches, Pendaftaran / Petugas + PIN, are not driven: see the docs)
            "one_screen_students_per_day": model.students_per_day(
                [lane.checkin_s - _walk_s(lane.checkin) + lane.operator_s for lane in lanes], lane_seconds(login)),
            "seconds_per_student": round(statistics.mean(kit), 1),
            "checkin_lane_seconds_per_student": round(statistics.mean(lane.checkin_s for lane in lanes), 1),
            "operator_lane_seconds_per_student": round(statistics.mean(lane.operator_s for lane in lanes), 1),
            "operator_touches_per_student": round(self._touches("operator", everyone), 2),
            "operator_touches_happy_path": max((self.ledger.touches("operator", i) for i in self.happy), default=None),
            "student_touches_per_student": round(self._touches("checkin", everyone), 2),
            "student_touches_by_method": {m: round(self._touches("checkin", ix), 2) for m, ix in by_method.items()},
            "once_a_day_touches": sum(1 for s in login if s.kind in ("tap", "typed")),
            "window_touches": self.ledger.window_touches,
            "captures": len(captures),
            "retries": sum(s.count - 1 for s in captures),
            "saved": sum(e.state == "saved" for e in self.ends),
            "dead_ends": sum(e.state == "withdrawn" for e in self.ends),
            "decisions": {e.index + 1: list(e.decisions) for e in self.ends if e.decisions},
            "timeline": self.timeline(shown),
            "model": {"tap_s": model.TAP_S, "typed_character_s": model.TYPED_CHARACTER_S,
                      "read_screen_s": model.READ_SCREEN_S, "capture_s": model.CAPTURE_S, "slip_s": model.SLIP_S,
                      "walk_up_s": model.WALK_UP_S, "retry_share": model.RETRY_SHARE,
                      "working_day_s": model.WORKING_DAY_S},
        }

    def timeline(self, index: int) -> dict:
        """One student's steps, lane by lane, each with its model time (runs of one key merged)."""
        person, lanes = self.people[index], self.ledger.lanes(index)
        return {"student": index + 1, "method": person.method,
                "phone": "listed" if person.listed_phone else "typed",
                "checkin": [_row(s) for s in merged(lanes.checkin)],
                "operator": [_row(s) for s in merged(lanes.operator)],
                "checkin_s": round(lanes.checkin_s, 1), "operator_s": round(lanes.operator_s, 1),
                "kit_s": round(lanes.kit_s, 1)}


def _walk_s(steps: list[Step]) -> float:
    return lane_seconds(s for s in steps if s.kind == "walk")


def merged(steps: list[Step]) -> list[Step]:
    """Consecutive typed characters (or taps) on one screen as one step with their count."""
    out: list[Step] = []
    for step in steps:
        last = out[-1] if out else None
        if last is not None and step.kind == last.kind == "typed" and step.what == last.what:
            out[-1] = Step(last.kind, last.what, last.count + step.count, last.modality)
        else:
            out.append(step)
    return out


def _row(step: Step) -> dict:
    return {"kind": step.kind, "what": step.what, "count": step.count, "seconds": round(step.seconds, 1)}


def lines(summary: dict) -> list[str]:
    """The summary for a person to read."""
    t = summary["timeline"]
    out = [f"students_per_day             {summary['students_per_day']}  "
           f"({summary['seconds_per_student']} s per student: check-in lane "
           f"{summary['checkin_lane_seconds_per_student']} s, operator lane "
           f"{summary['operator_lane_seconds_per_student']} s, overlapping)",
           f"  (a one-screen kit, check-in and capture taking turns: {summary['one_screen_students_per_day']})",
           f"operator_touches_per_student {summary['operator_touches_per_student']}  (happy path "
           f"{summary['operator_touches_happy_path']}; once a day, login and the last 'back to the queue': "
           f"{summary['once_a_day_touches']})",
           f"student_touches_per_student  {summary['student_touches_per_student']}  "
           f"(QR {summary['student_touches_by_method']['qr']}, NIK {summary['student_touches_by_method']['nik']})",
           f"dead_ends                    {summary['dead_ends']}  (saved {summary['saved']} of "
           f"{summary['students']}; {summary['retries']} retries in {summary['captures']} captures)",
           "", f"Student {t['student']} ({t['method'].upper()}, {t['phone']} phone):"]
    for lane in ("checkin", "operator"):
        out.append(f"  {lane} lane, {t[lane + '_s']} s:")
        out.extend(f"    {row['seconds']:>5.1f} s  {row['kind']:<8} {row['what']}"
                   + (f" x{row['count']}" if row["count"] > 1 else "") for row in t[lane])
    out.append(f"  the kit: {t['kit_s']} s (the longer lane; the other overlaps it)")
    return out
