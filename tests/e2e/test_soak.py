"""`sinopsis soak` (issue 10, point 7): the real processes — the station sealing, the agent, mosquitto, HQ
ingest — under seeded random faults, then the ledger. The short, bounded soak itself runs in CI (`.ci/run`, about
half a minute, its ledger printed; it fails CI unless nothing was lost, duplicated or left pending) rather than
here, so ./test.sh stays within its time; the faults one by one are tests/e2e/test_network_faults.py and
test_crash_injection.py. Here: its bad arguments."""

import subprocess
import sys


def test_bad_arguments_are_named(tmp_path):
    for args, expected in ((["--minutes", "0"], "--minutes 0: give a time"),
                           (["--fault-every", "0.1"], "--fault-every 0.1: give 0.5 to 3600 seconds")):
        done = subprocess.run([sys.executable, "-m", "sinopsis", "soak", *args, "--dir", str(tmp_path / "x")],
                              capture_output=True, text=True, timeout=60, check=False)
        assert done.returncode == 2 and expected in done.stderr
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "something").write_text("x")
    done = subprocess.run([sys.executable, "-m", "sinopsis", "soak", "--minutes", "0.1", "--dir", str(busy)],
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 2 and "is not empty" in done.stderr
