"""`sinopsis hq ingest` as a real process, killed in the middle of a batch (SIGKILL at a failpoint) and started
again: the broker redelivers the unacked batch from the persistent session and each record is stored once."""

import os
import subprocess
import sys

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
