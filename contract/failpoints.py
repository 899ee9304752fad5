"""Named crash points for power-cut tests: a step armed through SINOPSIS_FAILPOINT kills the process there.

Production code calls `failpoint("name")` between durable steps; nothing happens unless the environment
variable names that point (comma-separated names arm several). `name@N` arms the point's N-th hit in this
process (counted from 1; plain `name` is `name@1`), so a test can kill, say, after the second record of a batch
was committed. Tests run the real code in a subprocess with a point armed, so the crash is a real SIGKILL
between two real writes, not a patched function (tests/station/test_power_cut.py, tests/hq/test_restart.py,
tests/e2e/test_crash_injection.py).

Every point, by the process that reaches it:

Station, sealing a record (`station/sealing.py`, inside its BEGIN IMMEDIATE transaction):
- `commit.before_packet_file` — the packet is sealed in memory, nothing written yet
- `commit.after_packet_file` — the packet file is durable, its row not yet written
- `commit.before_commit` — every row written, COMMIT not yet run
- `commit.after_commit` — committed (the screen may say *Tersimpan*)

Any durable file write (`contract/durable.py` `write_durably`: the station's packets and link file, HQ's stored and
quarantined packets):
- `durable.before_fsync` — the temp file is written, not flushed
- `durable.before_rename` — the temp file is flushed, not renamed
- `durable.before_dir_fsync` — renamed to its final name, the directory not flushed
- `durable.after_dir_fsync` — the file is durable under its final name

Edge agent, draining the outbox (`edge_agent/drain.py`, `edge_agent/outbox.py`):
- `agent.before_publish` — the batch's rows carry its id (committed), the batch not yet handed to the client
- `agent.after_publish` — the batch handed to the client (on the wire or queued), no PUBACK yet
- `agent.after_puback` — the broker's PUBACK arrived, the records not yet marked sent
- `agent.before_sent_commit` — the records marked `sent` in the open transaction, not committed
- `agent.after_sent_commit` — `sent` committed
- `agent.before_ack_commit` — HQ's ack applied in the open transaction, not committed
- `agent.after_ack_commit` — HQ's ack committed (the records are final on the station); the ack message not yet
  PUBACKed to the broker

HQ ingest, one batch (`hq/ingest/worker.py`, `hq/ingest/storage.py`):
- `hq.ingest.before_file` — a new record verified, its file not yet written
- `hq.ingest.after_file` — its file durable, its row not yet committed
- `hq.ingest.before_row_commit` — its row inserted in the open transaction, not committed
- `hq.ingest.after_row_commit` — its row committed
- `hq.ingest.before_ack` — the whole batch stored and logged, the Ack not yet published
- `hq.ingest.after_ack` — the Ack handed to the client, the broker's confirmation not yet waited for
- `hq.ingest.before_puback` — the Ack confirmed by the broker, the batch not yet PUBACKed (so it comes again)
"""

import collections
import os
import signal

ENV_VAR = "SINOPSIS_FAILPOINT"

STATION_POINTS = ("commit.before_packet_file", "commit.after_packet_file", "commit.before_commit",
                  "commit.after_commit")
DURABLE_POINTS = ("durable.before_fsync", "durable.before_rename", "durable.before_dir_fsync",
                  "durable.after_dir_fsync")
AGENT_POINTS = ("agent.before_publish", "agent.after_publish", "agent.after_puback", "agent.before_sent_commit",
                "agent.after_sent_commit", "agent.before_ack_commit", "agent.after_ack_commit")
HQ_POINTS = ("hq.ingest.before_file", "hq.ingest.after_file", "hq.ingest.before_row_commit",
             "hq.ingest.after_row_commit", "hq.ingest.before_ack", "hq.ingest.after_ack", "hq.ingest.before_puback")
ALL_POINTS = STATION_POINTS + DURABLE_POINTS + AGENT_POINTS + HQ_POINTS

ACTION_VAR = "SINOPSIS_FAILPOINT_ACTION"  # "stop": SIGSTOP at the point instead of SIGKILL
_hits: collections.Counter[str] = collections.Counter()


def _armed_hit(armed: str, name: str) -> int | None:
    """Which hit of `name` the armed list asks for (1 for a bare name), or None when it is not armed."""
    for item in armed.split(","):
        point, _, nth = item.strip().partition("@")
        if point == name:
            return int(nth) if nth.isdigit() and int(nth) > 0 else 1
    return None


def failpoint(name: str) -> None:
    """Kill this process with SIGKILL if `name` is armed in SINOPSIS_FAILPOINT (at its N-th hit with `name@N`);
    otherwise do nothing. With SINOPSIS_FAILPOINT_ACTION=stop the process stops there instead (SIGSTOP), so a test
    can cut the power to a whole machine at that very step (`sinopsis image boot-check` kills the booted kit)."""
    armed = os.environ.get(ENV_VAR)
    if not armed:
        return
    nth = _armed_hit(armed, name)
    if nth is None:
        return
    _hits[name] += 1
    if _hits[name] >= nth:
        os.kill(os.getpid(), signal.SIGSTOP if os.environ.get(ACTION_VAR) == "stop" else signal.SIGKILL)
