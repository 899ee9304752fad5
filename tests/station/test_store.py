"""The station store shared by threads in one process."""

import sqlite3
import threading


def test_threads_sharing_a_store_take_turns_writing(store):
    errors = []

    def count(name):
        try:
            for _ in range(200):
                with store.write():
                    store.next_counter(name)
        except sqlite3.Error as exc:  # "cannot start a transaction within a transaction" without the lock
            errors.append(exc)

    threads = [threading.Thread(target=count, args=(f"c{i}",)) for i in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert [store.conn.execute("SELECT value FROM counters WHERE name = ?", (f"c{i}",)).fetchone()[0]
            for i in range(3)] == [200, 200, 200]
