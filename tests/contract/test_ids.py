"""Record ids (UUIDv7): RFC layout, strictly increasing in one process, unique across threads."""

import threading
import time
import uuid

from contract.ids import receipt_number, uuid7


def test_layout_and_timestamp():
    value = uuid.UUID(uuid7())
    assert value.version == 7 and value.variant == uuid.RFC_4122
    assert abs((value.int >> 80) - time.time() * 1000) < 5000


def test_strictly_increasing():
    ids = [uuid7() for _ in range(20_000)]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)


def test_unique_across_threads():
    found: list[str] = []
    lock = threading.Lock()

    def work():
        mine = [uuid7() for _ in range(2000)]
        with lock:
            found.extend(mine)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(found)) == 8000


def test_receipt_number():
    assert receipt_number("st-pku-01", 42) == "ST-PKU-01-000042"
