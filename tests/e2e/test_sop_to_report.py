"""The SOP's last leg end to end (issue 8, point 11): HQ's approved list → SPT → assignment published over a real
mosquitto → the station's real agent verifies and imports it → a student checks in with the application number
and is recorded and sealed → the agent sends the record to HQ's real ingest → the service report and the SPT's
progress count it, read in headless Chromium (screenshots hq-sop-*.png).

Steps 1–7 in the browser are the journeys of tests/hq/applications/test_journey_browser.py (apply, verify) and
tests/hq/lists/test_browser.py (group → return → verify → approve → SPT → assign); here they go through the same
functions those pages call, so this test spends its time on what only it covers: the records coming back.
"""

import datetime as dt
import shutil
from pathlib import Path

import pytest
from django.test import override_settings
from django.utils import timezone

from contract.keys import save_private_key, save_public_key
from hq.keys import assignment_key
from hq.lists.assign import assign, publish
from hq.lists.spt import issue_spt
from hq.reports.record_index import KEY_ENV
from sinopsis.demo import demo_captures
from station.checkin import check_in_by_application
from station.records import transition
from station.roster import current_assignment
from station.sealing import RecordSealer
from station.store import StationStore
from tests.edge_agent.conftest import HQ_PASSWORD, HQ_USER, states, wait_until
from tests.hq.lists.conftest import indonesian, make_list, people, quick_passwords, recording_day, school  # noqa: F401

CHROMIUM, DRIVER = shutil.which("chromium"), shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(not (CHROMIUM and DRIVER), reason="Debian's chromium and chromium-driver are not "
                                "installed (setup.sh installs them)")
pytest.importorskip("selenium.webdriver", reason="selenium is not installed (the `test` extra has it)")
from selenium.webdriver.common.by import By  # noqa: E402

from tests.hq.lists.test_browser import act_as, go  # noqa: E402
from tests.hq.test_dashboard_browser import browser, screenshot, server, shots  # noqa: E402, F401


@pytest.fixture
def report_key(keys, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """HQ's packet key (the one the station seals for) where the report's server reads it."""
    path = tmp_path / "hq-keys" / "hq_packet.pem"
    save_private_key(path, keys.hq_packet)
    monkeypatch.setenv(KEY_ENV, str(path))
    return path


def test_an_approved_list_is_recorded_at_the_school_and_counted_in_the_report(
        make_list, people, enrolled, broker, agent_config, start_ingest, start_agent, keys, report_key,  # noqa: F811
        server, browser, shots):  # noqa: F811
    # the station pins the HQ key that really signs assignments (enrolment would have put it there)
    save_public_key(agent_config.key_path("hq_assignment_public_key"), assignment_key().public_key())

    # steps 3-7 at HQ: the list approved, the SPT issued, the station assigned and the assignment published
    application_list = make_list("approved")
    spt, _pins = issue_spt(application_list, recording_day(), people["rina.tim"], [people["agus.tim"]],
                          people["kasubbag1"])
    from hq.fleet.models import Station

    made = assign(spt, Station.objects.get(pk=enrolled), people["piak1"])
    with override_settings(HQ_MQTT_URL=f"mqtt://{HQ_USER}:{HQ_PASSWORD}@127.0.0.1:{broker.port}"):
        publish(made, people["piak1"])
    made.refresh_from_db()
    assert made.published_at is not None, made.publish_error

    # step 8 at the school: the agent verifies and imports it; a student is recorded; the record goes to HQ
    start_ingest()
    running = start_agent()
    with StationStore(agent_config.station.data_dir) as store:
        wait_until(lambda: (current_assignment(store.conn) or {"version": None})["version"] == made.version,
                   what="the station importing HQ's assignment")
        assignment = current_assignment(store.conn)
        assert assignment["spt_number"] == spt.number
        number = store.conn.execute("SELECT application_id FROM applicants ORDER BY id LIMIT 1").fetchone()[0]
        assert number == application_list.applications.order_by("pk").first().number
        ticket = check_in_by_application(store, number, "081234567890")
        transition(store, ticket.record_id, "capturing", actor="rina.tim")
        sealer = RecordSealer(store, agent_config, keys.station_sign, keys.hq_packet.public_key())
        record_id = sealer.seal_and_commit(ticket.record_id, demo_captures(), operator_id="rina.tim").record_id
        wait_until(lambda: states(store, [record_id])[record_id] == "accepted", what="HQ accepting the record")
    running.stop()

    from hq.ingest.models import Record

    assert list(Record.objects.values_list("record_id", flat=True)) == [record_id]

    # the report and the SPT's progress in Chromium, as the Kasi and the team lead see them
    server = server.rstrip("/")
    today = timezone.localdate()
    period = f"start={(today - dt.timedelta(days=1)).isoformat()}&end={(today + dt.timedelta(days=1)).isoformat()}"
    act_as(browser, server, people["kasi1"])
    go(browser, f"{server}/reports/?{period}")
    counts = {e.get_attribute("data-count"): e.find_element(By.CSS_SELECTOR, ".count").text
              for e in browser.find_elements(By.CSS_SELECTOR, "[data-count]")}
    assert counts["students_recorded"] == "1" and counts["schools_visited"] == "1", counts
    assert counts["lists_approved"] == "1" and counts["spts_issued"] == "1", counts
    screenshot(browser, shots, "sop-report", 1280)
    act_as(browser, server, people["rina.tim"])
    go(browser, f"{server}/lists/spt/{spt.pk}/")
    row = browser.find_element(By.CSS_SELECTOR, f'tr[data-station="{enrolled}"]')
    assert row.find_element(By.CSS_SELECTOR, "[data-applied]").get_attribute("data-applied") == "applied"
    assert row.find_element(By.CSS_SELECTOR, "[data-records]").get_attribute("data-records") == "1", row.text
    screenshot(browser, shots, "sop-progress", 1280)
