"""Run by tests/hq/test_postgres.py in a child process on HQ's PostgreSQL (SINOPSIS_HQ_DATABASE_URL, migrated):
the fleet page's whole-fleet counts and choices (hq/fleet/overview.py: conditional counts, subqueries, the
bad-first order) equal the dashboard's rules there too, the page and its JSON answer, and the service report sums
the withdrawals kept with each Health. Prints "ok" last; any failure is a traceback and a non-zero exit.

`python -m tests.hq.pg_fleet_check`
"""

import datetime as dt


def main() -> None:
    from hq.runtime import setup

    setup()
    from django.test import Client
    from django.utils import timezone

    from hq.reports.counts import withdrawals_reported
    from hq.reports.period import Period
    from hq.users import create_user
    from tests.hq.history import store_health
    from tests.hq.test_fleet_overview import assert_the_database_agrees, seed_every_case

    seed_every_case()
    now = timezone.now()
    for later_s in (0, 200, 15 * 86400):
        assert_the_database_agrees(now + dt.timedelta(seconds=later_s))
    create_user("kabid", "kata-sandi-panjang", roles=("kabid_piak",))
    client = Client(SERVER_NAME="localhost")
    assert client.login(username="kabid", password="kata-sandi-panjang")
    data = client.get("/fleet.json?show=alerts").json()
    assert data["stations"][:2] == ["st-backlog", "st-battery"] and data["alerts"][0]["level"] == "bad", data
    assert client.get("/").status_code == 200
    noon = timezone.localtime(now).replace(hour=12, minute=0) + dt.timedelta(days=3)  # a day of its own
    for n, withdrawn in enumerate((1, 3, 0, 2)):  # after the seed's 2: rises 0, 2, 0 (fell), 2
        store_health("st-ok", noon + dt.timedelta(minutes=n), {"counts": {"withdrawn": withdrawn}})
    assert withdrawals_reported(Period(noon.date(), noon.date())) == 4
    print("ok")


if __name__ == "__main__":
    main()
