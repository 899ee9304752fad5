"""`sinopsis provision …`: HQ's certificate authority, enrolling a kit (request on the station, enrol at HQ,
install on the station), renew and revoke, and the TLS broker's files (docs/operations.md says when to run each).

HQ's commands take --data (HQ's data dir, as `sinopsis hq`) and --ca (default <data>/ca); the station's take
--config (as `sinopsis station`). Private keys are written 0600 and never printed.
"""

import argparse
import functools
import os
import sys
from collections.abc import Callable
from pathlib import Path

from contract.errors import SinopsisError
from contract.files import read_bounded
from sinopsis.cli.common import DAYS, PORT, add_config_argument, number


def register(sub: argparse._SubParsersAction) -> None:
    """Add the `provision` command group."""
    prov = sub.add_parser("provision", help="certificates: HQ's CA, enrolling kits, renew, revoke, the TLS broker")
    commands = prov.add_subparsers(dest="provision_command", required=True, metavar="COMMAND")
    ca = commands.add_parser("ca", help="HQ's certificate authority").add_subparsers(
        dest="ca_command", required=True, metavar="COMMAND")
    p = _hq(ca, "init", "create HQ's CA (once): its key (0600), certificate and an empty CRL", _ca_init, django=False)
    p.add_argument("--name", default="SINOPSIS HQ CA", help="the CA's common name")
    p.add_argument("--days", type=DAYS,
                   default=3650, help="how long the CA certificate is valid (default 3650)")

    p = commands.add_parser("request", help="ON THE STATION: make the enrolment request (keys stay on the kit)")
    add_config_argument(p)
    p.add_argument("--out", type=Path, required=True, help="where to write the request (e.g. on a USB stick)")
    p.set_defaults(handler=_request)

    p = _hq(commands, "enrol", "AT HQ: check a kit's request, register it, write its enrolment bundle", _enrol)
    p.add_argument("station_id", metavar="ID", help="the station id the kit must have (its certificate's CN)")
    p.add_argument("--request", type=Path, required=True, help="the request file from `provision request`")
    p.add_argument("--out", type=Path, required=True, help="where to write the bundle for the kit")
    p.add_argument("--days", type=DAYS,
                   default=None, help="certificate validity in days (default 365)")
    p.add_argument("--name", help="a name for people (e.g. 'Kit 3')")
    p.add_argument("--school", help="the school it records at")
    p.add_argument("--spt", dest="spt_number", help="the SPT (assignment letter) number")
    p.add_argument("--replace-key", action="store_true",
                   help="the id is enrolled with other keys: a replacement kit takes it over")
    p.add_argument("--clock-tolerance-min", type=number(0, 1440), default=10.0,
                   help="how far the kit's clock may be from HQ's, in minutes (default 10)")

    p = commands.add_parser("install", help="ON THE STATION: check HQ's bundle and pin it into the keys dir")
    add_config_argument(p)
    p.add_argument("bundle", type=Path, metavar="BUNDLE", help="the bundle file from `provision enrol` / `renew`")
    p.add_argument("--ca-fingerprint", help="the CA fingerprint HQ read out (`provision ca init` printed it)")
    p.add_argument("--repin", action="store_true", help="HQ changed its CA or keys on purpose: accept the new ones")
    p.set_defaults(handler=_install)

    p = _hq(commands, "renew", "AT HQ: a new certificate for a kit's same key (the old stays valid until expiry)",
            _renew)
    p.add_argument("station_id", metavar="ID")
    p.add_argument("--out", type=Path, required=True, help="where to write the bundle for the kit")
    p.add_argument("--days", type=DAYS,
                   default=None, help="certificate validity in days (default 365)")

    p = _hq(commands, "revoke", "AT HQ: revoke a kit (lost, stolen, broken): packets refused, certificates on the CRL",
            _revoke)
    p.add_argument("station_id", metavar="ID")
    p.add_argument("--reason", default="", help="why (shown at HQ), e.g. 'stolen at SMA 5, police report 12/XI'")

    _hq(commands, "crl", "AT HQ: sign the CRL again (it is valid for a year; renew it before then)", _crl,
        django=False)

    p = _hq(commands, "broker-config", "AT HQ: the broker's certificate and its TLS mosquitto.conf + ACL",
            _broker_config, django=False)
    p.add_argument("--dir", type=Path, required=True, help="the broker's folder (e.g. /etc/mosquitto/sinopsis)")
    p.add_argument("--host", action="append", default=[], metavar="NAME",
                   help="a host name or IP the kits connect to (repeat; the first is the CN)")
    p.add_argument("--port", type=PORT, default=8883, help="the TLS listener's port (default 8883)")
    p.add_argument("--bind", default="0.0.0.0",  # noqa: S104 - kits connect over the network
                   help="the address to listen on (default all)")
    p.add_argument("--hq-user", action="append", default=None, metavar="NAME",
                   help="HQ client names with access to every station (default hq-ingest)")

    p = _hq(commands, "hq-cert", "AT HQ: the TLS client certificate of HQ's ingest (CN = its broker user)",
            _hq_cert, django=False)
    p.add_argument("--user", default="hq-ingest", help="the broker user (default hq-ingest)")
    p.add_argument("--out-dir", type=Path, required=True, help="where to write <user>.pem and <user>.key.pem")
    p.add_argument("--days", type=DAYS,
                   default=None, help="certificate validity in days (default 365)")


