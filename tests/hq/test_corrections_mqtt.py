"""A student's correction request goes from the kiosk's station to HQ: the real agent sends it, the real ingest
stores it once and acknowledges it, and only then is it marked reported on the station (never lost, never
counted twice)."""

import threading
import time

from contract.keys import public_pem
from edge_agent.agent import Agent
from station.corrections import pending_corrections, request_at_checkin
from tests.hq.conftest import STATIONS


def wait_for(predicate, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError("not reached in time")


def test_a_correction_request_reaches_hq_once_and_is_marked_reported(hq, broker, start_worker, imported, applicants,
                                                                     station_config, keys, tmp_path):
    from hq.fleet.enrolment import enrol_station
    from hq.ingest.models import CorrectionRequest

    enrol_station("st-pku-01", public_pem(keys.station_sign.public_key()).encode(), school="SMA Negeri 1")
    first = applicants[0]
    request = request_at_checkin(imported, first["application_id"], first["phone"], "kk_mismatch", method="nik")
    assert [p.record_id for p in pending_corrections(imported)] == [request.record_id]
    station_config.key_path("broker_password").write_text(STATIONS["st-pku-01"] + "\n")
    config = station_config.model_copy(update={
        "broker": station_config.broker.model_copy(update={"port": broker.port, "will_delay_s": 0}),
        "agent": station_config.agent.model_copy(update={"backoff_min_s": 0.05, "backoff_max_s": 0.4})})
    start_worker()
    agent = Agent(config, power_supply_dir=tmp_path / "no-power")
    thread = threading.Thread(target=agent.run, daemon=True)
    thread.start()
    try:
        wait_for(lambda: not pending_corrections(imported))
        stored = CorrectionRequest.objects.get()
        assert (stored.station_id, stored.record_id, stored.application_id, stored.reason_code) == (
            "st-pku-01", request.record_id, first["application_id"], "kk_mismatch")
        assert stored.phone.startswith("+62") and stored.requested_by == "kiosk"
        reported = imported.conn.execute("SELECT details FROM audit WHERE action = 'correction.reported'").fetchone()
        assert f"COR-{stored.pk}" in reported[0]
    finally:
        agent.stop()
        thread.join(15)
    assert CorrectionRequest.objects.count() == 1


def test_hq_stores_a_request_once_and_refuses_an_unknown_station(hq, station_keys):
    from contract.wire import Correction
    from hq.ingest.corrections import receive_correction
    from hq.ingest.models import CorrectionRequest

    request = Correction(record_id="r1", application_id="APL-1", assignment_id="ASG-1", reason_code="name_mismatch",
                         phone="+6281234567890", requested_at="2026-11-25T08:00:00Z", requested_by="kiosk")
    first, again = receive_correction("st-a", request), receive_correction("st-a", request)
    assert first == again and first.reference.startswith("COR-")
    assert CorrectionRequest.objects.get().times_received == 2
    assert receive_correction("st-x", request) is None  # not enrolled: nothing stored, no ack
    assert CorrectionRequest.objects.count() == 1
