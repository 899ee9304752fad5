"""Health history written straight into HQ's table, for tests that need reports older than a test run: each row
as ingest stores it (`HealthSample.following` the station's previous report), so its withdrawal rise is the one
ingest would have kept. Give a station's reports in receipt order."""

import datetime as dt


def store_health(station_id: str, received_at: dt.datetime, data: dict, epoch: int = 1) -> None:
    from hq.fleet.models import HealthSample

    previous = (HealthSample.objects.filter(station_id=station_id, received_at__lte=received_at)
                .order_by("-received_at", "-id").values_list("data", flat=True).first())
    HealthSample.following(previous, station_id=station_id, received_at=received_at, epoch=epoch, data=data).save()
