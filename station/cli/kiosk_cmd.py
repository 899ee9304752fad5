"""`sinopsis kiosk screenshots`: every kiosk screen, both languages, both sizes, as PNG (docs/screenshots/)."""

import argparse
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    """Add the `kiosk` command group."""
    kiosk = sub.add_parser("kiosk", help="the touchscreen app")
    commands = kiosk.add_subparsers(dest="kiosk_command", required=True, metavar="COMMAND")
    p = commands.add_parser("screenshots", help="render every screen (id/en, 800x480 and 1280x800) to PNG")
    p.add_argument("--out", type=Path, default=Path("docs/screenshots"), help="folder (default: docs/screenshots)")
    p.set_defaults(handler=_screenshots)


def _screenshots(args: argparse.Namespace) -> int:
    from kiosk.screenshots import render_everything

    results = render_everything(args.out)
    overflow = {png: labels for png, labels in results.items() if labels}
    print(f"{len(results)} screenshots in {args.out}")
    for png, labels in overflow.items():
        print(f"  text overflows in {png}: {'; '.join(labels)}")
    return 1 if overflow else 0
