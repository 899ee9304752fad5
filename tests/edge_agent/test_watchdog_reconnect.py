"""sd_notify survives a broken notify socket (issue 19 point 5): systemd's end is closed and unlinked mid-run, then
made again at the same path; the watchdog's WATCHDOG=1 pings resume on their own, and the failure streak is logged
once, not once per ping (a notifier that gave up after one error let systemd kill a healthy agent)."""

import logging
import sqlite3
import tempfile
from pathlib import Path

from edge_agent.watchdog import Watchdog
from station.sd_notify import Notifier
from tests.edge_agent.conftest import wait_until
from tests.edge_agent.test_watchdog import NotifySocket


def test_pings_resume_after_the_notify_socket_is_closed_and_made_again(tmp_path, caplog):
    folder = Path(tempfile.mkdtemp(prefix="sd-", dir="/tmp"))  # AF_UNIX paths must stay short
    address = folder / "notify"
    listener = NotifySocket(str(address))
    db = tmp_path / "station.db"
    sqlite3.connect(db).close()
    dog = Watchdog.from_environ(db, {"NOTIFY_SOCKET": str(address), "WATCHDOG_USEC": "200000"})  # ping every 0.1
    clock = iter(100.0 + 0.1 * i for i in range(100))
    try:
        dog.ready("up")
        for _ in range(3):
            dog.tick(next(clock), connected=False, status="up")
        wait_until(lambda: listener.count("WATCHDOG=1") == 3, what="three pings before the break")

        listener.close()  # systemd's end goes away: closed and unlinked
        address.unlink()
        with caplog.at_level(logging.INFO, logger="station.sd_notify"):
            for _ in range(4):
                dog.tick(next(clock), connected=False, status="up")
            assert dog.pings == 3 and dog.notifier.failures == 4
            lost = [r for r in caplog.records if "unusable" in r.getMessage()]
            assert len(lost) == 1 and str(address) in lost[0].getMessage()  # once per streak, naming the socket

            listener = NotifySocket(str(address))  # back at the same path
            for _ in range(3):
                dog.tick(next(clock), connected=False, status="up")
            wait_until(lambda: listener.count("WATCHDOG=1") == 3, what="pings after the socket came back")
            assert dog.pings == 6
            assert any("works again (4 message(s) lost)" in r.getMessage() for r in caplog.records)
    finally:
        dog.close()
        listener.close()
        address.unlink(missing_ok=True)
        folder.rmdir()


def test_a_notifier_whose_own_socket_broke_makes_a_new_one():
    """The client side breaking (its socket closed under it) is mended on the same send: nothing is lost."""
    folder = Path(tempfile.mkdtemp(prefix="sd-", dir="/tmp"))
    listener = NotifySocket(str(folder / "notify"))
    notifier = Notifier(str(folder / "notify"))
    try:
        assert notifier.send("READY=1")
        notifier._sock.close()  # e.g. a descriptor closed by mistake: sendto fails with EBADF
        assert notifier.send("WATCHDOG=1") and notifier.failures == 0
        wait_until(lambda: listener.snapshot() == ["READY=1", "WATCHDOG=1"], what="both messages")
    finally:
        notifier.close()
        listener.close()
        (folder / "notify").unlink()
        folder.rmdir()
