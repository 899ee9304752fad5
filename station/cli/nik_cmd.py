"""`sinopsis nik check NIK`: what a NIK encodes (a technician's tool: prints the full NIK it was given)."""

import argparse
import datetime as dt

from station.cli.common import print_json
from station.nik import age_on, parse_nik


def register(sub: argparse._SubParsersAction) -> None:
    """Add the `nik` command group."""
    nik = sub.add_parser("nik", help="NIK tools")
    p = nik.add_subparsers(dest="nik_command", required=True, metavar="COMMAND").add_parser(
        "check", help="validate a NIK and print its place codes, birth date and sex; exit 2 when invalid")
    p.add_argument("nik")
    p.add_argument("--date", type=dt.date.fromisoformat, default=None, help="reference date (default today)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_check)


def _check(args: argparse.Namespace) -> int:
    today = args.date or dt.date.today()
    info = parse_nik(args.nik, today=today)
    out = {"nik": info.nik, "province_code": info.province_code, "province_name": info.province_name,
           "regency_code": info.regency_code, "regency_name": info.regency_name,
           "district_code": info.district_code, "birth_date": info.birth_date.isoformat(), "sex": info.sex,
           "age": age_on(info.birth_date, today)}
    if args.json:
        print_json(out)
        return 0
    print(f"NIK {info.nik}: valid")
    print(f"  province  {info.province_code} {info.province_name}")
    print(f"  regency   {info.regency_code} {info.regency_name}")
    print(f"  district  {info.district_code}")
    print(f"  born      {out['birth_date']} ({'female' if info.sex == 'F' else 'male'}), {out['age']} years old")
    return 0
