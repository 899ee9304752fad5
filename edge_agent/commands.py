"""Commands from HQ on `…/cmd/{job}` (wire.Command), answered on `…/job/{job}` (wire.JobState).

A command that cannot be read, names an unknown command, disagrees with its topic's job id, or has expired
(its `expires_at` is past, or the MQTT message expiry ran out before it could run) is answered `rejected` with
the reason; anything else goes queued → in_progress → succeeded | failed. A job id seen before is not run twice
(QoS 1 may deliver a command again, and the persistent session may deliver it again after a restart): the
last SEEN_JOBS job ids are kept in `<data_dir>/agent/jobs_seen.json`, written durably before the job runs.
"""

import collections
import datetime as dt
import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from contract import wire
from contract.durable import private_dir, write_durably
from edge_agent.logbook import Logbook
from edge_agent.purge import purge_accepted
from station.config import StationConfig
from station.store import StationStore

logger = logging.getLogger(__name__)
DETAIL_MAX = 2000
SEEN_JOBS = 1000
SEEN_FILE = "jobs_seen.json"
JOB_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")


def _time(text: str) -> dt.datetime | None:
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def job_state(job: str, state: str, detail: str | None = None) -> wire.JobState:
    """A JobState message stamped now, the detail cut to what the contract allows."""
    return wire.JobState(job=job, state=state, detail=None if detail is None else detail[:DETAIL_MAX],
                             ts=dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds"))


@dataclass(frozen=True)
class Received:
    """A command as received: the job id from the topic, the command when it may run, else why not."""

    job: str
    command: wire.Command | None
    refusal: str | None
    deadline: dt.datetime | None = None


def check_command(topic_job: str, payload: bytes, message_expiry_s: int | None, now: dt.datetime) -> Received:
    """Read and check one command; `message_expiry_s` is the MQTT message expiry left when it arrived."""
    try:
        command = wire.parse(wire.Command, payload)
    except wire.ContractError as e:
        return Received(topic_job, None, f"{e.code}: {e}")
    if command.job != topic_job:
        return Received(topic_job, None, f"the message names job {command.job!r}, its topic {topic_job!r}")
    expires = _time(command.expires_at)
    if expires is None:
        return Received(topic_job, None, f"expires_at {command.expires_at!r} is not an ISO 8601 time")
    deadline = expires
    if message_expiry_s is not None:
        deadline = min(deadline, now + dt.timedelta(seconds=message_expiry_s))
    if deadline <= now:
        return Received(topic_job, None, f"expired at {deadline.isoformat(timespec='seconds')}")
    return Received(topic_job, command, None, deadline)


def _load_seen(path: Path) -> list[str]:
    """The job ids a previous run of the agent saw (none when the file is missing or unreadable)."""
    try:
        jobs = json.loads(path.read_bytes())
    except FileNotFoundError:
        return []
    except (OSError, ValueError) as e:
        logger.warning("seen job ids in %s unreadable (%s): starting without them", path, e)
        return []
    return [j for j in jobs if isinstance(j, str)][-SEEN_JOBS:] if isinstance(jobs, list) else []


class CommandRunner:
    """Runs checked commands; `publish(job_state)` sends each state, `sync_now()` drains and says what it did
    (ok, detail)."""

    def __init__(self, store: StationStore, config: StationConfig, logbook: Logbook,
                 publish: Callable[[wire.JobState], None], sync_now: Callable[[], tuple[bool, str]]) -> None:
        self.store, self.config, self.logbook = store, config, logbook
        self.publish, self.sync_now = publish, sync_now
        self.seen_path = config.station.data_dir / "agent" / SEEN_FILE
        self.seen: collections.OrderedDict[str, None] = collections.OrderedDict.fromkeys(_load_seen(self.seen_path))

    def handle(self, topic_job: str, payload: bytes, message_expiry_s: int | None) -> str:
        """Check and run one command; returns the final job state (or "ignored" for a job seen before)."""
        if not JOB_ID.fullmatch(topic_job):
            logger.warning("command on cmd/%s ignored: not a job id that can be answered", topic_job[:80])
            return "ignored"
        if topic_job in self.seen:
            logger.info("job %s: seen before, not run again", topic_job)
            return "ignored"
        self.seen[topic_job] = None
        while len(self.seen) > SEEN_JOBS:
            self.seen.popitem(last=False)
        self._save_seen()
        received = check_command(topic_job, payload, message_expiry_s, dt.datetime.now(dt.UTC))
        if received.command is None:
            logger.warning("job %s rejected: %s", topic_job, received.refusal)
            self.publish(job_state(topic_job, "rejected", received.refusal))
            return "rejected"
        command = received.command
        self.publish(job_state(topic_job, "queued", command.name))
        if received.deadline is not None and received.deadline <= dt.datetime.now(dt.UTC):
            self.publish(job_state(topic_job, "rejected", "expired while queued"))
            return "rejected"
        self.publish(job_state(topic_job, "in_progress", command.name))
        try:
            ok, detail = self._run(command)
        except Exception as e:  # a failed job is reported, never crashes the agent
            logger.exception("job %s (%s) failed", topic_job, command.name)
            ok, detail = False, f"{type(e).__name__}: {e}"
        state = "succeeded" if ok else "failed"
        logger.info("job %s (%s) %s: %s", topic_job, command.name, state, detail.splitlines()[0] if detail else "")
        self.publish(job_state(topic_job, state, detail))
        return state

    def _save_seen(self) -> None:
        """Keep the seen job ids across restarts (before the job runs: at most once, even after a crash)."""
        try:
            private_dir(self.seen_path.parent)
            write_durably(self.seen_path, json.dumps(list(self.seen)).encode())
        except OSError as e:  # the job still runs once in this process
            logger.warning("cannot keep the seen job ids in %s (%s)", self.seen_path, e)

    def _run(self, command: wire.Command) -> tuple[bool, str]:
        if command.name == "sync_now":
            return self.sync_now()
        if command.name == "send_logs":
            return True, self.logbook.tail(DETAIL_MAX)
        if command.name == "rotate_logs":
            return True, self.logbook.rotate()
        days, rejected_days = self.config.retention.purge_after_days, self.config.retention.purge_rejected_after_days
        result = purge_accepted(self.store, days, rejected_days=rejected_days)
        return True, (f"purged {len(result.purged)} record(s) HQ held for more than {days} days"
                      + (f" and the packets of {len(result.rejected_cleared)} it rejected more than {rejected_days} "
                         "days ago" if result.rejected_cleared else "")
                      + f", freed {result.bytes_freed} bytes"
                      + (f"; swept {len(result.swept)} leftover file(s)" if result.swept else ""))
