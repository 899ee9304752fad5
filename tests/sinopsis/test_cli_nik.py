"""`sinopsis nik check`: codes, names, birth date, sex and age; exit 2 with the reason for a bad NIK."""

import argparse
import json
import subprocess
import sys

import pytest

from contract.errors import NikError
from sinopsis.cli import nik_cmd


def run(argv: list[str]) -> int:
    """Parse with a parser holding only the nik commands, as `sinopsis` would, and run the handler."""
    parser = argparse.ArgumentParser()
    nik_cmd.register(parser.add_subparsers())
    args = parser.parse_args(argv)
    return args.handler(args)


def test_json_output(capsys):
    assert run(["nik", "check", "1471015005090001", "--json", "--date", "2026-11-25"]) == 0
    assert json.loads(capsys.readouterr().out) == {
        "nik": "1471015005090001", "province_code": "14", "province_name": "Riau", "regency_code": "1471",
        "regency_name": "PEKANBARU", "district_code": "147101", "birth_date": "2009-05-10", "sex": "F", "age": 17,
    }


def test_age_and_century_follow_the_date(capsys):
    assert run(["nik", "check", "1471011005090001", "--json", "--date", "2025-05-09"]) == 0
    assert json.loads(capsys.readouterr().out)["age"] == 15
    assert run(["nik", "check", "1471011005090001", "--json", "--date", "2025-05-10"]) == 0
    assert json.loads(capsys.readouterr().out)["age"] == 16
    assert run(["nik", "check", "1471011005090001", "--json", "--date", "2008-12-31"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["birth_date"], out["age"]) == ("1909-05-10", 99)


def test_text_output(capsys):
    assert run(["nik", "check", "1471-01-10.0509-0001", "--date", "2026-11-25"]) == 0
    out = capsys.readouterr().out
    assert "1471011005090001" in out
    assert "14 Riau" in out and "1471 PEKANBARU" in out and "147101" in out
    assert "2009-05-10 (male)" in out and "17 on 2026-11-25" in out


def test_invalid_nik_raises_nik_error(capsys):
    with pytest.raises(NikError) as err:
        run(["nik", "check", "9971011005090001", "--date", "2026-11-25"])
    assert err.value.code == "nik.place"
    assert capsys.readouterr().out == ""


def test_bad_date_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exit_:
        run(["nik", "check", "1471011005090001", "--date", "25-11-2026"])
    assert exit_.value.code == 2
    assert "use YYYY-MM-DD" in capsys.readouterr().err


def sinopsis(*argv: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sinopsis", *argv], capture_output=True, text=True,
                          timeout=60, check=False)


def test_as_a_process_exit_codes():
    ok = sinopsis("nik", "check", "1471015005090001", "--date", "2026-11-25")
    assert ok.returncode == 0, ok.stderr
    assert "PEKANBARU" in ok.stdout and "(female)" in ok.stdout
    bad = sinopsis("nik", "check", "14710110050900")
    assert bad.returncode == 2
    assert "sinopsis: a NIK has 16 digits, this one has 14" in bad.stderr and bad.stdout == ""
