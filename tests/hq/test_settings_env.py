"""HQ's settings from the environment (hq/settings.py): every number goes through one parser, so a wrong value
stops HQ at start naming the variable, what it is for and its range; nan, infinities and out-of-range values are
refused, never clamped or half-read. Checked by importing the settings afresh, as `sinopsis hq …` does."""

import json
import os
import subprocess
import sys

import pytest

# (variable, a bad value, the mode it is read in): one case per number in the settings
CASES = [("SINOPSIS_HQ_LOST_AFTER_S", "nan", "local"), ("SINOPSIS_HQ_POLL_MS", "5s", "local"),
         ("SINOPSIS_HQ_INGEST_HEARTBEAT_S", "inf", "local"), ("SINOPSIS_HQ_INGEST_KEEPALIVE_S", "1", "local"),
         ("SINOPSIS_HQ_INGEST_GROUP_BATCHES", "2.5", "local"), ("SINOPSIS_HQ_HEALTH_KEEP_DAYS", "0", "local"),
         ("SINOPSIS_HQ_INGEST_GROUP_MB", "0x10", "local"), ("SINOPSIS_HQ_INGEST_GROUP_WAIT_MS", "1e9", "local"),
         ("SINOPSIS_HQ_WEB_WORKERS", "0", "local"), ("SINOPSIS_HQ_WEB_THREADS", "٣", "local"),
         ("SINOPSIS_HQ_LOGIN_FAILURES", "ten", "local"), ("SINOPSIS_HQ_LOGIN_LOCK_MIN", "1.5", "local"),
         ("SINOPSIS_HQ_HSTS_S", "-5", "production"), ("SINOPSIS_HQ_SMTP_HOST", "mail.example:smtp", "local")]

SCRIPT = """
import importlib, json, os, sys
results = {}
for name, bad, mode in json.loads(sys.argv[1]):
    os.environ[name], os.environ["SINOPSIS_HQ_MODE"] = bad, mode
    try:
        import hq.settings
        importlib.reload(hq.settings)
        results[name] = ""
    except ValueError as e:
        results[name] = str(e)
    del os.environ[name]
print(json.dumps(results))
"""


def test_every_number_from_the_environment_is_refused_by_name_when_wrong(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("SINOPSIS_HQ_")} | {
        "SINOPSIS_HQ_DATA": str(tmp_path / "hq"), "SINOPSIS_HQ_ALLOWED_HOSTS": "hq.example"}
    done = subprocess.run([sys.executable, "-c", SCRIPT, json.dumps(CASES)], capture_output=True, text=True,
                          env=env, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    refused = json.loads(done.stdout.strip().splitlines()[-1])
    for name, bad, _ in CASES:
        assert refused[name].startswith(f"{name}={bad!r}: give "), (name, refused[name])
        assert "leave it unset" in refused[name] or "587 when left out" in refused[name], refused[name]


@pytest.mark.parametrize(("text", "whole", "value"), [(" 20 ", False, 20.0), ("0.5", False, 0.5), ("1e3", True, 1000),
                                                      ("", True, 7)])
def test_a_number_in_range_is_read(monkeypatch, text, whole, value):
    from hq.settings import _bounded

    monkeypatch.setenv("SINOPSIS_HQ_TEST_NUMBER", text)
    assert _bounded("SINOPSIS_HQ_TEST_NUMBER", 7, 0, 1000, "a test", whole=whole) == value
