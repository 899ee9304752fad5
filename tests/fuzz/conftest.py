"""Fuzz-suite fixtures: the hypothesis profiles (profiles.py: "ci" by default, "soak" with HYPOTHESIS_PROFILE=soak)
and HQ's real Django on SQLite from tests/hq/conftest.py (`hq`, `hq_data`, `hq_key`, `station_keys`, `packet`),
imported the way tests/e2e/conftest.py does. The station fixtures (keys, store, make_bundle…) come from
tests/conftest.py. No test here opens a pty, so none needs the "devices" xdist group."""

from tests.fuzz import profiles
from tests.hq.conftest import hq, hq_data, hq_key, packet, station_keys

__all__ = ["hq", "hq_data", "hq_key", "packet", "profiles", "station_keys"]
