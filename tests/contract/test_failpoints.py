"""contract/failpoints.py: an armed point kills the process there (SIGKILL), or with SINOPSIS_FAILPOINT_ACTION=stop
stops it there (SIGSTOP) so a test can cut the power to a whole machine at that step (`sinopsis image
boot-check`); an unarmed point does nothing."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

CODE = "from contract.failpoints import failpoint; failpoint('other.point'); failpoint('step.x'); print('after')"


def _run(**env: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", CODE], env={**os.environ, **env}, stdout=subprocess.PIPE)


def test_an_armed_point_kills_and_an_unarmed_one_does_nothing():
    assert _run(SINOPSIS_FAILPOINT="").communicate(timeout=60)[0] == b"after\n"
    killed = _run(SINOPSIS_FAILPOINT="step.x")
    assert killed.wait(60) == -signal.SIGKILL and killed.stdout.read() == b""


def test_with_the_stop_action_the_process_waits_stopped_at_the_point():
    child = _run(SINOPSIS_FAILPOINT="step.x", SINOPSIS_FAILPOINT_ACTION="stop")
    try:
        deadline = time.monotonic() + 60
        while Path(f"/proc/{child.pid}/stat").read_text().rpartition(")")[2].split()[0] != "T":
            assert time.monotonic() < deadline and child.poll() is None, "the process did not stop at the point"
            time.sleep(0.02)
    finally:
        child.kill()
    assert child.wait(60) == -signal.SIGKILL and child.stdout.read() == b""  # it never went past the point
