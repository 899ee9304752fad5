"""Issue 19 point 1: one bad message never stops HQ. Against a real mosquitto and a real ingest worker, two
stations send every class of hostile message (non-finite, huge integer, wrong type, oversize, invalid UTF-8,
wrong schema version, a retained poison, a batch and a health report HQ's real database refuses); each ends as a
dead letter with its code, is PUBACKed (a restarted worker on the same session gets none of them again), a batch
gets its rejection Ack, and then the next good record of every station arrives and is acked. Plus the dead-letter
helpers on their own (excerpt, codes, counting the same message again)."""

import contextlib
from collections.abc import Iterator

import pytest
from django.db import DataError, IntegrityError, OperationalError, connection

from contract.batch import write_batch
from contract.wire import ContractError
from hq.fleet.models import Station
from hq.ingest.dead_letters import code_of, excerpt, is_transient, keep
from hq.ingest.models import DeadLetter, Record
from tests.hq.standin import wait_for

HEALTH = b'{"epoch": 1, "ts": "2026-11-25T08:00:00Z", "queue_depth": 0, "software_version": "1.0"}'
CORRECTION = (b'{"record_id": "c1", "application_id": "APL-1", "assignment_id": "A-1", "reason_code": "other", '
              b'"phone": "+6281234567890", "requested_at": "2026-11-25T08:00:00Z", "requested_by": "kiosk"}')


@contextlib.contextmanager
def refusing(table: str, when: str) -> Iterator[None]:
    """HQ's real SQLite refuses inserts into `table` matching `when` (a trigger): a deterministic DB error."""
    if connection.vendor != "sqlite":
        pytest.skip("the refusing trigger is written for SQLite")
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TRIGGER refuse_{table} BEFORE INSERT ON {table} WHEN {when} "
                       "BEGIN SELECT RAISE(ABORT, 'refused by a test trigger'); END")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TRIGGER IF EXISTS refuse_{table}")


def dead(leaf: str, station: str = "st-a", code: str | None = None) -> DeadLetter | None:
    found = DeadLetter.objects.filter(topic=f"sinopsis/v1/st/{station}/{leaf}")
    return (found.filter(code=code) if code else found).first()


