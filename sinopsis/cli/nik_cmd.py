"""`sinopsis nik check NIK`: what a NIK encodes (a technician's tool, so it prints the full NIK it was given)."""

import argparse
import datetime as dt

from contract.nik import age_on, parse_nik
from sinopsis.cli.common import print_json


def _iso_date(text: str) -> dt.date:
    """argparse type for YYYY-MM-DD (argparse turns the ValueError into a usage error, exit 2)."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date; use YYYY-MM-DD") from None


def register(sub: argparse._SubParsersAction) -> None:
    """Add the `nik` command group (`nik check`) to the `sinopsis` subcommands."""
    nik = sub.add_parser("nik", help="NIK tools")
    commands = nik.add_subparsers(dest="nik_command", required=True, metavar="COMMAND")
    p = commands.add_parser(
        "check", help="validate a NIK and print its place codes, birth date, sex and age; exit 2 when invalid")
    p.add_argument("nik", help="the 16-digit NIK (spaces, dots and dashes are ignored)")
    p.add_argument("--date", type=_iso_date, default=None,
                   help="YYYY-MM-DD: the day the age is counted on and the birth century resolved by "
                        "(default today)")
    p.add_argument("--json", action="store_true", help="print one JSON document")
    p.set_defaults(handler=_check)


def _check(args: argparse.Namespace) -> int:
    """Print what the NIK encodes; returns 0, or raises NikError (printed by main, exit 2)."""
    day = args.date or dt.date.today()
    info = parse_nik(args.nik, today=day)
    out = {
        "nik": info.nik,
        "province_code": info.province_code,
        "province_name": info.province_name,
        "regency_code": info.regency_code,
        "regency_name": info.regency_name,
        "district_code": info.district_code,
        "birth_date": info.birth_date.isoformat(),
        "sex": info.sex,
        "age": age_on(info.birth_date, day),
    }
    if args.json:
        print_json(out)
        return 0
    print(f"NIK {info.nik}: valid")
    print(f"  province  {info.province_code} {info.province_name}")
    print(f"  regency   {info.regency_code} {info.regency_name}")
    print(f"  district  {info.district_code}")
    print(f"  born      {out['birth_date']} ({'female' if info.sex == 'F' else 'male'})")
    print(f"  age       {out['age']} on {day.isoformat()}")
    return 0
