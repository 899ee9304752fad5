"""HQ's mosquitto with TLS client certificates: the configuration the office broker runs with, and a LocalBroker
that runs it on a random loopback port for the tests.

Every client shows a certificate signed by HQ's CA (`require_certificate true`) that is not on the CRL
(`crlfile`); its common name becomes its username (`use_identity_as_username true`), so the ACL of
provisioning/broker.py (`acl_text`) applies unchanged, by direction: a station writes only what stations send
and reads only what HQ sends it, under its own `sinopsis/v1/st/<its CN>/`; HQ's ingest user (CN hq-ingest) the
mirror image for every station, and HQ's own topics. No passwords, no anonymous clients.

mosquitto reads the CRL when it starts and when it is told to reload (SIGHUP, `systemctl reload mosquitto`):
after a revoke, reload the broker (new connections of the revoked kit are refused) and restart it to drop a
connection the kit may still hold. HQ's ingest refuses a revoked station's packets either way.
"""

import os
import signal
from collections.abc import Iterable
from pathlib import Path

from contract.wire import MAX_BATCH_BYTES
from provisioning.broker import BrokerError, LocalBroker, acl_text, free_port
from provisioning.pki import SERVER, CertificateAuthority, ProvisionError

# Queue limits, per client session (mosquitto counts each client's queue on its own). The queue that grows is HQ
# ingest's while it is down: every kit's status and health (health every 60 s, ~2 KB) keep arriving for its
# persistent session. Sized for FLEET kits and a BACKLOG_DAYS outage (a long weekend):
#   messages: 40 kits × 1440 health/day × 3 days ≈ 173,000, plus status and job messages → 200,000;
#   bytes: 173,000 × 2 KB ≈ 350 MB of health, plus the few 16 MB batches in flight when ingest stopped
#   (kits stop sending batches once HQ's ingest state goes offline) → 512 MiB.
# Past the limits mosquitto drops new messages for that session: health is retained anyway, and a batch is
# resent by its kit until HQ acks it, so nothing is lost for good. A kit's own queue (acks, commands) stays small.
FLEET, BACKLOG_DAYS = 40, 3
MAX_QUEUED_MESSAGES = 200_000
MAX_QUEUED_BYTES = 512 * 1024 * 1024
SERVER_CERT, SERVER_KEY = "broker.pem", "broker.key.pem"
ALL_INTERFACES = "0.0.0.0"  # noqa: S104 - the office broker serves kits on the network; tests bind 127.0.0.1


def write_tls_config(directory: Path, port: int, *, cafile: Path, certfile: Path, keyfile: Path, crlfile: Path,
                     hq_users: Iterable[str] = ("hq-ingest",), bind: str = ALL_INTERFACES,
                     autosave_interval_s: int = 30) -> Path:
    """mosquitto.conf and acl in `directory` (created 0700) for a TLS-only broker; returns the conf path."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    for path in (cafile, certfile, keyfile, crlfile):
        if not Path(path).is_file():
            raise ProvisionError(f"{path}: not found; the broker needs the CA certificate, its own certificate "
                                 "and key and the CRL (`sinopsis provision broker-config` makes them)",
                                 "provision.broker_files")
    acl = directory / "acl"
    acl.write_text(acl_text(list(hq_users)))
    data = directory / "data"
    data.mkdir(exist_ok=True, mode=0o700)
    user_line = "user root\n" if os.geteuid() == 0 else ""  # as root mosquitto would drop to 'mosquitto'
    conf = directory / "mosquitto.conf"
    conf.write_text(
        "# HQ's broker: TLS client certificates only (written by `sinopsis provision broker-config`)\n"
        f"{user_line}per_listener_settings false\nallow_anonymous false\nacl_file {acl}\n"
        f"listener {port} {bind}\nprotocol mqtt\n"
        f"cafile {cafile}\ncertfile {certfile}\nkeyfile {keyfile}\ncrlfile {crlfile}\n"
        "require_certificate true\nuse_identity_as_username true\ntls_version tlsv1.2\n"
        f"persistence true\npersistence_location {data}/\nautosave_interval {autosave_interval_s}\n"
        f"max_packet_size {MAX_BATCH_BYTES + 64 * 1024}\n"
        f"# sized for {FLEET} kits and a {BACKLOG_DAYS}-day HQ ingest outage (provisioning/broker_tls.py)\n"
        f"max_queued_messages {MAX_QUEUED_MESSAGES}\nmax_queued_bytes {MAX_QUEUED_BYTES}\n"
        f"log_dest file {directory / 'mosquitto.log'}\nlog_type error\nlog_type warning\nlog_type notice\n"
        "connection_messages true\n")
    return conf


def provision_broker(ca: CertificateAuthority, directory: Path, hosts: list[str], port: int = 8883,
                     bind: str = ALL_INTERFACES, hq_users: Iterable[str] = ("hq-ingest",),
                     autosave_interval_s: int = 30) -> Path:
    """The broker's server certificate (CN = the first host, every host and IP in its SAN; the key is kept if
    it exists) signed by HQ's CA, and the TLS configuration using it; returns the conf path."""
    if not hosts:
        raise ProvisionError("give the broker's host name(s) with --host (what the kits' [broker] host says), "
                             "e.g. --host mqtt.disdukcapil.example --host 10.0.0.5", "provision.broker_host")
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    ca.issue_keyed(hosts[0], SERVER, directory / SERVER_KEY, directory / SERVER_CERT, hosts=hosts)
    return write_tls_config(directory, port, cafile=ca.cert_path, certfile=directory / SERVER_CERT,
                            keyfile=directory / SERVER_KEY, crlfile=ca.crl_path, hq_users=hq_users, bind=bind,
                            autosave_interval_s=autosave_interval_s)


class TlsBroker(LocalBroker):
    """mosquitto with the TLS configuration on a random loopback port (tests, demo); certificate for
    127.0.0.1 and localhost from `ca`. `reload()` makes it read the CRL again."""

    def __init__(self, directory: Path, ca: CertificateAuthority, hq_users: Iterable[str] = ("hq-ingest",),
                 port: int | None = None) -> None:
        self.directory, self.port = Path(directory), port or free_port()
        self.ca = ca
        self.conf = provision_broker(ca, self.directory, ["localhost", "127.0.0.1"], self.port, "127.0.0.1",
                                     hq_users, autosave_interval_s=1)
        self.process = None

    def reload(self) -> None:
        """SIGHUP: mosquitto reads its configuration again, the CRL included."""
        if self.process is None or self.process.poll() is not None:
            raise BrokerError("the broker is not running", "broker.start")
        self.process.send_signal(signal.SIGHUP)
