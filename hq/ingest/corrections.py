"""Correction requests from stations (`…/up/correction`): stored once per (station, record) together with the
office's correction they open (SOP step 9, hq/ingest/office_corrections.py) in one transaction, and acknowledged
on `…/correction/ack` only after that commit, so the station stops sending a request only once the office has it.
When opening the office's correction fails, nothing is stored and no ack is returned: the error propagates, the
ingest worker retries it, and a failure that repeats the same way ends as a dead letter (hq/ingest/dead_letters.py)
instead of a loop. A request from an unknown station stores nothing and gets no ack."""

import logging

from django.db import transaction
from django.db.models import F

from contract.wire import Correction, CorrectionAck
from hq.fleet.models import Station
from hq.ingest.models import CorrectionRequest
from hq.ingest.office_corrections import open_from_station

logger = logging.getLogger(__name__)


def receive_correction(station_id: str, correction: Correction) -> CorrectionAck | None:
    """Store the request and its office correction (idempotent, one transaction) and return the ack to send; None
    if the station is not enrolled. Any error of either store propagates with nothing stored (do not ack)."""
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
        open_from_station(row)  # None when no application here has that number: the request alone is kept
    return CorrectionAck(record_id=correction.record_id, reference=f"COR-{row.pk}")
