"""Headless simulation: every scenario of the capture policy, end to end, against the simulated SDKs."""

import datetime as dt

from native import samples
from native.vendor import FutronicScanner, IriTechCamera, apply_sim_script
from sinopsis.simulate import SIM_SCRIPTS, run_simulation, summary
from station.capture.devices import Devices
from tests.station.capture_helpers import FrameFeed


def test_six_students_cover_every_scenario(tmp_path):
    def make_devices(scenario: str, backdrop: str) -> Devices:
        script = SIM_SCRIPTS.get(scenario)
        path = tmp_path / f"{scenario}.txt"
        if script:
            path.write_text(script)
        apply_sim_script(path if script else None)
        return Devices(camera=FrameFeed([samples.portrait(backdrop)]), finger_scanner=FutronicScanner("sim"),
                       iris_camera=IriTechCamera("sim"))

    try:
        runs = run_simulation(tmp_path / "sim", 6, make_devices, dt.date(2026, 11, 25), say=lambda line: None)
    finally:
        apply_sim_script(None)
    ends = {r.scenario: r.end for r in runs}
    assert ends == {"good": "saved", "retry": "saved", "exception": "saved", "below_threshold": "saved",
                    "walk_out": "withdrawn (walked_out)"}
    by = {r.scenario: {p.position: p for p in r.positions} for r in runs}
    assert by["retry"]["right_iris"].attempts == 2
    assert by["exception"]["left_ring"].exception == "injured"
    assert by["below_threshold"]["right_iris"].status == "accepted below threshold"
    assert list(by["walk_out"]) == ["face"]
    table = summary(runs)
    assert table[0].startswith("modality") and len(table) == 4


def test_the_simulate_command_prints_students_and_the_summary(tmp_path):
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "sinopsis", "station", "simulate", "--students", "3",
                           "--no-confirm", "--date", "2026-11-25", "--dir", str(tmp_path / "sim")],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("saved ST-PKU-01-") == 3
    assert "face              3" in done.stdout and "finger" in done.stdout
    bad = subprocess.run([sys.executable, "-m", "sinopsis", "station", "simulate", "--students", "0"],
                         capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and "--students must be 1..500" in bad.stderr


def test_saved_records_get_an_acknowledgement_slip(tmp_path):
    from drivers.printer_sim import EscPosInterpreter
    from drivers.receipt import Acknowledgement, acknowledgement

    printed = []

    def make_devices(scenario: str, backdrop: str) -> Devices:
        apply_sim_script(None)
        return Devices(camera=FrameFeed([samples.portrait(backdrop)]), finger_scanner=FutronicScanner("sim"),
                       iris_camera=IriTechCamera("sim"))

    runs = run_simulation(tmp_path / "sim", 3, make_devices, dt.date(2026, 11, 25), say=lambda line: None,
                          print_receipt=printed.append)
    assert [p["receipt_number"] for p in printed] == [r.receipt for r in runs]
    exception = printed[2]
    assert exception["fingers_captured"] == 9 and exception["finger_exceptions"] == {"left_ring": "injured"}
    slip = EscPosInterpreter()
    slip.feed(acknowledgement(Acknowledgement(**exception)))
    text = slip.slips[0].text().replace("\n  ", " ")
    assert "Sidik jari: 9/10 (1 pengecualian: luka/diperban)" in text and "WhatsApp" in text
    assert "*" in exception["masked_nik"] and exception["display_name"].endswith(".")
    assert slip.slips[0].qrs == [exception["verify_qr"]] and exception["verify_qr"].startswith("SINOPSIS-SLIP1:")
    assert "DINAS KEPENDUDUKAN" in text and "(OP-02)" in text
