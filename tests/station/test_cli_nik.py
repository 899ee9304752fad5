"""`sinopsis nik check`: codes, names, birth date, sex and age; exit 2 with the reason for a bad NIK."""

import json
import subprocess
import sys

from station.cli import main


def test_json_output(capsys):
    assert main(["nik", "check", "1471015005090001", "--json", "--date", "2026-11-25"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out == {"nik": "1471015005090001", "province_code": "14", "province_name": "Riau",
                   "regency_code": "1471", "regency_name": "PEKANBARU", "district_code": "147101",
                   "birth_date": "2009-05-10", "sex": "F", "age": 17}


def test_text_output_and_bad_nik_as_a_process():
    ok = subprocess.run([sys.executable, "-m", "station.cli", "nik", "check", "1471011005090001"],
                        capture_output=True, text=True, timeout=60)
    assert ok.returncode == 0 and "PEKANBARU" in ok.stdout and "male" in ok.stdout
    bad = subprocess.run([sys.executable, "-m", "station.cli", "nik", "check", "14710110050900"],
                         capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and "16 digits, this one has 14" in bad.stderr
