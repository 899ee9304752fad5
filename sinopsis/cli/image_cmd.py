"""`sinopsis image build --root DIR`: write the file tree of a recording kit's image (provisioning/kit_image.py).

`--root /` on the kit itself (what provisioning/image/build-image.sh does after apt, the user and the venv);
any other folder is a dry run that shows exactly what the image holds. Running it again changes nothing.
(`image`, not `provision image`: the `provision` group is enrolment and certificates, sinopsis/cli/provision_cmd.py.)
"""

import argparse
from pathlib import Path

from provisioning import kit_image
from sinopsis.cli.common import PORT


def register(sub: argparse._SubParsersAction) -> None:
    """Add the `image` command group."""
    image = sub.add_parser("image", help="the recording kit's OS image: units, udev rules, kit station.toml")
    commands = image.add_subparsers(dest="image_command", required=True, metavar="COMMAND")
    p = commands.add_parser("build", help="write the kit's file tree under --root (/ on the kit; a folder for a "
                            "dry run); idempotent")
    p.add_argument("--root", type=Path, required=True, metavar="DIR", help="where / of the kit is")
    p.add_argument("--station-id", default=kit_image.DEFAULT_STATION_ID,
                   help=f"the station id for /etc/sinopsis/station.toml (default {kit_image.DEFAULT_STATION_ID}; "
                   "enrolment gives the real one)")
    p.add_argument("--broker-host", default=kit_image.DEFAULT_BROKER_HOST, help="HQ's MQTT broker (TLS)")
    p.add_argument("--broker-port", type=PORT, default=kit_image.DEFAULT_BROKER_PORT, help="default 8883")
    p.add_argument("--replace-config", action="store_true",
                   help="overwrite an existing /etc/sinopsis/station.toml that differs (default: keep it)")
    p.add_argument("--timezone", choices=sorted(kit_image.INDONESIA_ZONES), default=kit_image.KIT_TIMEZONE,
                   help=f"the kit's clock as people read it (default {kit_image.KIT_TIMEZONE}, WIB: Pekanbaru)")
    p.set_defaults(handler=_build)

    p = commands.add_parser("boot-check", help="build the kit's root file system with the real recipe, boot it "
                            "under systemd-nspawn and check it from outside (root; slow: minutes)")
    p.add_argument("--keep", type=Path, metavar="DIR", help="work in DIR and leave it (the root file system, the "
                   "logs, the kiosk's screenshot); default a temp folder, removed")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.set_defaults(handler=_boot_check)


def _build(args: argparse.Namespace) -> int:
    report = kit_image.build_tree(args.root, station_id=args.station_id, broker_host=args.broker_host,
                                  broker_port=args.broker_port, replace_config=args.replace_config,
                                  timezone=args.timezone)
    for rel in report.written:
        print(f"wrote    /{rel}")
    for rel in report.kept:
        print(f"kept     /{rel} (differs from the image's; --replace-config overwrites it)")
    print(f"{args.root}: {len(report.written)} written, {len(report.unchanged)} unchanged, {len(report.kept)} kept")
    return 0


def _boot_check(args: argparse.Namespace) -> int:
    import os

    from sinopsis.boot_check import run_boot_check

    if os.geteuid() != 0:
        print("sinopsis image boot-check: run it as root (debootstrap, chroot and systemd-nspawn need it)")
        return 2
    report = run_boot_check(args.keep)
    print(report.as_json() if args.json else "\n".join(report.lines()))
    if report.failed:
        print(f"boot check failed: {', '.join(report.failed)}")
    return 1 if report.failed else 0
