"""The end-of-day summary of the current assignment: how many students were on the list, checked in, recorded,
still waiting, withdrawn (by reason), sent to the office for correction (by reason), the finger and iris
exceptions, the captures accepted below the threshold, what HQ has not confirmed yet, and each operator's share.

The team reads it on the kiosk ("End of day") or with `sinopsis station summary`, before packing up: a record that
HQ has not confirmed yet means the kit must stay on (or come back online) until it has been sent. Everything is
read from the records, captures, outbox and audit tables; nothing is written.
"""

import datetime as dt
import sqlite3
from dataclasses import asdict, dataclass, field

from station.roster import current_assignment
from station.station_status import read_outbox
from station.store import StationStore

RECORDED = ("captured", "sent", "accepted", "duplicate", "rejected", "purged")


@dataclass(frozen=True)
class OperatorDay:
    """One team member's day: students called (and recalled), recorded, withdrawn, sent for correction."""

    operator_id: str
    name: str
    called: int = 0
    recorded: int = 0
    withdrawn: int = 0
    corrections: int = 0


@dataclass(frozen=True)
class DaySummary:
    school_name: str
    recording_date: str
    spt_number: str
    on_list: int
    checked_in: int
    recorded: int
    recorded_by_state: dict[str, int]  # captured / sent / accepted …: where the recorded ones are now
    waiting: int  # checked in, not yet recorded (passed-over students included)
    being_served: int  # capture under way
    withdrawn: dict[str, int]  # reason code → students
    corrections: dict[str, int]  # reason code → correction requests made
    exceptions: dict[str, dict[str, int]]  # "finger" / "iris" → exception code → positions
    below_threshold: int  # captures accepted below the threshold (with the operator's reason)
    unsent: int  # sealed records (on this station) HQ has not confirmed yet
    oldest_unsent_s: float | None
    operators: list[OperatorDay] = field(default_factory=list)

    @property
    def not_checked_in(self) -> int:
        return self.on_list - self.checked_in

    def to_dict(self) -> dict:
        """Plain data for JSON (`sinopsis station summary --json`)."""
        return asdict(self) | {"not_checked_in": self.not_checked_in}


def _grouped(conn: sqlite3.Connection, sql: str, args: tuple) -> dict[str, int]:
    return {str(key): int(n) for key, n in conn.execute(sql, args)}


def _operators(conn: sqlite3.Connection, assignment_ref: int) -> list[OperatorDay]:
    """Per team member, from the audit log (the operator is the actor of every call and transition)."""
    counts: dict[str, dict[str, int]] = {}
    rows = conn.execute(
        "SELECT u.actor, u.action, u.to_state, COUNT(*) FROM audit u JOIN records r ON r.id = u.record_id "
        "JOIN checkins c ON c.id = r.checkin_ref WHERE c.assignment_ref = ? AND (u.action IN "
        "('queue.called', 'queue.recalled') OR (u.action = 'record.transition' AND u.to_state IN "
        "('captured', 'withdrawn', 'correction_requested') "
        "AND (u.to_state != 'withdrawn' OR r.state = 'withdrawn'))) "  # an undone withdrawal is no withdrawal
        "GROUP BY u.actor, u.action, u.to_state",
        (assignment_ref,))
    column = {"captured": "recorded", "withdrawn": "withdrawn", "correction_requested": "corrections"}
    for actor, action, to_state, n in rows:
        key = "called" if action.startswith("queue.") else column[to_state]
        counts.setdefault(actor, {})[key] = counts.setdefault(actor, {}).get(key, 0) + n
    team = conn.execute("SELECT operator_id, name FROM operators WHERE assignment_ref = ? ORDER BY operator_id",
                        (assignment_ref,)).fetchall()
    names = {operator_id: name for operator_id, name in team}
    ids = [o for o, _ in team] + sorted(set(counts) - set(names))
    return [OperatorDay(o, names.get(o, ""), **counts.get(o, {})) for o in ids]


def day_summary(store: StationStore, now: dt.datetime | None = None) -> DaySummary | None:
    """The summary of the current assignment; None when none is imported."""
    conn = store.conn
    assignment = current_assignment(conn)
    if assignment is None:
        return None
    ref = (assignment["id"],)
    on_list = conn.execute("SELECT COUNT(*) FROM applicants WHERE assignment_ref = ?", ref).fetchone()[0]
    by_state = _grouped(conn, "SELECT r.state, COUNT(*) FROM records r JOIN checkins c ON c.id = r.checkin_ref "
                              "WHERE c.assignment_ref = ? GROUP BY r.state", ref)
    withdrawn = _grouped(conn, "SELECT COALESCE(r.reason_code, 'other'), COUNT(*) FROM records r JOIN checkins c "
                               "ON c.id = r.checkin_ref WHERE c.assignment_ref = ? AND r.state = 'withdrawn' "
                               "GROUP BY 1 ORDER BY 1", ref)
    corrections: dict[str, int] = {}
    for (reason,) in conn.execute(
            "SELECT u.reason FROM audit u JOIN records r ON r.id = u.record_id JOIN checkins c "
            "ON c.id = r.checkin_ref WHERE c.assignment_ref = ? AND u.action = 'record.transition' "
            "AND u.to_state = 'correction_requested'", ref):
        code = (reason or "other").split(":")[0].strip()  # "code" or "code: the operator's words"
        corrections[code] = corrections.get(code, 0) + 1
    exceptions: dict[str, dict[str, int]] = {"finger": {}, "iris": {}}
    for modality, code, n in conn.execute(
            "SELECT p.modality, COALESCE(p.exception_code, 'other'), COUNT(*) FROM captures p JOIN records r "
            "ON r.id = p.record_id JOIN checkins c ON c.id = r.checkin_ref WHERE c.assignment_ref = ? AND "
            "p.outcome = 'exception' AND p.modality IN ('finger', 'iris') GROUP BY 1, 2 ORDER BY 1, 2", ref):
        exceptions[modality][code] = n
    below = conn.execute(
        "SELECT COUNT(*) FROM captures p JOIN records r ON r.id = p.record_id JOIN checkins c "
        "ON c.id = r.checkin_ref WHERE c.assignment_ref = ? AND p.below_threshold = 1", ref).fetchone()[0]
    unsent, oldest = read_outbox(store, now or dt.datetime.now(dt.UTC))
    return DaySummary(
        assignment["school_name"], assignment["recording_date"], assignment["spt_number"], on_list,
        sum(by_state.values()), sum(by_state.get(s, 0) for s in RECORDED),
        {s: by_state[s] for s in RECORDED if by_state.get(s)}, by_state.get("checked_in", 0),
        by_state.get("capturing", 0), withdrawn, dict(sorted(corrections.items())), exceptions, below, unsent,
        oldest, _operators(conn, assignment["id"]))
