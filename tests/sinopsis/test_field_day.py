"""`sinopsis station simulate --day`: the time model's arithmetic, and a two-student day through the real kiosk
screens (offscreen, real touches, the simulated kit) whose touches are counted from the window."""

import json
import subprocess
import sys

import pytest

from sinopsis import field_day_model as model
from sinopsis.field_day_model import Lanes, Step


def test_the_model_prices_a_known_timeline():
    checkin = [Step("walk", "walks up"), Step("screen", "welcome"), Step("show", "QR"), Step("screen", "confirm"),
               Step("tap", "confirm"), Step("typed", "phone", 12), Step("tap", "phone"), Step("slip", "queue slip")]
    operator = [Step("tap", "call"), Step("screen", "capture"), Step("capture", "face", 2, "face"),
                Step("capture", "signature", 1, "signature"), Step("capture", "thumbs", 1, "slap"),
                Step("capture", "right_thumb", 1, "finger"), Step("capture", "right_iris", 1, "iris"),
                Step("slip", "acknowledgement")]
    lanes = Lanes(checkin, operator)
    assert lanes.checkin_s == pytest.approx(20 + 2 + 1.2 + 2 + 1.2 + 12 * 0.6 + 1.2 + 6)  # 40.8
    assert lanes.operator_s == pytest.approx(1.2 + 2 + 2 * 8 + 12 + 6 + 5 + 5 + 6)  # 53.2: a retry doubles the face
    assert lanes.kit_s == pytest.approx(53.2)  # the check-in overlaps the capture
    assert Lanes(checkin, operator, serial=[Step("tap", "x")]).kit_s == pytest.approx(54.4)
    assert model.students_per_day([53.2, 53.2], overhead_s=0.0) == int(7 * 3600 // 53.2) == 473
    assert model.students_per_day([100.0, 200.0], overhead_s=600.0) == (25200 - 600) // 150 == 164
    assert model.students_per_day([]) == 0
    assert [model.needs_retry(d) for d in (0.0, 0.1499, 0.15, 0.9)] == [True, True, False, False]


def test_a_two_student_day_through_the_kiosk(tmp_path):
    done = subprocess.run([sys.executable, "-m", "sinopsis", "station", "simulate", "--day", "--students", "2",
                           "--seed", "2", "--no-confirm", "--json", "--window", "800x480", "--date", "2026-11-25",
                           "--dir", str(tmp_path / "day")],
                          capture_output=True, text=True, timeout=300, env=_quiet_env())
    assert done.returncode == 0, done.stderr[-3000:]
    day = json.loads(done.stdout)
    assert day["configuration"] == {"finger_mode": "slap", "qr_scanner": "sim"}  # the kit's defaults
    # seed 2: a NIK student who types a phone, then a QR student who types one; the second's right eye is retried
    assert day["student_touches_by_method"] == {"nik": 34, "qr": 15}  # 16 NIK + 12 phone digits + 6 taps; 3 + 12
    assert day["retries"] == 1 and day["captures"] == 14 and day["saved"] == 2 and day["dead_ends"] == 0
    # counted, not computed: every touch the window received is on one side or the other
    sides = day["operator_touches_per_student"] * 2 + day["student_touches_per_student"] * 2
    assert day["window_touches"] == sides + day["once_a_day_touches"] > 0
    # the last one's "Panggil berikutnya" (it calls and opens the identity check), identity, 7 captures (face,
    # signature, 3 slaps, 2 eyes), save
    assert day["operator_touches_happy_path"] == 10
    assert day["operator_touches_per_student"] == (9 + 10) / 2  # the first student was called once a day
    # Petugas, the name, the PIN, OK; the day's first "Panggil" and "Mulai merekam"; the day's last "back"
    assert day["once_a_day_touches"] == 1 + 1 + 6 + 1 + 2 + 1
    timeline = day["timeline"]
    assert timeline["method"] == "nik" and timeline["checkin"][0] == {"kind": "walk", "what": "walks up",
                                                                      "count": 1, "seconds": 20.0}
    assert {"kind": "typed", "what": "nik_entry", "count": 16, "seconds": 9.6} in timeline["checkin"]
    captures = [row for row in timeline["operator"] if row["kind"] == "capture"]
    assert [row["seconds"] for row in captures] == [8.0, 12.0, 6.0, 6.0, 6.0, 5.0, 5.0]
    assert timeline["kit_s"] == max(timeline["checkin_s"], timeline["operator_s"])
    per_day = model.students_per_day([day["seconds_per_student"]], 0.0)
    assert abs(day["students_per_day"] - per_day) <= 1  # the login's minute, once a day
    assert day["model"]["retry_share"] == 0.15


def _quiet_env():
    import os

    return {**os.environ, "KIVY_NO_CONSOLELOG": "1"}
