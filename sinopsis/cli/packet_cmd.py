"""`sinopsis packet verify|open`: check a sealed record, or (HQ side) decrypt it into a folder."""

import argparse
import sys
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from contract.durable import write_durably
from contract.errors import PacketError, SinopsisError
from contract.files import read_bounded
from contract.keys import load_private_key, load_public_key
from contract.packets import open_packet, verify_packet
from sinopsis.cli.common import print_json


def register(sub: argparse._SubParsersAction) -> None:
    """Add the `packet` command group."""
    packet = sub.add_parser("packet", help="sealed records: verify, open (HQ side)")
    commands = packet.add_subparsers(dest="packet_command", required=True, metavar="COMMAND")
    p = commands.add_parser("verify", help="verify structure, signature and hash; exit 1 when the packet fails")
    p.add_argument("file", type=Path, help="the .sinopkt file")
    p.add_argument("--station-key", type=Path, required=True, help="the station's public signing key (PEM)")
    p.add_argument("--json", action="store_true", help="print the header fields as JSON")
    p.set_defaults(handler=_verify)
    p = commands.add_parser("open", help="HQ side: verify, decrypt and write the payload files under --out")
    p.add_argument("file", type=Path, help="the .sinopkt file")
    p.add_argument("--station-key", type=Path, required=True, help="the station's public signing key (PEM)")
    p.add_argument("--hq-key", type=Path, required=True, help="HQ's X25519 private key (PEM)")
    p.add_argument("--out", type=Path, required=True, help="folder for the payload files (created if missing)")
    p.add_argument("--force", action="store_true", help="overwrite files already in --out")
    p.set_defaults(handler=_open)


def _read(path: Path) -> bytes:
    return read_bounded(path, "packet", what="packet")  # regular file, at most one batch message (issue 19)


def _verify(args: argparse.Namespace) -> int:
    key = load_public_key(args.station_key, Ed25519PublicKey)
    data = _read(args.file)
    try:
        h = verify_packet(data, key)
    except PacketError as e:
        print(f"sinopsis: {args.file}: {e}", file=sys.stderr)
        return 1
    info = {"file": str(args.file), "record_id": h.record_id, "station_id": h.station_id, "seq": h.seq,
            "created_at": h.created_at, "size": len(data)}
    if args.json:
        print_json(info)
    else:
        print(f"{args.file}: OK — record {h.record_id}, station {h.station_id}, seq {h.seq}, "
              f"sealed {h.created_at}, {len(data)} bytes")
    return 0


def _targets(out: Path, names: list[str], force: bool) -> dict[str, Path]:
    """Where each payload file goes; refuses overwrites (unless forced) and folders that lead outside --out."""
    root = out.resolve()
    targets = {name: out / name for name in names}
    for target in targets.values():
        if not target.parent.resolve().is_relative_to(root):
            raise SinopsisError(f"{target}: a symbolic link under {out} leads outside it; refusing to write there",
                                code="packet.out_escape")
    existing = [str(t) for t in targets.values() if t.exists() or t.is_symlink()]
    if existing and not force:
        raise SinopsisError(f"{out}: would overwrite {len(existing)} file(s), e.g. {existing[0]}; "
                            "use --force or another --out", code="packet.overwrite")
    return targets


def _open(args: argparse.Namespace) -> int:
    station_key = load_public_key(args.station_key, Ed25519PublicKey)
    hq_key = load_private_key(args.hq_key, X25519PrivateKey)
    try:
        files = open_packet(_read(args.file), station_key, hq_key)
    except PacketError as e:
        print(f"sinopsis: {args.file}: {e}", file=sys.stderr)
        return 1
    targets = _targets(args.out, sorted(files), args.force)
    for name, target in targets.items():
        try:
            # Biometric images: readable by the HQ operator only.
            target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            write_durably(target, files[name], mode=0o600)
        except OSError as e:
            raise SinopsisError(f"{target}: cannot write: {e.strerror or e}", code="packet.write") from None
        print(f"wrote {target} ({len(files[name])} bytes)")
    return 0
