"""`sinopsis agent run`: the station's MQTT agent (edge_agent/), its own process beside the kiosk."""

import argparse
import signal
from collections.abc import Callable
from pathlib import Path

from sinopsis.cli.common import SECONDS, add_config_argument
from station.config import StationConfig, load_config

ONCE_LIMIT_S = 120.0


def register(sub: argparse._SubParsersAction) -> None:
    """Add the `agent` command group."""
    agent = sub.add_parser("agent", help="the station's MQTT agent: records to HQ, health, assignment, commands")
    commands = agent.add_subparsers(dest="agent_command", required=True, metavar="COMMAND")
    p = commands.add_parser("run", help="connect to the broker and work until stopped (SIGTERM stops cleanly)")
    add_config_argument(p)
    p.add_argument("--once", action="store_true",
                   help=f"stop when nothing is left to do now (sent, acked, answered); at most {ONCE_LIMIT_S:g} s "
                   "unless --seconds says otherwise")
    p.add_argument("--seconds", type=SECONDS, default=None, help="stop after N seconds (demos, smoke tests)")
    p.set_defaults(handler=_run)


def config_presence(config: StationConfig, sysfs_usb: Path | None = None) -> Callable[[], dict[str, bool]]:
    """Device presence for the agent's Health from the configuration alone (drivers/presence.py
    `settings_presence`): the kiosk owns the devices. `sysfs_usb` is a parameter for tests."""
    from drivers.discovery import SYSFS_USB
    from drivers.presence import settings_presence

    d = config.devices
    return settings_presence({"camera": d.camera, "signature_pad": d.signature_pad, "qr_scanner": d.qr_scanner,
                              "printer": d.printer}, {"fingerprint": d.fingerprint_sdk, "iris": d.iris_sdk},
                             sysfs_usb or SYSFS_USB)


def _run(args: argparse.Namespace) -> int:
    from edge_agent.agent import Agent

    config = load_config(args.config)
    agent = Agent(config, device_presence=config_presence(config))
    seconds = args.seconds if args.seconds is not None else (ONCE_LIMIT_S if args.once else None)
    previous = {sig: signal.signal(sig, lambda *_: agent.stop()) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        agent.run(seconds=seconds, once=args.once)  # a signal only asks it to stop: offline is published first
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0
