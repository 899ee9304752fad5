"""HQ on PostgreSQL: a throw-away cluster (Debian's postgresql, provisioning/pg_cluster.py), `sinopsis hq migrate`
and `enrol-station` with SINOPSIS_HQ_DATABASE_URL, and two `sinopsis hq ingest` processes on the shared
subscription storing every record exactly once; then the fleet page's and the report's queries on it
(tests/hq/pg_fleet_check.py). Skipped where PostgreSQL or psycopg is not installed."""

import os
import subprocess
import sys
from collections.abc import Iterator

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from contract.keys import save_public_key
from provisioning.pg_cluster import PgCluster, postgres_bin
from tests.hq.conftest import HQ_PASSWORD, HQ_USER
from tests.hq.standin import seal, wait_for

psycopg = pytest.importorskip("psycopg")
pytestmark = [pytest.mark.slow, pytest.mark.skipif(postgres_bin() is None, reason="PostgreSQL is not installed")]


@pytest.fixture
def postgres() -> Iterator[str]:
    """A fresh cluster on a random port with a database `sinopsis` (fsync off: nothing outlives the test); yields
    its URL."""
    with PgCluster(fsync=False) as cluster:
        yield cluster.url


def _sinopsis(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sinopsis", "hq", *args], env=env, capture_output=True,
                          text=True, timeout=60)


def test_two_ingest_workers_on_postgresql_store_each_record_once(postgres, broker, stand_in, hq_key, tmp_path):
    env = {**os.environ, "SINOPSIS_HQ_DATABASE_URL": postgres, "SINOPSIS_HQ_DATA": str(tmp_path / "hq")}
    assert _sinopsis(env, "migrate").returncode == 0
    key = Ed25519PrivateKey.generate()
    save_public_key(tmp_path / "st-a.pub.pem", key.public_key())
    assert _sinopsis(env, "enrol-station", "st-a", "--key", str(tmp_path / "st-a.pub.pem")).returncode == 0
    station = stand_in("st-a")
    url = f"mqtt://{HQ_USER}:{HQ_PASSWORD}@127.0.0.1:{broker.port}"
    workers = [subprocess.Popen([sys.executable, "-m", "sinopsis", "hq", "ingest", "--worker", name, "--broker",
                                 url], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
               for name in ("w1", "w2")]
    try:
        wait_for(lambda: station.ingest_states.count(True) >= 2, 20, "both workers online")
        batches = {f"b-{n}": [(f"r-{n}-{i}", 2 * n + i + 1, seal(key, hq_key, "st-a", f"r-{n}-{i}", 2 * n + i + 1))
                              for i in range(2)] for n in range(20)}
        for batch_id, packets in batches.items():
            station.publish_batch(batch_id, packets)
        acks = [station.wait_ack(batch_id, 20) for batch_id in batches]
    finally:
        for worker in workers:
            worker.terminate()
        errors = [worker.communicate(timeout=20)[1].decode() for worker in workers]
    assert all(worker.returncode == 0 for worker in workers), errors
    assert sorted(r for ack in acks for r in ack.accepted) == sorted(r for p in batches.values() for r, _, _ in p)
    assert not any(ack.duplicate or ack.rejected for ack in acks)
    with psycopg.connect(postgres) as db:
        assert db.execute("SELECT count(*), count(DISTINCT record_id) FROM ingest_record").fetchone() == (40, 40)
        workers_used = {w for (w,) in db.execute("SELECT DISTINCT worker FROM ingest_batch")}
    assert workers_used == {"w1", "w2"}
    assert len(list((tmp_path / "hq" / "records" / "st-a").iterdir())) == 40
    # the fleet page's whole-fleet counts, its order and the report's withdrawals in PostgreSQL's SQL too
    check = subprocess.run([sys.executable, "-m", "tests.hq.pg_fleet_check"], env=env, capture_output=True,
                           text=True, timeout=120)
    assert check.returncode == 0 and check.stdout.strip().endswith("ok"), check.stderr[-3000:]
