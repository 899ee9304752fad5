"""Logs never hold a NIK (or KK number) in full or an image (issue 10, point 5c). The station's check-in paths
(good and every refusal), the assignment import's refusals, the correction request, then the real agent sending
sealed records and a correction through a real mosquitto to HQ's real ingest worker, a refused assignment on
`desired` reported back to HQ, and HQ's `send_logs` command — all with logging captured at DEBUG (caplog: the
station's, the agent's and HQ ingest's loggers) and the agent's own log file (edge_agent/logbook.py). A masked
NIK is fine. The capture and sealing path is checked the same way in test_privacy_disk.py. The refusals'
messages are checked too: the CLI prints them to stderr, which the station's journal keeps."""

import datetime as dt
import logging

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from contract import wire
from contract.errors import SinopsisError
from sinopsis.demo import demo_captures
from sinopsis.demo_data import DEMO_STATION_ID
from station.checkin import check_in_by_application, check_in_by_nik
from station.corrections import request_at_checkin
from station.records import transition
from station.roster import import_assignment
from tests.edge_agent.conftest import HQ_PASSWORD, HQ_USER, states, wait_until
from tests.security.leaks import leaks, nik_like


def refusal(call, *args) -> str:
    """The message of the SinopsisError `call(*args)` raises (what the CLI prints, what the kiosk shows)."""
    with pytest.raises(SinopsisError) as e:
        call(*args)
    return f"[{e.value.code}] {e.value}"


def other_nik(nik: str) -> str:
    """A valid NIK that is on nobody's list: the same place and birth date, another serial number."""
    return nik[:12] + ("0001" if nik[12:] != "0001" else "0002")


def bad_list(applicants: list[dict]):
    """An edit that breaks three applicants in ways the import names one by one."""

    def edit(content: dict) -> None:
        rows = content["applicants"]
        rows[0]["nik"] = rows[0]["nik"][:8] + "13" + rows[0]["nik"][10:]  # month 13: not a NIK
        rows[1]["nik"] = rows[2]["nik"]  # a duplicate
        rows[3]["birth_date"] = "2001-01-01"  # disagrees with the NIK

    return edit


def test_check_in_refusals_import_refusals_and_corrections_log_no_nik(imported, applicants, make_bundle, keys,
                                                                       caplog):
    caplog.set_level(logging.DEBUG)
    a0, a1, a2, a3 = applicants[:4]
    said = []
    for _twice in range(2):  # the second time gives the same ticket back
        check_in_by_nik(imported, a0["nik"], dt.date.fromisoformat(a0["birth_date"]), a0["phone"])
    said.append(refusal(check_in_by_nik, imported, a1["nik"], dt.date(2000, 1, 1), a1["phone"]))  # wrong date
    said.append(refusal(check_in_by_nik, imported, other_nik(a1["nik"]), dt.date.fromisoformat(a1["birth_date"]),
                        a1["phone"]))  # not on the list
    said.append(refusal(check_in_by_nik, imported, a1["nik"][:15], dt.date(2000, 1, 1), a1["phone"]))  # invalid
    said.append(refusal(check_in_by_nik, imported, a2["nik"], dt.date.fromisoformat(a2["birth_date"]),
                        "0761-123456"))  # a landline
    request_at_checkin(imported, a3["application_id"], a3["phone"], "kk_mismatch")
    request_at_checkin(imported, a3["application_id"], a3["phone"], "kk_mismatch")  # asked again: the same
    with pytest.raises(SinopsisError) as e:
        import_assignment(imported, make_bundle(version=2, edit=bad_list(applicants)), keys.hq_sign.public_key(),
                          station_id=DEMO_STATION_ID, min_age=16)
    said.append(str(e.value))
    assert e.value.code.startswith("assignment") and "2001-01-01" in str(e.value) and "#4" in str(e.value)

    def short_nik(content: dict) -> None:
        content["applicants"][5]["nik"] = content["applicants"][5]["nik"][:15]

    with pytest.raises(SinopsisError) as e:  # a schema error names the applicant too
        import_assignment(imported, make_bundle(version=2, edit=short_nik), keys.hq_sign.public_key(),
                          station_id=DEMO_STATION_ID, min_age=16)
    said.append(str(e.value))

    niks = [a["nik"] for a in applicants] + [other_nik(a1["nik"]), a1["nik"][:15], applicants[5]["nik"][:15],
                                             applicants[0]["nik"][:8] + "13" + applicants[0]["nik"][10:]]
    niks += [a["kk_number"] for a in applicants]  # the family card number is personal data as much as the NIK
    text = caplog.text + "\n".join(said)
    assert len(said) == 6
    assert not leaks(text, niks), (leaks(text, niks), nik_like(text), said)


