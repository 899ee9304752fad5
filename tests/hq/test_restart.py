"""`sinopsis hq ingest` as a real process, killed in the middle of a batch (SIGKILL at a failpoint) and started
again: the broker redelivers the unacked batch from the persistent session and each record is stored once."""

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from hq.ingest.models import Record
from tests.hq.conftest import HQ_PASSWORD, HQ_USER


def _ingest(hq, broker, failpoint: str | None = None) -> subprocess.Popen:
    env = {**os.environ, "SINOPSIS_FAILPOINT": failpoint or ""}
    return subprocess.Popen([sys.executable, "-m", "sinopsis", "hq", "ingest", "--data", str(hq), "--worker", "1",
                             "--broker", f"mqtt://{HQ_USER}:{HQ_PASSWORD}@127.0.0.1:{broker.port}"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


@pytest.mark.parametrize("failpoint, second_answer", [
    ("durable.after_dir_fsync", "accepted"),  # the first packet file is on disk, its row is not
    ("hq.ingest.before_ack", "duplicate"),  # every row is committed, the ack was never sent
])
def test_a_worker_killed_mid_batch_stores_the_redelivered_batch_once(hq, broker, stand_in, packet, failpoint,
                                                                    second_answer):
    station = stand_in("st-a")
    worker = _ingest(hq, broker, failpoint)
    try:
        station.wait_ingest_online(20)
        station.publish_batch("b-1", [("r-1", 1, packet("st-a", "r-1", 1)), ("r-2", 2, packet("st-a", "r-2", 2))])
        assert worker.wait(20) == -9, worker.stdout.read().decode()  # killed at the failpoint, no ack sent
        assert not station.acks
        worker = _ingest(hq, broker)
        ack = station.wait_ack("b-1", 20)
    finally:
        worker.terminate()
        output = worker.communicate(timeout=20)[0].decode()
    assert worker.returncode == 0, output
    if second_answer == "accepted":
        assert ack.accepted == ["r-1", "r-2"] and not ack.duplicate
    else:
        assert ack.duplicate == ["r-1", "r-2"] and not ack.accepted
    assert sorted(Record.objects.values_list("pk", flat=True)) == ["r-1", "r-2"]
    assert len(list((hq / "records" / "st-a").iterdir())) == 2  # no second copy, no temp file left
    assert "ingest worker 1 stopped" in output


def test_a_sigterm_another_thread_receives_stops_the_worker_cleanly(hq, broker, stand_in):
    """The kernel gives a process's SIGTERM to any thread not blocking it; here it goes to one of the worker's
    other threads (kill(2) on a thread's id prefers that thread). Python runs the handler only in the main thread,
    so the worker must still stop and say so, not wait for SIGKILL (a CI failure: main asleep in one endless wait)."""
    station = stand_in("st-a")
    worker = _ingest(hq, broker)
    try:
        station.wait_ingest_online(20)
        others = sorted(int(t.name) for t in Path(f"/proc/{worker.pid}/task").iterdir() if int(t.name) != worker.pid)
        assert others, "the worker runs more than one thread (paho's network loop, the handling thread)"
        os.kill(others[0], signal.SIGTERM)
        code = worker.wait(20)
    finally:
        if worker.poll() is None:
            worker.kill()
        output = worker.communicate(timeout=20)[0].decode()
    assert code == 0, output
    assert "ingest worker 1 stopped" in output
