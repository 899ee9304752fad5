"""`sinopsis bench`'s link rows (sinopsis/bench_link.py) with tiny counts: the real agent, broker and ingest in a
child process; the output has the bench's row shape with positive, finite numbers (never a time limit)."""

import math

from sinopsis.bench_link import run_link_bench
from sinopsis.cli.bench_cmd import format_rows


def _positive(value: object) -> bool:
    return isinstance(value, float) and math.isfinite(value) and value > 0


def test_link_bench_rows_have_the_bench_shape_and_real_numbers():
    rows = run_link_bench(records=2, ingest_records=20)
    link, bare, ingest = rows
    assert [r["kernel"] for r in rows] == ["outbox→HQ ack", "bare paho pub", "HQ ingest"]
    for r in rows:
        assert {"kernel", "frame", "c_ms", "opencv_idiomatic_ms", "speedup_vs_idiomatic", "note"} <= set(r)
        assert _positive(r["c_ms"]) and _positive(r["records_per_s"]) and r["note"]
    assert link["frame"].startswith("2 × ") and ingest["frame"].startswith("20 × ")
    assert _positive(link["opencv_idiomatic_ms"]) and link["opencv_idiomatic_ms"] == bare["c_ms"]
    assert _positive(link["ratio_to_baseline"]) and _positive(link["baseline_records_per_s"])
    assert 500_000 <= link["mean_packet_bytes"] <= 2_000_000, "realistic packet sizes"
    # where the link's time goes: each side's CPU over the timed span, per record (clock ticks: may read 0)
    cpu = link["cpu_ms_per_record"]
    assert set(cpu) == {"agent", "broker", "hq"} and all(math.isfinite(v) and v >= 0 for v in cpu.values())
    assert f"agent {cpu['agent']:.1f}, broker {cpu['broker']:.1f}, HQ {cpu['hq']:.1f} ms" in link["note"]
    table = format_rows(rows).splitlines()  # `sinopsis bench` prints them in its table
    assert [line.split()[0] for line in table[1:4]] == ["outbox→HQ", "bare", "HQ"]


def test_cpu_seconds_reads_a_process_and_zero_once_it_is_gone():
    import os

    from sinopsis.proc_usage import cpu_seconds

    assert cpu_seconds(os.getpid()) > 0  # this test's process has run Python for a while
    assert cpu_seconds(2**22 + 7) == 0.0  # above the kernel's largest pid_max: never a process
