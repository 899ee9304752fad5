"""contract.numbers: the one reading of a number a person typed (HQ's environment, the command line)."""

import pytest

from contract.numbers import read_number, wanted


@pytest.mark.parametrize("text", ["", "abc", "5s", "nan", "inf", "-inf", "0x10", "٣", "101", "-1", "1e400"])
def test_anything_but_a_finite_ascii_number_in_range_is_none(text):
    assert read_number(text, 0, 100) is None


@pytest.mark.parametrize(("text", "whole", "value"), [(" 20 ", False, 20.0), ("0.5", False, 0.5),
                                                      ("1e2", True, 100.0), ("0", True, 0.0)])
def test_a_number_in_range_is_read(text, whole, value):
    assert read_number(text, 0, 100, whole) == value


def test_a_fraction_is_refused_where_a_whole_number_is_meant():
    assert read_number("2.5", 0, 100, whole=True) is None and read_number("2.5", 0, 100) == 2.5
    assert wanted(1, 64, whole=True) == "a whole number from 1 to 64" and wanted(0, 0.5) == "a number from 0 to 0.5"
