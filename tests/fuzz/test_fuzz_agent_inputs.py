"""What the station's agent reads off the broker besides acks (edge_agent/desired.py `apply_desired` for
`…/desired`, edge_agent/commands.py `check_command` for `…/cmd/{job}`): random bytes, random JSON, Desired
messages carrying random or damaged bundles, commands with random fields, times and message expiries. Neither
ever raises: a bad desired gives a Reported with the refusal (code and reason, at most 500 characters) and
leaves the station's database and the agent's folder as they were; a bad command gives a Received with a refusal
and no command to run."""

import datetime as dt
import json
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from contract import wire
from edge_agent.commands import check_command
from edge_agent.desired import apply_desired
from tests.fuzz.profiles import fuzz
from tests.fuzz.state import snapshot
from tests.fuzz.strategies import dumps, json_values, mutated, nasty_text, pathological_json

NOW = dt.datetime(2026, 11, 25, 8, 0, tzinfo=dt.UTC)
_BUNDLE: dict[bytes, str] = {}


@fuzz(50)
@given(st.data())
def test_a_hostile_desired_is_reported_as_refused_and_changes_nothing(imported: Any, station_config: Any, keys: Any,
                                                                     make_bundle: Any, tmp_path: Path,
                                                                     data: st.DataObject) -> None:
    cache_key = keys.hq_sign.public_key().public_bytes_raw()
    if cache_key not in _BUNDLE:  # a real version 2, made once per test (the PIN hashes are slow on purpose)
        _BUNDLE[cache_key] = make_bundle(version=2).read_text()
    real = _BUNDLE[cache_key]
    bundle = data.draw(st.sampled_from([real]) | mutated(real.encode()).map(lambda b: b.decode("utf-8", "replace"))
                       | nasty_text)
    payload = data.draw(st.sampled_from([json.dumps({"version": 2, "bundle": bundle}).encode(),
                                         json.dumps({"version": 3, "bundle": real}).encode()])
                        | st.binary(max_size=100) | pathological_json | st.builds(dumps, json_values))
    agent_dir = tmp_path / "agent"
    agent_dir.mkdir(exist_ok=True)  # the agent's own folder (its logbook makes it at start)
    before = snapshot(imported.conn), sorted((p.name, p.read_bytes()) for p in agent_dir.iterdir())
    reported = apply_desired(imported, station_config, keys.hq_sign.public_key(), payload, agent_dir)
    assert isinstance(reported, wire.Reported)
    if reported.refused_reason is not None:
        assert reported.refused_reason and len(reported.refused_reason) <= 500
        after = snapshot(imported.conn), sorted((p.name, p.read_bytes()) for p in agent_dir.iterdir())
        assert after == before, "a refused desired changed the database or the agent's files"
    else:
        assert reported.assignment_version in (1, 2)


commands = st.fixed_dictionaries({}, optional={
    "job": st.sampled_from(["j1", "j2", "", "../j"]) | nasty_text,
    "name": st.sampled_from([*list(wire.COMMANDS), "format_disk"]),
    "expires_at": st.sampled_from(["2026-11-25T09:00:00Z", "2026-11-25T07:00:00+00:00", "0001-01-01T00:00:00+14:00",
                                   "9999-12-31T23:59:59-14:00", "tomorrow", "2026-11-25T09:00:00"]) | nasty_text,
    "args": st.dictionaries(nasty_text, st.integers() | nasty_text, max_size=3) | json_values})


@fuzz(300)
@given(st.builds(dumps, commands) | st.binary(max_size=100) | st.builds(dumps, json_values),
       st.none() | st.integers(0, 2 ** 32 - 1), st.sampled_from(["j1", "j2"]))
def test_a_hostile_command_is_refused_with_a_reason(payload: bytes, expiry: int | None, topic_job: str) -> None:
    received = check_command(topic_job, payload, expiry, NOW)
    assert received.job == topic_job
    if received.command is None:
        assert received.refusal
    else:
        assert received.refusal is None and received.command.job == topic_job and received.deadline > NOW
