"""A correction request flagged at a recording station (`hq/ingest/corrections.py` stores it) opens the office's
Correction (SOP step 9) for the application it names, once per request, so the admin answers it in the same
place as those from verification. When the office resolves it, `hq.applications.signals.correction_resolved`
marks the station's request handled here (ingest depends on applications, never the other way)."""

import datetime as dt
import logging
from typing import Any

from django.db import IntegrityError, transaction
from django.dispatch import receiver

from hq.applications.models import Application, Correction
from hq.applications.signals import correction_resolved
from hq.ingest.models import CorrectionRequest

logger = logging.getLogger(__name__)

# the station's reason code → the application fields it is about
FIELDS_OF_REASON = {"kk_mismatch": ["kk_number"], "name_mismatch": ["name"], "birth_date_mismatch": ["birth_date"],
                    "other": []}


def open_from_station(request_row: CorrectionRequest) -> Correction | None:
    """The office Correction of an ingest CorrectionRequest `request_row` (made the first time, found after);
    None when no application has the request's application_id as its number."""
    existing = Correction.objects.filter(station_request=request_row).first()
    if existing is not None:
        return existing
    application = Application.objects.filter(number=request_row.application_id).first()
    if application is None:
        logger.info("station correction %s names no application here (%s)", request_row.pk,
                    request_row.application_id)
        return None
    try:
        with transaction.atomic():
            return Correction.objects.create(
                application=application, source=Correction.Source.STATION, station_request=request_row,
                fields=FIELDS_OF_REASON.get(request_row.reason_code, []), opened_at=request_row.received_at)
    except IntegrityError:  # another ingest worker opened it at the same moment, or the database refused it
        opened = Correction.objects.filter(station_request=request_row).first()
        if opened is None:
            raise
        return opened


@receiver(correction_resolved, dispatch_uid="ingest.station_request_handled")
def mark_station_request_handled(sender: Any, correction: Correction, at: dt.datetime, by: str, **_kw: Any) -> None:
    """The office resolved a Correction opened from a station's request: that request is handled (once)."""
    if correction.station_request_id is not None:
        CorrectionRequest.objects.filter(pk=correction.station_request_id, handled_at=None).update(
            handled_at=at, handled_by=by)