def publish(port: int, topic: str, payload: bytes, retain: bool = False) -> None:
    """Publish one message as HQ (its broker account), QoS 1, and wait for the broker's PUBACK."""
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"hq-test-{topic[-12:]}", protocol=mqtt.MQTTv5)
    client.username_pw_set(HQ_USER, HQ_PASSWORD)
    client.connect("127.0.0.1", port)
    client.loop_start()
    try:
        client.publish(topic, payload, qos=1, retain=retain).wait_for_publish(10)
    finally:
        client.loop_stop()
        client.disconnect()


def test_the_agent_and_hq_ingest_log_no_nik_and_no_image(imported, applicants, seal, enrolled, broker, start_ingest,
                                                        start_agent, make_bundle, caplog):
    from hq.fleet.models import Station
    from hq.ingest.models import CorrectionRequest, Record

    caplog.set_level(logging.DEBUG)
    ids = seal(2)
    a = applicants[10]
    ticket = check_in_by_application(imported, a["application_id"], a["phone"])
    transition(imported, ticket.record_id, "capturing", actor="OP-02")
    transition(imported, ticket.record_id, "correction_requested", actor="OP-02", reason_code="kk_mismatch",
               reason="KK shows another birth place")
    start_ingest()
    running = start_agent()
    wait_until(lambda: set(states(imported, ids).values()) == {"accepted"}, what="records accepted")
    wait_until(lambda: CorrectionRequest.objects.filter(record_id=ticket.record_id).exists(), what="correction")
    assert Record.objects.count() == 2

    # a list HQ got wrong: the station refuses it and says why to HQ, which logs the reason
    bundle = make_bundle(version=2, edit=bad_list(applicants)).read_text(encoding="utf-8")
    publish(broker.port, wire.station_topic(DEMO_STATION_ID, "desired"),
            wire.dump(wire.Desired(version=2, bundle=bundle)), retain=True)
    wait_until(lambda: (Station.objects.get(pk=enrolled).reported or {}).get("refused_version") == 2,
               what="the refusal reported to HQ")
    # HQ asks for the agent's log lines
    expires = (dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5)).isoformat()
    publish(broker.port, wire.station_topic(DEMO_STATION_ID, "cmd/j-logs-1"),
            wire.dump(wire.Command(job="j-logs-1", name="send_logs", expires_at=expires)))
    wait_until(lambda: any("j-logs-1" in r.getMessage() and "succeeded" in r.getMessage() for r in caplog.records),
               what="send_logs answered")
    running.stop()

    agent_log = "\n".join(p.read_text(encoding="utf-8") for p in (imported.data_dir / "agent").glob("agent.log*"))
    assert "desired v2 refused" in agent_log and "j-logs-1" in agent_log
    images = [c.image for c in demo_captures() if c.image is not None]
    niks = [x["nik"] for x in applicants] + [x["kk_number"] for x in applicants]
    for where, text in (("caplog", caplog.text), ("agent.log", agent_log)):
        assert text.strip(), where
        assert not leaks(text, niks, images), (where, leaks(text, niks, images), nik_like(text))