def _hq(commands: argparse._SubParsersAction, name: str, text: str, handler: Callable[[argparse.Namespace], int],
        django: bool = True) -> argparse.ArgumentParser:
    p = commands.add_parser(name, help=text, description=text)
    p.add_argument("--data", type=Path, default=None,
                   help="HQ's data directory (default: $SINOPSIS_HQ_DATA, else ~/.local/share/sinopsis/hq)")
    p.add_argument("--ca", type=Path, default=None, help="the CA's folder (default: <HQ data>/ca)")
    p.set_defaults(handler=functools.partial(_run_hq, handler, django))
    return p


def _hq_data(args: argparse.Namespace) -> Path:
    return Path(args.data or os.environ.get("SINOPSIS_HQ_DATA") or Path.home() / ".local/share/sinopsis/hq")


def _ca_dir(args: argparse.Namespace) -> Path:
    return args.ca or _hq_data(args) / "ca"


def _run_hq(handler: Callable[[argparse.Namespace], int], django: bool, args: argparse.Namespace) -> int:
    """Start Django first when the command touches HQ's database; HqError becomes the CLI's bad input."""
    from hq.errors import HqError

    try:
        if django:
            from hq.runtime import pending_migrations, setup

            setup(args.data)
            pending = pending_migrations()
            if pending:
                raise HqError(f"HQ's database lacks {len(pending)} migration(s) (e.g. {pending[0]}): run "
                              "`sinopsis hq migrate` first", "hq.migrate")
        return handler(args)
    except HqError as e:
        raise SinopsisError(str(e), e.code) from None


def _ca(args: argparse.Namespace):
    from provisioning.pki import CertificateAuthority

    return CertificateAuthority(_ca_dir(args))


def _ca_init(args: argparse.Namespace) -> int:
    from provisioning.pki import CertificateAuthority, fingerprint

    ca = CertificateAuthority.create(_ca_dir(args), name=args.name, days=args.days)
    print(f"HQ CA created in {ca.directory} (key {ca.directory / 'ca.key.pem'} is 0600: back it up offline)")
    print(f"CA fingerprint (SHA-256), for `provision install --ca-fingerprint`: {fingerprint(ca.cert)}")
    return 0


def _request(args: argparse.Namespace) -> int:
    from contract.durable import write_durably
    from provisioning.enrolment import make_request
    from station.config import load_config

    config = load_config(args.config)
    data = make_request(config)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    write_durably(args.out, data, mode=0o644)
    print(f"enrolment request for station {config.station.id} written to {args.out}; take it to HQ and run "
          f"`sinopsis provision enrol {config.station.id} --request {args.out.name} --out bundle.json` there "
          "within 10 minutes (the kit's clock is checked)")
    return 0


def _write_bundle(path: Path, data: bytes) -> None:
    from contract.durable import write_durably

    path.parent.mkdir(parents=True, exist_ok=True)
    write_durably(path, data, mode=0o644)


