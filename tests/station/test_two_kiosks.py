"""Two kiosks on one station store (a kit's check-in display and operator console, issue 20 point 1): separate
processes checking students in at the same moments get distinct queue numbers and lose nothing, and two processes
opening a new store together both end on the migrated schema."""

import multiprocessing
from pathlib import Path

from station import audit
from station.checkin import check_in_by_application
from station.store import StationStore


def check_in_all(data_dir: str, application_ids: list[str], barrier: object, results: object) -> None:
    """One kiosk process: open the store, wait for the other, check every student in (as fast as it can)."""
    with StationStore(Path(data_dir)) as store:
        barrier.wait()
        for application_id in application_ids:
            ticket = check_in_by_application(store, application_id, None)
            results.put((application_id, ticket.queue_number, ticket.already_checked_in))


def open_store(data_dir: str, barrier: object) -> None:
    barrier.wait()
    StationStore(Path(data_dir)).close()


def run(target: object, args_per_process: list[tuple]) -> list[int]:
    """Start one spawned process per argument tuple (a barrier makes them start their work together); exit codes."""
    context = multiprocessing.get_context("spawn")  # no fork of a process that has threads (pytest, sqlite)
    barrier = context.Barrier(len(args_per_process))
    processes = [context.Process(target=target, args=(*args, barrier, *extra)) for args, extra in args_per_process]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=120)
    return [process.exitcode for process in processes]


def test_two_processes_checking_in_at_once_get_distinct_numbers_and_lose_nothing(imported, applicants):
    ids = [a["application_id"] for a in applicants]
    # each takes every other student, and both try the last four (the same student at both displays)
    shares = [ids[0:20:2] + ids[20:], ids[1:20:2] + ids[20:][::-1]]
    imported.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    results = multiprocessing.get_context("spawn").Queue()
    codes = run(check_in_all, [((str(imported.data_dir), share), (results,)) for share in shares])
    assert codes == [0, 0]
    answers = [results.get(timeout=10) for _ in range(sum(map(len, shares)))]

    rows = imported.conn.execute("SELECT a.application_id, c.queue_number FROM checkins c JOIN applicants a "
                                 "ON a.id = c.applicant_ref").fetchall()
    numbers = {application_id: number for application_id, number in rows}
    assert sorted(numbers) == sorted(ids)  # every student checked in, once
    assert sorted(numbers.values()) == list(range(1, len(ids) + 1))  # distinct numbers, none skipped
    for application_id, number, _again in answers:
        assert numbers[application_id] == number  # each display told its student the number that was kept
    assert sum(again for *_rest, again in answers) == 4  # the second display found the shared four checked in
    assert imported.conn.execute("SELECT count(*) FROM records WHERE state = 'checked_in'").fetchone()[0] == len(ids)
    assert audit.verify(imported.conn).ok  # one unbroken audit chain written by both


def test_processes_opening_a_new_store_together_all_start(tmp_path):
    data_dir = tmp_path / "fresh"
    codes = run(open_store, [((str(data_dir),), ()) for _ in range(3)])
    assert codes == [0, 0, 0]  # none lost the race for the first migration or the switch to WAL
    with StationStore(data_dir) as store:
        from station.db import migrations, schema_version

        assert schema_version(store.conn) == migrations()[-1][0]
        assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_the_kit_defaults_are_the_fast_ones_and_a_wrong_role_is_refused(tmp_path):
    import pytest

    from contract.errors import ConfigError
    from station.config import load_config, parse_config

    config = parse_config({})
    assert (config.devices.finger_mode, config.kiosk.checkin_first, config.kiosk.role) == ("slap", "qr", "all")
    path = tmp_path / "station.toml"
    path.write_text('[kiosk]\nrole = "both"\ncheckin_printer = "lp0"\n')
    with pytest.raises(ConfigError) as refused:
        load_config(path)
    message = str(refused.value)
    assert f"{path}: kiosk.role: Input should be 'all', 'checkin' or 'operator'" in message
    assert 'the default is role = "all"' in message
    assert 'kiosk.checkin_printer: must be "sim" or "none", or a /dev/... path' in message
