"""A local mosquitto for the demo and the tests: its configuration (listener, password file, ACL, persistence,
size limit) written from the MQTT contract's rules, and the process started, stopped, killed and restarted.

The ACL is DESIGN.md §7's and goes by direction. A station's username is its id (the certificate's common name
on the TLS broker, provisioning/broker_tls.py, which uses the same ACL); it may WRITE only what stations send
(`status` — its last will too, which the broker publishes in its name —, `health`, `reported`, `job/#`, `up/#`)
and READ only what HQ sends it (`desired`, `cmd/#`, `ack`, `correction/ack`, `sinopsis/v1/hq/ingest/state`),
all under its own `sinopsis/v1/st/<id>/`. HQ's users get the mirror image for every station (`+`) and their
own `sinopsis/v1/hq/#`. Never `readwrite`: a station that could write its own down topics could forge HQ's
commands and acks to itself. What the ACL denies mosquitto 2.0 drops: a publish is never delivered (QoS 1 is
answered with PUBACK 0x87 "not authorised" under MQTT 5, a plain PUBACK under 3.1.1), and a message on a
subscribed topic the reader may not read is never sent to it. The password file holds only hashes, in mosquitto
2.0's own format (`password_line`), written hashed: no password is ever on disk in clear, not even for the moment a
`mosquitto_passwd -U` would take. Production kits use TLS client certificates (provisioning, issue 9).
"""

import base64
import hashlib
import os
import secrets
import shutil
import socket
import subprocess
import time
from collections.abc import Iterable, Mapping
from pathlib import Path

from contract.durable import write_private
from contract.errors import SinopsisError
from contract.wire import MAX_BATCH_BYTES, PREFIX

# The topics under sinopsis/v1/st/<id>/ by direction (contract/wire.py's station_topic leaves; "#" for the
# leaves that carry a job id or a kind: cmd/<job>, job/<job>, up/batch, up/correction).
STATION_SENDS = ("status", "health", "reported", "job/#", "up/#")
HQ_SENDS = ("desired", "cmd/#", "ack", "correction/ack")


def _lines(kind: str, access: str, station: str, leaves: Iterable[str]) -> str:
    return "".join(f"{kind} {access} {PREFIX}/st/{station}/{leaf}\n" for leaf in leaves)


# One HQ user's rules: read what every station sends, write what HQ sends to any station, and HQ's own topics
# (the ingest state, retained, with the ingest worker's last will).
HQ_USERS_ACL = (_lines("topic", "read", "+", STATION_SENDS) + _lines("topic", "write", "+", HQ_SENDS)
                + f"topic readwrite {PREFIX}/hq/#\n")
# Every client's rules, by its own username (%u): a station writes its up topics and reads its down topics and
# HQ's ingest state, nothing else and nothing of another station. (mosquitto warns at start that the last
# pattern holds no %u: it is meant for every client, and a pattern is the only rule that applies to all.)
STATION_ACL = (_lines("pattern", "write", "%u", STATION_SENDS) + _lines("pattern", "read", "%u", HQ_SENDS)
               + f"pattern read {PREFIX}/hq/ingest/state\n")


class BrokerError(SinopsisError):
    """mosquitto is missing, would not start, or its configuration cannot be written."""


def free_port() -> int:
    """A TCP port on the loopback that nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def acl_text(hq_users: Iterable[str]) -> str:
    """The ACL file (mosquitto's acl_file format): each HQ user's rules, then the per-station patterns. The
    patterns apply to every client, HQ's users too, but only under `st/<their own name>/`, and no station id may
    take an HQ name (provisioning/enrolment.py reserves the `hq` prefix), so they grant HQ nothing of a station."""
    return "".join(f"user {u}\n{HQ_USERS_ACL}\n" for u in hq_users) + STATION_ACL


# mosquitto 2.0's password hash (`$7$`): PBKDF2-HMAC-SHA512 over a 12-byte salt, 64 bytes, with the iteration
# count in the line; 101 is mosquitto_passwd's own. The passwords here are random secrets (sinopsis/demo_hq.py
# fresh_secret, the tests' and the bench's), which no iteration count would make stronger.
PBKDF2_ITERATIONS = 101


def password_line(user: str, password: str, salt: bytes | None = None) -> str:
    """One line of mosquitto's password file, as `mosquitto_passwd -b` writes it (tested against it)."""
    salt = secrets.token_bytes(12) if salt is None else salt
    digest = hashlib.pbkdf2_hmac("sha512", password.encode(), salt, PBKDF2_ITERATIONS, 64)
    return f"{user}:$7${PBKDF2_ITERATIONS}${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}\n"


def write_config(directory: Path, port: int, stations: Mapping[str, str], hq_users: Mapping[str, str]) -> Path:
    """mosquitto.conf, passwd and acl in `directory` (created 0700); returns the conf path."""
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    accounts = {**stations, **hq_users}
    for user, password in accounts.items():
        if not user or ":" in user or "\n" in user or "\n" in password:
            raise BrokerError(f"broker account {user!r}: a username holds no ':' and neither holds a line break",
                              "broker.account")
    passwd = directory / "passwd"
    write_private(passwd, "".join(password_line(user, password) for user, password in accounts.items()))
    acl = directory / "acl"
    acl.write_text(acl_text(hq_users))
    (directory / "data").mkdir(exist_ok=True, mode=0o700)
    conf = directory / "mosquitto.conf"
    user_line = "user root\n" if os.geteuid() == 0 else ""  # as root mosquitto would drop to 'mosquitto'
    conf.write_text(
        f"{user_line}listener {port} 127.0.0.1\nallow_anonymous false\npassword_file {passwd}\nacl_file {acl}\n"
        f"persistence true\npersistence_location {directory / 'data'}/\nautosave_interval 1\n"
        f"max_packet_size {MAX_BATCH_BYTES + 64 * 1024}\nmax_queued_messages 10000\n"
        f"log_dest file {directory / 'mosquitto.log'}\nlog_type error\nlog_type warning\nlog_type notice\n")
    return conf


class LocalBroker:
    """One mosquitto process on `port` with the configuration above; `kill()` simulates a crash."""

    def __init__(self, directory: Path, stations: Mapping[str, str], hq_users: Mapping[str, str],
                 port: int | None = None) -> None:
        self.directory, self.port = Path(directory), port or free_port()
        self.conf = write_config(self.directory, self.port, stations, hq_users)
        self.process: subprocess.Popen | None = None

    def start(self, timeout_s: float = 10.0) -> "LocalBroker":
        """Start mosquitto and wait until it accepts connections."""
        binary = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
        if not Path(binary).exists():
            raise BrokerError("mosquitto not found: install the mosquitto package (./setup.sh does)",
                              "broker.missing")
        self.process = subprocess.Popen([binary, "-c", str(self.conf)], stdout=subprocess.DEVNULL,
                                        stderr=subprocess.PIPE)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BrokerError(f"mosquitto exited at start: {self.process.stderr.read().decode()[-500:]}",
                                  "broker.start")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return self
            except OSError:
                time.sleep(0.05)
        raise BrokerError(f"mosquitto did not listen on port {self.port} in {timeout_s:g} s", "broker.start")

    def stop(self) -> None:
        """A clean stop (SIGTERM: sessions saved)."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None

    def kill(self) -> None:
        """A crash (SIGKILL): whatever was not saved is gone, as on a power cut."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def __enter__(self) -> "LocalBroker":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