def test_every_bad_class_is_a_dead_letter_and_every_station_goes_on(start_worker, hq_broker, stand_in, packet):
    from hq.ingest.worker import IngestWorker

    a, b = stand_in("st-a"), stand_in("st-b")
    a.publish("health", HEALTH.replace(b'"queue_depth": 0', b'"queue_depth": 1e999'), retain=True)  # retained
    worker = start_worker("w1")
    a.wait_ingest_online()
    sent = {  # (station, leaf) → (payload, code)
        ("st-a", "status"): (b'{"state": "online", "epoch": "3"}', "contract.schema"),  # wrong type
        ("st-b", "health"): (HEALTH.replace(b"1.0", b"1.\xff"), "contract.json"),  # invalid UTF-8
        ("st-a", "reported"): (b'{"v": 2, "ts": "2026-11-25T08:00:00Z"}', "contract.version"),
        ("st-b", "status"): (b'{"state": "online", "epoch": ' + b"9" * 30 + b"}", "contract.schema"),  # huge int
        ("st-b", "job/j-1"): (b'{"job": "j-1", "state": "succeeded", "ts": "' + b"t" * 300_000 + b'"}',
                              "contract.too_large"),  # oversize
        ("st-b", "up/correction"): (CORRECTION.replace(b'"other"', b"7"), "contract.schema"),
        ("st-a", "up/correction"): (b'{"v": 2, ' + CORRECTION[1:], "contract.version"),
    }
    for (station, leaf), (payload, _code) in sent.items():
        (a if station == "st-a" else b).publish(leaf, payload)
    b.publish_batch("b-v2", payload=write_batch("b-v2", "st-b", [("r-b0", 1, b"x")]).replace(b'"v":1', b'"v":2'))
    with refusing("fleet_healthsample", "NEW.epoch = 666"):  # the database refuses it every time
        b.publish("health", HEALTH.replace(b'"epoch": 1', b'"epoch": 666'))
        wait_for(lambda: dead("health", "st-b", "ingest.integrity"), what="the refused health report", timeout_s=20)
    stored_first = packet("st-a", "r-a1", 1)
    with refusing("ingest_record", "NEW.record_id = 'r-poison'"):
        ack = a.send_batch("b-poison", [("r-a1", 1, stored_first), ("r-poison", 2, packet("st-a", "r-poison", 2))])
    assert ack.duplicate == ["r-a1"] and [(r.record_id, r.code) for r in ack.rejected] == [
        ("r-poison", "ingest.integrity")]  # stored in the first attempt, then the batch became a dead letter
    assert dead("up/batch", "st-b").code == "contract.version"  # not even its ids are read: no Ack

    for (station, leaf), (_payload, code) in sent.items():
        letter = wait_for(lambda s=station, lf=leaf, c=code: dead(lf, s, c), what=f"{station} {leaf} {code}")
        assert letter.times == 1 and letter.station_id == station, (station, leaf, letter.reason)
    poison = dead("health")
    assert poison.retained and poison.code == "contract.schema" and "1e999" in poison.excerpt
    assert "queue_depth" in poison.reason and poison.station_id == "st-a"
    assert dead("health", "st-b", "contract.json").excerpt.endswith('"1.\\xff"}')  # stored escaped

    # the next good record of every station arrives and is acked
    assert a.send_batch("b-a2", [("r-a3", 3, packet("st-a", "r-a3", 3))]).accepted == ["r-a3"]
    assert b.send_batch("b-b1", [("r-b1", 1, packet("st-b", "r-b1", 1))]).accepted == ["r-b1"]
    assert set(Record.objects.values_list("pk", flat=True)) == {"r-a1", "r-a3", "r-b1"}

    # PUBACKed: the same session after a restart gets back only the retained poison (replayed on subscribe)
    worker.stop()
    again = IngestWorker(hq_broker, "w1").start()
    try:
        assert again.ready.wait(10)
        wait_for(lambda: dead("health").times == 2, what="the retained poison replayed once")
        b.publish("status", b'{"state": "online", "epoch": 5}')
        wait_for(lambda: Station.objects.filter(pk="st-b", status_epoch=5).exists(), what="st-b's status")
    finally:
        again.stop()
    assert [d.times for d in DeadLetter.objects.exclude(pk=poison.pk)] == [1] * (DeadLetter.objects.count() - 1)


def test_a_dead_letter_is_kept_once_with_a_safe_excerpt(hq, station_keys):
    hostile = b"\x00\xff" + "\u202e\u200b".encode() + b"x" * 1000
    first = keep("sinopsis/v1/st/st-a/health", hostile, "contract.json", "Health: not JSON")
    again = keep("sinopsis/v1/st/st-a/health", hostile, "contract.json", "Health: not JSON", retained=True)
    assert again.pk == first.pk and again.times == 2 and again.retained and again.station_id == "st-a"
    assert again.excerpt.startswith("\\x00\\xff\\u202e\\u200b") and again.size == len(hostile)
    assert len(excerpt(b"\xff" * 10_000)) == 4 * 512  # bounded, whatever the payload
    unknown = keep("sinopsis/v1/st/st-x/up/correction", b"{}", "station.unknown", "not enrolled")
    assert unknown.sender == "st-x" and unknown.station is None
    assert keep("not/a/station/topic", b"", "contract.topic", "x").sender == ""


def test_which_failures_are_retried_and_which_are_dead():
    assert is_transient(OperationalError("database is locked")) and is_transient(OSError(28, "No space left"))
    assert not is_transient(IntegrityError("CHECK constraint failed")) and not is_transient(ValueError("bug"))
    assert [code_of(e) for e in (IntegrityError(), DataError(), ValueError(), ContractError("x", "contract.json"))] \
        == ["ingest.integrity", "ingest.data", "ingest.error", "contract.json"]


def test_a_batch_naming_another_station_is_a_dead_letter(start_worker, stand_in, packet):
    start_worker()
    b = stand_in("st-b")
    b.publish_batch("b-1", payload=write_batch("b-1", "st-a", [("r-1", 1, packet("st-a", "r-1", 1))]))
    assert [(r.record_id, r.code) for r in b.wait_ack("b-1").rejected] == [("r-1", "station.mismatch")]
    letter = dead("up/batch", "st-b")
    assert letter.code == "station.mismatch" and "names station st-a" in letter.reason