def _enrol(args: argparse.Namespace) -> int:
    import datetime as dt

    from provisioning.pki import fingerprint
    from sinopsis.enrolment import enrol

    request = read_bounded(args.request, "key", what="request", code="provision.request")
    done = enrol(_ca(args), args.station_id, request, source=str(args.request), days=args.days,
                 tolerance=dt.timedelta(minutes=args.clock_tolerance_min), name=args.name, school=args.school,
                 spt_number=args.spt_number, replace_key=args.replace_key)
    _write_bundle(args.out, done.bundle)
    print(f"station {args.station_id} {'enrolled' if done.created else 'updated'}: certificate "
          f"{done.cert.serial_number:x} valid until {done.cert.not_valid_after_utc:%Y-%m-%d}; bundle written to "
          f"{args.out}. On the kit: `sinopsis provision install {args.out.name} --ca-fingerprint "
          f"{fingerprint(_ca(args).cert)}`")
    return 0


def _install(args: argparse.Namespace) -> int:
    from provisioning.install import install_bundle
    from station.config import load_config

    config = load_config(args.config)
    data = read_bounded(args.bundle, "json", what="bundle", code="provision.bundle")
    done = install_bundle(config, data, source=str(args.bundle), ca_fingerprint=args.ca_fingerprint,
                          repin=args.repin)
    print(f"station {config.station.id}: certificate {done.serial} (valid until {done.not_after:%Y-%m-%d}), "
          f"HQ's CA ({done.ca_fingerprint[:16]}…) and HQ's keys pinned in {done.paths['broker_cert'].parent}")
    if not config.broker.tls:
        print("note: this station.toml has [broker] tls = false; set tls = true, host and port = 8883 to use "
              "the certificate", file=sys.stderr)
    return 0


def _renew(args: argparse.Namespace) -> int:
    from sinopsis.enrolment import renew

    done = renew(_ca(args), args.station_id, days=args.days)
    _write_bundle(args.out, done.bundle)
    print(f"station {args.station_id}: new certificate {done.cert.serial_number:x} valid until "
          f"{done.cert.not_valid_after_utc:%Y-%m-%d}; bundle written to {args.out} (install it on the kit)")
    return 0


def _revoke(args: argparse.Namespace) -> int:
    from sinopsis.enrolment import revoke

    ca = _ca(args)
    count = revoke(ca, args.station_id, args.reason)
    print(f"station {args.station_id} revoked: HQ refuses its packets; {count} certificate(s) added to "
          f"{ca.crl_path}. Reload the broker now (`systemctl reload mosquitto`) so it reads the new CRL")
    return 0


def _crl(args: argparse.Namespace) -> int:
    path = _ca(args).write_crl()
    print(f"CRL signed again: {path} (valid for a year); reload the broker (`systemctl reload mosquitto`)")
    return 0


def _broker_config(args: argparse.Namespace) -> int:
    from provisioning.broker_tls import provision_broker

    conf = provision_broker(_ca(args), args.dir, args.host, args.port, args.bind, args.hq_user or ["hq-ingest"])
    print(f"broker certificate for {', '.join(args.host)} and TLS configuration written: {conf}. Start mosquitto "
          f"with `mosquitto -c {conf}` (or include it from /etc/mosquitto/conf.d/)")
    return 0


def _hq_cert(args: argparse.Namespace) -> int:
    from provisioning.enrolment import reserved
    from provisioning.pki import HQ_CLIENT

    if not reserved(args.user):
        raise SinopsisError(f"--user {args.user!r}: HQ's client names start with 'hq-' (station ids may not), "
                            "e.g. hq-ingest", "provision.hq_user")
    cert_path, key_path = args.out_dir / f"{args.user}.pem", args.out_dir / f"{args.user}.key.pem"
    cert = _ca(args).issue_keyed(args.user, HQ_CLIENT, key_path, cert_path, days=args.days)
    print(f"certificate for HQ user {args.user} (valid until {cert.not_valid_after_utc:%Y-%m-%d}) in {cert_path}, "
          f"key in {key_path} (0600). Give HQ's ingest: SINOPSIS_HQ_MQTT_URL=mqtts://{args.user}@<broker>:8883 "
          f"SINOPSIS_HQ_MQTT_CA={_ca(args).cert_path} SINOPSIS_HQ_MQTT_CERT={cert_path} "
          f"SINOPSIS_HQ_MQTT_KEY={key_path}")
    return 0
