"""HQ → station: the signed assignment on `desired` (→ `reported`), and commands answered with job states."""

import datetime as dt

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from contract import wire
from sinopsis.demo_data import DEMO_STATION_ID
from station.roster import current_assignment
from tests.edge_agent.conftest import wait_until

DESIRED = wire.station_topic(DEMO_STATION_ID, "desired")


def publish_desired(hq, payload: bytes) -> None:
    hq.client.publish(DESIRED, payload, qos=1, retain=True).wait_for_publish(5)


def desired(version: int, path) -> bytes:
    return wire.dump(wire.Desired(version=version, bundle=path.read_text(encoding="utf-8")))


def reports(hq) -> list[wire.Reported]:
    return hq.published("reported", wire.Reported)


def test_desired_is_verified_imported_and_reported(imported, hq, start_agent, make_bundle):
    start_agent()
    count = 0

    def next_report() -> wire.Reported:
        nonlocal count
        count += 1
        wait_until(lambda: len(reports(hq)) >= count, what=f"reported #{count}")
        return reports(hq)[count - 1]

    publish_desired(hq, desired(2, make_bundle(version=2)))
    assert next_report().model_dump(exclude={"ts", "v"}) == {"assignment_version": 2, "refused_version": None,
                                                       "refused_reason": None}
    assert current_assignment(imported.conn)["version"] == 2

    publish_desired(hq, b"\x00 not json at all")  # retained garbage
    report = next_report()
    assert report.assignment_version == 2 and report.refused_version is None
    assert report.refused_reason.startswith("contract.json")

    publish_desired(hq, desired(1, make_bundle(version=1)))  # going back is refused
    report = next_report()
    assert (report.assignment_version, report.refused_version) == (2, 1)
    assert report.refused_reason.startswith("assignment.version_old")

    publish_desired(hq, desired(3, make_bundle(version=3, signer=Ed25519PrivateKey.generate())))
    report = next_report()
    assert (report.refused_version, report.refused_reason.split(":")[0]) == (3, "assignment.signature")

    publish_desired(hq, desired(4, make_bundle(version=3)))  # the pointer and the signed content disagree
    assert next_report().refused_reason.startswith("assignment.version_mismatch")

    versions = [r["version"] for r in imported.conn.execute("SELECT version FROM assignments ORDER BY version")]
    assert versions == [1, 2], "nothing refused changed the station"
    publish_desired(hq, b"")  # HQ clears the retained message: nothing to answer
    publish_desired(hq, desired(3, make_bundle(version=3)))
    assert next_report().assignment_version == 3


def command(job: str, name: str, expires_in_s: float = 60, **extra) -> bytes:
    expires = (dt.datetime.now(dt.UTC) + dt.timedelta(seconds=expires_in_s)).isoformat()
    return wire.dump(wire.Command.model_construct(job=job, name=name, expires_at=expires, args={}, **extra))


def job_states(hq) -> dict[str, list[wire.JobState]]:
    found: dict[str, list[wire.JobState]] = {}
    for _topic, payload in hq.published("job/"):
        state = wire.parse(wire.JobState, payload)
        found.setdefault(state.job, []).append(state)
    return found


def test_commands_are_answered_with_job_states(imported, seal, hq, start_agent):
    seal(1)
    hq.set_ingest(False)
    running = start_agent()
    wait_until(lambda: running.agent.ingest_known, what="agent connected")

    def send(job: str, payload: bytes, final: str) -> wire.JobState:
        hq.client.publish(wire.station_topic(DEMO_STATION_ID, f"cmd/{job}"), payload, qos=1)
        wait_until(lambda: job in job_states(hq) and job_states(hq)[job][-1].state == final, what=f"{job} {final}")
        return job_states(hq)[job][-1]

    offline = send("j-sync-1", command("j-sync-1", "sync_now"), "failed")
    assert "offline" in offline.detail
    hq.set_ingest(True)
    wait_until(lambda: running.agent.ingest_online, what="ingest online")
    synced = send("j-sync-2", command("j-sync-2", "sync_now"), "succeeded")
    assert [s.state for s in job_states(hq)["j-sync-2"]] == ["queued", "in_progress", "succeeded"]
    assert "waiting for HQ" in synced.detail
    logs = send("j-logs", command("j-logs", "send_logs"), "succeeded")
    assert f"agent for station {DEMO_STATION_ID} starting" in logs.detail and len(logs.detail) <= 2000
    send("j-rotate", command("j-rotate", "rotate_logs"), "succeeded")
    assert (imported.data_dir / "agent" / "agent.log.1").is_file()
    purge = send("j-purge", command("j-purge", "purge_accepted"), "succeeded")
    assert purge.detail.startswith("purged 0 record(s)")  # nothing is old enough: see test_purge.py

    expired = send("j-old", command("j-old", "sync_now", expires_in_s=-5), "rejected")
    assert "expired" in expired.detail and len(job_states(hq)["j-old"]) == 1
    unknown = send("j-what", command("j-what", "reboot"), "rejected")
    assert unknown.detail.startswith("contract.schema")
    mismatch = send("j-topic", command("j-other", "sync_now"), "rejected")
    assert "j-other" in mismatch.detail
    send("j-garbage", b"[]", "rejected")
    hq.client.publish(wire.station_topic(DEMO_STATION_ID, "cmd/j-logs"), command("j-logs", "send_logs"), qos=1)
    send("j-after", command("j-after", "rotate_logs"), "succeeded")  # commands run in order: j-logs came first
    assert len(job_states(hq)["j-logs"]) == 3, "a job id seen before is not run again"
    assert running.thread.is_alive()
