"""Correction requests from stations (`…/up/correction`): stored once per (station, record), then acknowledged
on `…/correction/ack` so the station stops sending it. A request from an unknown station, or one that breaks
the contract, is logged and dropped (the station sends it again; nothing is stored)."""

import logging

from django.db import transaction
from django.db.models import F

from contract.wire import Correction, CorrectionAck
from hq.fleet.models import Station
from hq.ingest.models import CorrectionRequest
from hq.ingest.office_corrections import open_from_station

logger = logging.getLogger(__name__)


def receive_correction(station_id: str, correction: Correction) -> CorrectionAck | None:
    """Store the request (idempotent) and return the ack to send; None if the station is not enrolled."""
    with transaction.atomic():
        station = Station.objects.select_for_update().filter(id=station_id).first()
        if station is None:
            logger.warning("correction from unknown station %s refused", station_id)
            return None
        row, created = CorrectionRequest.objects.get_or_create(
            station=station, record_id=correction.record_id,
            defaults={"application_id": correction.application_id, "assignment_id": correction.assignment_id,
                      "reason_code": correction.reason_code, "note": correction.note or "",
                      "phone": correction.phone, "requested_at": correction.requested_at,
                      "requested_by": correction.requested_by})
        if not created:
            CorrectionRequest.objects.filter(pk=row.pk).update(times_received=F("times_received") + 1)
    try:  # the office's correction (SOP step 9) for the application; never in the way of the ack
        open_from_station(row)
    except Exception:  # logged; the request is stored and the station still gets its ack
        logger.exception("office correction for station %s record %s not opened", station_id, row.record_id)
    return CorrectionAck(record_id=correction.record_id, reference=f"COR-{row.pk}")
