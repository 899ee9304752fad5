"""`sinopsis soak`, short and bounded (issue 10, point 7): the real processes — the station sealing, the agent,
mosquitto, HQ ingest — under seeded random faults (broker killed and stalled, agent and ingest killed, ingest down
for a stretch), then the ledger. CI's version runs about half a minute; `sinopsis soak --minutes N` is the long
one."""

import re
import subprocess
import sys


def test_a_short_soak_under_faults_loses_and_duplicates_nothing(tmp_path):
    done = subprocess.run([sys.executable, "-m", "station.cli", "soak", "--minutes", "0.35", "--fault-every", "2",
                           "--seed", "11", "--dir", str(tmp_path / "soak")],
                          capture_output=True, text=True, timeout=400, check=False)
    out = done.stdout
    assert done.returncode == 0, out + done.stderr
    faults = [line for line in out.splitlines() if line.startswith("soak: ") and " s  " in line]
    assert len(faults) >= 4, out  # the seed's faults did happen
    assert "soak: every record answered by HQ" in out
    sealed = int(re.search(r"^soak: (\d+) records sealed", out, re.MULTILINE)[1])
    assert sealed >= 8
    assert f"soak: ledger lost 0, duplicate 0, conflicting 0, missing files 0, pending 0, delivered {sealed} of " \
           f"{sealed}" in out


def test_bad_arguments_are_named(tmp_path):
    for args, expected in ((["--minutes", "0"], "--minutes 0: give a time"),
                           (["--fault-every", "0.1"], "--fault-every 0.1: give 0.5 to 3600 seconds")):
        done = subprocess.run([sys.executable, "-m", "station.cli", "soak", *args, "--dir", str(tmp_path / "x")],
                              capture_output=True, text=True, timeout=60, check=False)
        assert done.returncode == 2 and expected in done.stderr
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "something").write_text("x")
    done = subprocess.run([sys.executable, "-m", "station.cli", "soak", "--minutes", "0.1", "--dir", str(busy)],
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 2 and "is not empty" in done.stderr
