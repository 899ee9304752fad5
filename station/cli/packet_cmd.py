"""`sinopsis packet verify|open`: check a sealed record, or (HQ side) decrypt it into a folder."""

import argparse
import sys
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from station.cli.common import print_json
from station.errors import PacketError, SinopsisError
from station.keys import load_private_key, load_public_key
from station.packets import open_packet, verify_packet


def register(sub: argparse._SubParsersAction) -> None:
    """Add the `packet` command group."""
    packet = sub.add_parser("packet", help="sealed records: verify, open (HQ side)")
    commands = packet.add_subparsers(dest="packet_command", required=True, metavar="COMMAND")
    p = commands.add_parser("verify", help="verify signature and hash; exit 1 when the packet fails")
    p.add_argument("file", type=Path)
    p.add_argument("--station-key", type=Path, required=True, help="the station's public signing key (PEM)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_verify)
    p = commands.add_parser("open", help="HQ side: verify, decrypt and write the payload files under --out")
    p.add_argument("file", type=Path)
    p.add_argument("--station-key", type=Path, required=True, help="the station's public signing key (PEM)")
    p.add_argument("--hq-key", type=Path, required=True, help="HQ's X25519 private key (PEM)")
    p.add_argument("--out", type=Path, required=True, help="folder for the payload files")
    p.add_argument("--force", action="store_true", help="overwrite files already in --out")
    p.set_defaults(handler=_open)


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as e:
        raise SinopsisError(f"{path}: cannot read: {e.strerror}", code="packet.unreadable") from None


def _verify(args: argparse.Namespace) -> int:
    key = load_public_key(args.station_key, Ed25519PublicKey)
    try:
        h = verify_packet(_read(args.file), key)
    except PacketError as e:
        print(f"sinopsis: {args.file}: {e}", file=sys.stderr)
        return 1
    info = {"record_id": h.record_id, "station_id": h.station_id, "seq": h.seq, "created_at": h.created_at,
            "size": args.file.stat().st_size}
    if args.json:
        print_json(info)
    else:
        print(f"{args.file}: OK — record {h.record_id}, station {h.station_id}, seq {h.seq}, sealed {h.created_at}")
    return 0


def _open(args: argparse.Namespace) -> int:
    station_key = load_public_key(args.station_key, Ed25519PublicKey)
    hq_key = load_private_key(args.hq_key, X25519PrivateKey)
    try:
        files = open_packet(_read(args.file), station_key, hq_key)
    except PacketError as e:
        print(f"sinopsis: {args.file}: {e}", file=sys.stderr)
        return 1
    targets = {name: args.out / name for name in files}
    existing = [str(t) for t in targets.values() if t.exists()]
    if existing and not args.force:
        raise SinopsisError(f"{args.out}: would overwrite {len(existing)} file(s), e.g. {existing[0]}; "
                            "use --force or another --out", code="packet.overwrite")
    for name, target in targets.items():
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(files[name])
        print(f"wrote {target} ({len(files[name])} bytes)")
    return 0
