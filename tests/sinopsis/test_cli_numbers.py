"""Numbers on the command line (sinopsis/cli/common.py `number`): every numeric option that had no check of its own
refuses text, nan, infinities, other scripts' digits, fractions where a whole number is meant and values out of
range, naming the option and its range, before anything runs (a `bench --live-seconds inf` used to run for ever,
`bench fleet --stations -3` ran one kit)."""

import pytest

from sinopsis.cli import main
from sinopsis.cli.common import number

BAD = [(["bench", "--live-seconds", "inf"], "--live-seconds: 'inf': give a number from 0 to 3600"),
       (["bench", "--repeat", "2.5"], "--repeat: '2.5': give a whole number from 1 to 100000"),
       (["bench", "fleet", "--stations", "-3"], "--stations: '-3': give a whole number from 0 to 100000"),
       (["bench", "fleet", "--minutes", "nan"], "--minutes: 'nan': give a number from 0 to 1440"),
       (["station", "run", "--seconds", "1e9"], "--seconds: '1e9': give a number from 0 to 604800"),
       (["agent", "run", "--seconds", "soon"], "--seconds: 'soon': give a number from 0 to 604800"),
       (["hq", "serve", "--port", "70000"], "--port: '70000': give a whole number from 0 to 65535"),
       (["hq", "serve", "--workers", "0"], "--workers: '0': give a whole number from 1 to 64"),
       (["provision", "ca", "init", "--days", "١٠"], "--days: '١٠': give a whole number from 1 to 36500"),
       (["quality", "x.png", "--birth-year", "3000"], "--birth-year: '3000': give a whole number from 1900 to 2100"),
       (["demo", "--seconds=-inf"], "--seconds: '-inf': give a number from 0 to 604800")]


@pytest.mark.parametrize(("argv", "message"), BAD, ids=[" ".join(a) for a, _ in BAD])
def test_a_wrong_number_is_refused_by_its_option_before_anything_runs(argv, message, capsys):
    with pytest.raises(SystemExit) as stopped:
        main(argv)
    assert stopped.value.code == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize(("text", "whole", "value"), [("3", True, 3), (" 0.25 ", False, 0.25), ("1e2", True, 100),
                                                      ("0", False, 0.0)])
def test_a_number_in_range_is_read_as_its_kind(text, whole, value):
    parsed = number(0, 100, whole=whole)(text)
    assert parsed == value and type(parsed) is (int if whole else float)
