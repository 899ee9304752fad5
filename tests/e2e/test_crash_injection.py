"""Crash injection at every named step (issue 10, point 1): the capture commit, `sinopsis agent run` and
`sinopsis hq ingest` run as real processes on a real mosquitto and HQ's SQLite; one of them is SIGKILLed at a
failpoint (contract/failpoints.py), started again without it, and then every committed record is at HQ exactly
once, final on the station exactly once, with no orphan file or fileless row on either side and the station's
audit chain intact (tests/e2e/crash_harness.py)."""

import pytest

from contract.failpoints import AGENT_POINTS, ALL_POINTS, DURABLE_POINTS, HQ_POINTS, STATION_POINTS
from tests.e2e.crash_harness import Pipeline, pipeline, wait_for

__all__ = ["pipeline"]

RECORDS = 3
# What the station's start-up check finds after the commit was killed at each point: (temp files, orphan files).
LEFT_BY_SEALING = {"commit.before_packet_file": (0, 0), "durable.before_fsync": (1, 0),
                   "durable.before_rename": (1, 0), "durable.before_dir_fsync": (0, 1),
                   "durable.after_dir_fsync": (0, 1), "commit.after_packet_file": (0, 1),
                   "commit.before_commit": (0, 1), "commit.after_commit": (0, 0)}

# (process killed, failpoint): every point, in every process that reaches it on the way of a record.
# ingest:durable.before_fsync / before_rename are the regression tests of a bug these cases found: a worker
# killed mid-write left its temp file under records/ for ever; every worker now sweeps them when it starts
# (hq/ingest/storage.py sweep_temp_files_left).
CASES = ([("seal", p) for p in STATION_POINTS + DURABLE_POINTS]
         + [("agent", p) for p in AGENT_POINTS]
         + [("ingest", p) for p in HQ_POINTS + DURABLE_POINTS])
# (A batch half stored is gone with group commit: a group's rows are committed in one transaction. The one-record
# way a group falls back to is run with a record the database refuses: tests/hq/test_ingest_dead_letters.py.)


def test_every_failpoint_is_exercised_here():
    assert set(LEFT_BY_SEALING) == set(STATION_POINTS + DURABLE_POINTS)
    covered = {point.partition("@")[0] for _, point in CASES}
    assert covered == set(ALL_POINTS)


def _seal_with_crash(line: Pipeline, point: str) -> None:
    """The kiosk's commit killed at `point` while the agent drains what was saved before; the kiosk starts again
    (its check, then the operator saves the records again)."""
    line.seal_here(1)
    ids = line.check_in(RECORDS)
    line.seal_child(ids, point).wait_killed()
    report = line.check_store()  # what the kiosk does when it starts
    assert report.ok, report
    done = line.refresh_committed(ids)
    assert len(done) == (1 if point == "commit.after_commit" else 0), "only a finished commit counts"
    assert (len(report.swept_temp), len(report.swept_orphans)) == LEFT_BY_SEALING[point], report
    retry = line.seal_child(ids)
    assert retry.popen.wait(30) == 0, retry.output()
    assert line.refresh_committed(ids) == ids


@pytest.mark.parametrize(("process", "point"), CASES, ids=[f"{proc}:{point}" for proc, point in CASES])
def test_killed_at_a_failpoint_then_restarted_every_record_reaches_hq_exactly_once(pipeline, process, point):
    from hq.ingest.models import Batch

    line = pipeline
    if process == "seal":
        line.start_ingest()
        line.start_agent()
        _seal_with_crash(line, point)
    else:
        line.seal_here(RECORDS)
        armed = line.start_ingest(point if process == "ingest" else None)
        agent = line.start_agent(point if process == "agent" else None)
        if process == "agent":
            agent.wait_killed()
            line.start_agent()
        else:
            armed.wait_killed()
            stored = Batch.objects.exists()  # a group's log rows are committed with its records
            assert stored == (point in ("hq.ingest.after_row_commit", "hq.ingest.before_ack", "hq.ingest.after_ack",
                                        "hq.ingest.before_puback")), point
            line.start_ingest()
    line.wait_drained()
    line.kill_all()  # the clean stops are checked by the tests below and in test_network_faults.py
    line.check_invariants()


# Two processes killed around the same batch, both started again.
PAIRS = [("agent.before_ack_commit", "hq.ingest.before_puback"),  # both die around HQ's ack
         ("agent.after_puback", "hq.ingest.after_file")]  # the station never marks sent, HQ never commits


@pytest.mark.parametrize(("agent_point", "ingest_point"), PAIRS, ids=[f"{a}+{i}" for a, i in PAIRS])
def test_agent_and_ingest_both_killed_then_restarted(pipeline, agent_point, ingest_point):
    line = pipeline
    line.seal_here(RECORDS)
    ingest = line.start_ingest(ingest_point)
    agent = line.start_agent(agent_point)
    ingest.wait_killed()
    agent.wait_killed()
    line.seal_here(1)  # the kiosk carries on while both are down
    line.start_ingest()
    line.start_agent()
    line.wait_drained()
    line.stop_all()
    line.check_invariants()


def test_an_agent_killed_writing_its_link_file_leaves_no_temp_file(pipeline):
    """The agent sweeps what a crash mid-write left in agent/ when it starts again (it once stayed for ever)."""
    line = pipeline
    line.seal_here(1)
    line.start_ingest()
    line.start_agent("durable.before_rename").wait_killed()  # its first durable write is agent/link.json
    line.start_agent()
    line.wait_drained()
    line.stop_all()
    line.check_invariants()  # records: exactly once, no orphan packet — the link file is no record
    left = sorted(p.name for p in (line.config.station.data_dir / "agent").glob(".tmp-*"))
    assert left == []


def test_one_of_two_ingest_workers_killed_the_other_carries_on(pipeline):
    """mosquitto keeps giving the shared subscription's batches to the dead worker's persistent session too:
    those wait there until the station's ack timeout sends them again (to a live worker, or to the same
    session: a delay, never a loss)."""
    line = pipeline
    line.agent_settings = {"agent": {"ack_timeout_s": 0.5}}
    line.seal_here(RECORDS)
    doomed = line.start_ingest("hq.ingest.after_file", worker="1")
    wait_for(doomed.ready, "worker 1 up")
    line.start_agent()  # the first batch goes to worker 1, the only one subscribed
    doomed.wait_killed()
    line.start_ingest(worker="2")
    line.seal_here(RECORDS)  # more records while worker 1 is gone: worker 2 takes them (and the resend)
    line.wait_drained()
    line.start_ingest(worker="1")  # back: the batch in its session comes again, stored nothing twice
    line.stop_all()
    line.check_invariants()
