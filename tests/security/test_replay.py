"""Replays refused by the station (issue 10, point 6c). HQ's signed assignment arrives on the retained `desired`
topic, which the broker gives again on every reconnect and which anyone able to publish there could replay: the
agent's own `apply_desired` (edge_agent/desired.py, the roster's version rules in station/roster.py) must answer
the same bundle again as already applied, and refuse an older version, the same version with other content, a
pointer naming another version than the signed one, and a bundle signed by another key — each with its reason
in `reported`, and without changing anything: no assignment row, no audit row, not even the kept
`agent/desired.json`. Commands (edge_agent/commands.py) are run once per job id — also when the same job comes
again after the agent restarted — and never once expired. tests/edge_agent/test_desired_and_commands.py covers
the same rules over a broker; this file covers "changes nothing" and the replays across a restart."""

import datetime as dt
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from contract import wire
from edge_agent.commands import CommandRunner
from edge_agent.desired import DESIRED_FILE, apply_desired
from edge_agent.logbook import Logbook


def desired(version: int, bundle: Path) -> bytes:
    return wire.dump(wire.Desired(version=version, bundle=bundle.read_text(encoding="utf-8")))


def snapshot(store, agent_dir: Path) -> dict:
    """Everything an assignment can change on the station."""
    conn = store.conn
    return {
        "assignments": [tuple(r) for r in conn.execute("SELECT id, version, content_sha256 FROM assignments")],
        "applicants": conn.execute("SELECT COUNT(*) FROM applicants").fetchone()[0],
        "operators": conn.execute("SELECT COUNT(*) FROM operators").fetchone()[0],
        "audit": conn.execute("SELECT COUNT(*) FROM audit").fetchone()[0],
        "desired.json": (agent_dir / DESIRED_FILE).read_bytes() if (agent_dir / DESIRED_FILE).exists() else None,
    }


def test_replayed_older_conflicting_and_foreign_assignments_change_nothing(store, station_config, keys,
                                                                           make_bundle, tmp_path):
    hq_key: Ed25519PublicKey = keys.hq_sign.public_key()
    agent_dir = station_config.station.data_dir / "agent"
    agent_dir.mkdir()  # the agent makes it at start (its log)

    def apply(payload: bytes) -> wire.Reported:
        return apply_desired(store, station_config, hq_key, payload, agent_dir)

    v1, v2 = make_bundle(version=1), make_bundle(version=2)
    assert apply(desired(1, v1)).assignment_version == 1
    assert apply(desired(2, v2)).assignment_version == 2
    applied = snapshot(store, agent_dir)
    assert applied["desired.json"] == v2.read_bytes()

    again = apply(desired(2, v2))  # the very same signed message, replayed (or the retained copy on reconnect)
    assert (again.assignment_version, again.refused_version, again.refused_reason) == (2, None, None)
    assert snapshot(store, agent_dir) == applied

    def renamed(content: dict) -> None:
        content["school"]["name"] = "SMA Lain"

    refusals = {
        "assignment.version_old": desired(1, v1),  # the older, validly signed version after the newer one
        "assignment.version_conflict": desired(2, make_bundle(version=2, edit=renamed)),  # same number, new data
        "assignment.version_mismatch": desired(3, v1),  # a pointer claiming v3 around the signed v1
        "assignment.signature": desired(3, make_bundle(version=3, signer=Ed25519PrivateKey.generate())),
    }
    for code, payload in refusals.items():
        reported = apply(payload)
        assert reported.assignment_version == 2, code
        assert reported.refused_version == wire.parse(wire.Desired, payload).version, code
        assert reported.refused_reason.startswith(code + ":"), (code, reported.refused_reason)
        assert snapshot(store, agent_dir) == applied, f"{code} changed the station"

    assert apply(desired(3, make_bundle(version=3))).assignment_version == 3  # and a real new version still applies


def command(job: str, name: str, expires_in_s: float = 300) -> bytes:
    expires = (dt.datetime.now(dt.UTC) + dt.timedelta(seconds=expires_in_s)).isoformat()
    return wire.dump(wire.Command(job=job, name=name, expires_at=expires))


class Station:
    """The agent's CommandRunner on the station's data dir, as a (re)started agent makes it."""

    def __init__(self, store, config) -> None:
        self.states: list[wire.JobState] = []
        self.syncs = 0
        self.logbook = Logbook(config.station.data_dir / "agent")
        self.runner = CommandRunner(store, config, self.logbook, self.states.append, self._sync)

    def _sync(self) -> tuple[bool, str]:
        self.syncs += 1
        return True, "synced"

    def close(self) -> None:
        self.logbook.file.close()


@pytest.fixture
def station(store, station_config):
    made: list[Station] = []

    def start() -> Station:
        made.append(Station(store, station_config))
        return made[-1]

    yield start
    for s in made:
        s.close()


def test_a_replayed_command_runs_once_even_after_a_restart(station, station_config):
    first = station()
    assert first.runner.handle("j-sync-1", command("j-sync-1", "sync_now"), 300) == "succeeded"
    assert first.runner.handle("j-sync-1", command("j-sync-1", "sync_now"), 300) == "ignored"
    assert first.syncs == 1
    rotate = command("j-rotate-1", "rotate_logs")
    assert first.runner.handle("j-rotate-1", rotate, 300) == "succeeded"
    first.close()

    restarted = station()  # the agent restarted; the broker delivers the same commands again
    assert restarted.runner.handle("j-sync-1", command("j-sync-1", "sync_now"), 300) == "ignored"
    assert restarted.runner.handle("j-rotate-1", rotate, 300) == "ignored"
    assert restarted.syncs == 0 and restarted.states == [], "nothing run, nothing answered again"
    logs = station_config.station.data_dir / "agent"
    assert (logs / "agent.log.1").exists() and not (logs / "agent.log.2").exists(), "the logs rotated once"
    assert restarted.runner.handle("j-sync-2", command("j-sync-2", "sync_now"), 300) == "succeeded"


def test_an_expired_command_is_never_run(station):
    s = station()
    assert s.runner.handle("j-old", command("j-old", "sync_now", expires_in_s=-1), None) == "rejected"
    assert s.runner.handle("j-late", command("j-late", "sync_now"), 0) == "rejected"  # MQTT expiry ran out
    assert s.syncs == 0
    assert [(j.job, j.state) for j in s.states] == [("j-old", "rejected"), ("j-late", "rejected")]
    assert all(j.detail.startswith("expired") for j in s.states)
    # the same expired job again is not answered twice either
    assert s.runner.handle("j-old", command("j-old", "sync_now", expires_in_s=-1), None) == "ignored"
