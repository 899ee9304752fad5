"""Dead letters: what a station sent that HQ can never store (issue 19 point 1).

A message is dead when no retry can help: it breaks the contract (not UTF-8, not JSON, wrong types, non-finite or
out-of-bound numbers, too large, another schema version) or storing it fails the same way every time (the
database refuses it: IntegrityError, DataError, or a bug). The ingest worker keeps it here (station, topic, a code
and the reason, a bounded excerpt) and PUBACKs it, so the broker stops redelivering it and the messages behind it
(every station's) flow on. A failure that may pass (the database locked or gone, the disk full) is not dead: the
worker keeps the message and tries again.

A deterministic-looking error is given DETERMINISTIC_TRIES attempts first: two workers racing on one row can get
a passing IntegrityError that the next attempt resolves.
"""

import hashlib
import logging
import threading
from collections.abc import Callable

from django.db import (
    DatabaseError,
    DataError,
    IntegrityError,
    InterfaceError,
    OperationalError,
    close_old_connections,
    connections,
    transaction,
)
from django.db.models import F
from django.utils import timezone

from contract.errors import SinopsisError
from contract.wire import ContractError, split_station_topic
from hq.fleet.models import Station
from hq.ingest.models import DeadLetter

logger = logging.getLogger(__name__)

EXCERPT_BYTES = 512
REASON_CHARS = 2000
TOPIC_CHARS = 300
DETERMINISTIC_TRIES = 2
RETRY_S = (0.5, 1, 2, 5, 10)  # waits between attempts when the database or the disk fails
TRANSIENT = (OperationalError, InterfaceError, OSError)  # the database locked or gone, the disk full: retry


class RefusedError(SinopsisError):
    """A message that is well formed but can never be stored (e.g. a correction from a station HQ never enrolled),
    with the dead-letter code and the reason."""


def is_transient(error: BaseException) -> bool:
    """Whether another attempt may succeed (so the message is kept and retried, never dead-lettered)."""
    return isinstance(error, TRANSIENT)


def code_of(error: BaseException) -> str:
    """The dead-letter code of an error that happened while storing a message."""
    if isinstance(error, SinopsisError):
        return error.code
    if isinstance(error, IntegrityError):
        return "ingest.integrity"
    if isinstance(error, DataError):
        return "ingest.data"
    if isinstance(error, DatabaseError):
        return "ingest.database"
    return "ingest.error"


def reason_of(error: BaseException) -> str:
    """What went wrong, one line for a person (the contract's own words, or the error's type and text)."""
    text = str(error) if isinstance(error, SinopsisError) else f"{type(error).__name__}: {error}"
    return " ".join(text.split())[:REASON_CHARS]


def excerpt(payload: bytes) -> str:
    """The payload's first EXCERPT_BYTES as text that is safe to store and show: bytes that are not UTF-8 as \\xNN,
    control, bidi, zero-width and other non-printable characters escaped (\\x00, \\u202e)."""
    text = payload[:EXCERPT_BYTES].decode("utf-8", "backslashreplace")
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)


def keep(topic: str, payload: bytes, code: str, reason: str, retained: bool = False) -> DeadLetter:
    """Store a dead letter (or count the same one again) and log it; DatabaseError propagates (then the worker
    keeps the message and tries again)."""
    try:
        sender = split_station_topic(topic)[0]
    except ContractError:
        sender = ""
    topic, reason, now = topic[:TOPIC_CHARS], reason[:REASON_CHARS], timezone.now()
    digest = hashlib.sha256(payload).hexdigest()
    logger.warning("%s: dead letter (%s): %s%s", topic, code, reason, " [retained]" if retained else "")
    same = DeadLetter.objects.filter(sender=sender, topic=topic, sha256=digest)
    with transaction.atomic():
        if same.update(times=F("times") + 1, last_at=now, code=code, reason=reason, retained=retained):
            return same.get()
        try:
            with transaction.atomic():
                return DeadLetter.objects.create(
                    sender=sender, station=Station.objects.filter(pk=sender).first() if sender else None,
                    topic=topic, retained=retained, code=code, reason=reason, size=len(payload), sha256=digest,
                    excerpt=excerpt(payload), first_at=now, last_at=now)
        except IntegrityError:  # another worker kept the same message at the same moment
            same.update(times=F("times") + 1, last_at=now)
            return same.get()


def handle_until_done(topic: str, handle: Callable[[], object], dead_letter: Callable[[BaseException], object],
                      stopping: threading.Event, worker: str, retained: bool = False) -> bool:
    """Run `handle` for the message on `topic`: retried while the failure may pass (database locked or gone,
    disk), kept through `dead_letter(error)` when it never can (the contract broken, the same other error
    DETERMINISTIC_TRIES times, a bug). True when done (PUBACK it), False if `stopping` was set first."""
    attempt = failures = 0
    dead: BaseException | None = None
    while not stopping.is_set():
        close_old_connections()
        try:
            if dead is None:
                handle()
            else:
                dead_letter(dead)
            return True
        except (ContractError, RefusedError) as e:
            if dead is not None:  # cannot happen for a station topic; never loop on it
                logger.exception("ingest worker %s: %s: no dead letter kept; message dropped", worker, topic)
                return True
            logger.warning("%s: refused (%s): %s%s", topic, e.code, e, " [retained]" if retained else "")
            dead = e
            continue
        except Exception as e:  # every failure is either retried or ends as a dead letter
            if is_transient(e):
                logger.exception("ingest worker %s: %s could not be stored; trying again", worker, topic)
            elif dead is not None:  # not even the dead letter can be stored: never hold up the rest
                logger.exception("ingest worker %s: %s: the dead letter could not be stored; message dropped",
                                 worker, topic)
                return True
            else:
                failures += 1
                logger.exception("ingest worker %s: %s failed (%d of %d)%s", worker, topic, failures,
                                 DETERMINISTIC_TRIES, "; kept as a dead letter" if failures >= DETERMINISTIC_TRIES
                                 else "; trying once more")
                if failures >= DETERMINISTIC_TRIES:
                    dead = e
            connections.close_all()
            if dead is not None:
                continue
        stopping.wait(RETRY_S[min(attempt, len(RETRY_S) - 1)])
        attempt += 1
    return False
