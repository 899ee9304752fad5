"""Sending the station's correction requests to HQ (`…/up/correction`) until HQ acknowledges each one on
`…/correction/ack`; only then is the request marked reported on the station (station/corrections.py, audited).

A request without an ack within RESEND_S is sent again (HQ stores it once per record). Only while HQ's ingest is
online, like the records.
"""

import logging

import paho.mqtt.client as mqtt

from contract import wire
from contract.errors import SinopsisError
from station.corrections import mark_reported, pending_corrections
from station.store import StationStore

logger = logging.getLogger(__name__)

RESEND_S = 60.0


class CorrectionSender:
    """Publishes pending correction requests and settles them on HQ's acks."""

    def __init__(self, store: StationStore, station_id: str) -> None:
        self.store, self.station_id = store, station_id
        self.sent_at: dict[str, float] = {}  # record id → when it was last published (monotonic)

    def step(self, client: mqtt.Client, now: float) -> int:
        """Publish every pending request not sent in the last RESEND_S; returns how many went out."""
        sent = 0
        for pending in pending_corrections(self.store):
            if now - self.sent_at.get(pending.record_id, -RESEND_S) < RESEND_S:
                continue
            message = wire.Correction(
                record_id=pending.record_id, application_id=pending.application_id,
                assignment_id=pending.assignment_id, reason_code=pending.reason_code, note=pending.note,
                phone=pending.phone, requested_at=pending.requested_at, requested_by=pending.requested_by)
            client.publish(wire.station_topic(self.station_id, "up/correction"), wire.dump(message), qos=1)
            self.sent_at[pending.record_id] = now
            sent += 1
        return sent

    def on_ack(self, payload: bytes) -> bool:
        """HQ stored a request: mark it reported. False (logged) for a malformed or unexpected ack."""
        try:
            ack = wire.parse(wire.CorrectionAck, payload)
            mark_reported(self.store, ack.record_id, reference=ack.reference)
        except SinopsisError as e:  # ContractError, or no such pending request (an ack seen twice)
            logger.warning("correction ack ignored (%s): %s", e.code, e)
            return False
        self.sent_at.pop(ack.record_id, None)
        logger.info("HQ has the correction request of record %s (%s)", ack.record_id, ack.reference)
        return True

    def connection_lost(self) -> None:
        """Send everything again on the next connection."""
        self.sent_at.clear()
