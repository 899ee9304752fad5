"""SOP step 7: the Kabid PIAK assigns stations to an SPT. For each station HQ builds the assignment exactly as
contract/assignment.py defines it (school, SPT, recording date, team with PIN hashes, the approved applicants),
checks it with the station's own `verify_bundle` against HQ's public key (a list the station would refuse is
never sent: the station's reasons are shown instead), signs it with HQ's assignment key, stores it as a
StationAssignment and publishes it as the station's retained `desired` (QoS 1) through a short connection.

The version is one more than anything the station has had from HQ or reported applying, so the station's
roster never takes it for an old one. A broker that cannot be reached leaves the assignment stored with
`publish_error`; `publish` sends it again (the same signed bundle).

Reassignment guard (issue 21, point 2; hq/fleet/reassign.py): a station whose last health report shows records
not yet at HQ or a session open is not reassigned unless the person confirmed exactly those figures
(`confirmed`: station id → the guard's token); otherwise UnconfirmedReassignmentError carries the warning to
show. A confirmed one is kept as a fleet Reassignment row and in the list's ASSIGNED event.
"""

import datetime as dt
import hashlib
import json
import logging
import secrets
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from contract.assignment import AssignmentContent, bundle_to_bytes, canonical_bytes, sign_assignment, verify_bundle
from contract.errors import AssignmentError
from contract.wire import Desired, dump, station_topic
from hq.errors import HqError
from hq.fleet import reassign
from hq.fleet.models import Reassignment, Station
from hq.keys import assignment_key
from hq.lists.content import changed_after_approval, list_data
from hq.lists.errors import ListError
from hq.lists.models import ApplicationList, ListEvent, Spt, StationAssignment
from hq.lists.numbering import ATTEMPTS

logger = logging.getLogger(__name__)
PUBLISH_TIMEOUT_S = 10.0


def _reported_versions(station: Station) -> list[int]:
    """Every assignment version the station has mentioned (applied, refused, in its health)."""
    found = [station.assignment_version or 0]
    for data, keys in ((station.reported, ("assignment_version", "refused_version")),
                       (station.last_health, ("assignment_version",))):
        for key in keys:
            value = (data or {}).get(key)
            if isinstance(value, int):
                found.append(value)
    return found


def next_version(station: Station) -> int:
    """One more than the highest version HQ assigned this station or the station reported."""
    assigned = StationAssignment.objects.filter(station=station).aggregate(v=Max("version"))["v"] or 0
    return max(assigned, *_reported_versions(station)) + 1


def build_content(spt: Spt, station: Station, version: int, issued_at: dt.datetime) -> dict[str, Any]:
    """The assignment content for one station (contract/assignment.py AssignmentContent), as plain JSON types."""
    school = spt.application_list.school
    content: dict[str, Any] = {
        "assignment_id": f"ASG-{spt.year}-{spt.serial:03d}-{station.id}-v{version}"[:64],
        "version": version,
        "station_id": station.id,
        "issued_at": issued_at.astimezone(dt.UTC).isoformat(timespec="seconds"),
        "school": {"npsn": school.npsn, "name": school.name},
        "spt": {"number": spt.number, "date": timezone.localtime(spt.issued_at).date().isoformat()},
        "recording_date": spt.recording_date.isoformat(),
        "team": [{"operator_id": m.operator_id, "name": m.name, "role": m.role, "pin_hash": m.pin_hash}
                 for m in spt.members.order_by("role", "name")],
        "applicants": list_data(spt.application_list),
    }
    if "help_desk" in AssignmentContent.model_fields:  # stations that show the office's help-desk contacts
        from hq.helpdesk.contacts import for_station

        content["help_desk"] = for_station()
    return content


def ready_to_assign(spt: Spt) -> None:
    """ListError unless the SPT's list is approved and unchanged since (else it waits for the Kabid)."""
    application_list = spt.application_list
    if application_list.state != ApplicationList.State.APPROVED:
        raise ListError(_("List %(number)s is not approved (it is: %(state)s); nothing was sent.") % {
            "number": application_list.number, "state": application_list.get_state_display()}, "lists.not_approved")
    if changed_after_approval(application_list):
        raise ListError(_("List %(number)s changed after approval: the Kabid must approve it again before it goes "
                          "to a station. Nothing was sent.") % {"number": application_list.number}, "lists.changed")


def signed_bundle(content: dict[str, Any], station_id: str) -> str:
    """Sign `content` and check it as the station will; the bundle's text. ListError with the station's reasons
    when the station would refuse it."""
    key = assignment_key()
    text = bundle_to_bytes(sign_assignment(content, key))
    try:
        verify_bundle(text, key.public_key(), station_id=station_id, source=f"station {station_id}")
    except AssignmentError as e:
        raise ListError(_("Station %(station)s would refuse this assignment, so it was not sent. Its reasons:\n"
                          "%(reasons)s") % {"station": station_id, "reasons": str(e)}, "lists.station_refuses") from e
    return text.decode("utf-8")


class UnconfirmedReassignmentError(ListError):
    """The station still holds records or a session of its current assignment: `guard.text()` says what, and
    the person must confirm `guard.token` to reassign it anyway. Nothing was changed."""

    def __init__(self, guard: reassign.Guard) -> None:
        super().__init__(guard.text(), "lists.reassign_unconfirmed")
        self.guard = guard


def assign(spt: Spt, station: Station, by: Any, confirmed: dict[str, str] | None = None) -> StationAssignment:
    """Make, check, sign and store the assignment of `spt` for `station` (not yet published).
    PermissionDenied without `lists.assign_station`; ListError when the list is not ready or the station would
    refuse the content; UnconfirmedReassignmentError when the guard holds and `confirmed` lacks its current
    token."""
    if not by.has_perm("lists.assign_station"):
        raise PermissionDenied
    for _attempt in range(ATTEMPTS):
        with transaction.atomic():
            spt = Spt.objects.select_related("application_list__school").get(pk=spt.pk)
            ApplicationList.objects.select_for_update().get(pk=spt.application_list_id)
            ready_to_assign(spt)
            station = Station.objects.select_for_update().get(pk=station.pk)
            guard = reassign.guard(station)
            if guard is not None and (confirmed or {}).get(station.id) != guard.token:
                raise UnconfirmedReassignmentError(guard)
            version, now = next_version(station), timezone.now()
            content = build_content(spt, station, version, now)
            bundle = signed_bundle(content, station.id)
            try:
                with transaction.atomic():
                    made = StationAssignment.objects.create(
                        spt=spt, station=station, version=version, assignment_id=content["assignment_id"],
                        bundle=bundle, content_sha256=hashlib.sha256(canonical_bytes(content)).hexdigest(),
                        assigned_at=now, assigned_by=by)
            except IntegrityError:
                continue  # another person assigned this station the same version at the same moment: count again
            station.school, station.spt_number = spt.application_list.school.name[:200], spt.number
            station.save(update_fields=["school", "spt_number"])
            reason = _("station %(station)s, version %(version)d") % {"station": station.id, "version": version}
            if guard is not None:
                forced = reassign.record(guard, station, version, made.assignment_id, station.school,
                                         spt.number, by.get_username())
                reason += " — " + _("reassigned after confirming: %(warning)s") % {"warning": forced.warning}
            ListEvent.objects.create(application_list=spt.application_list, action=ListEvent.Action.ASSIGNED,
                                     by=by, at=now, reason=reason)
            return made
    raise ListError(_("Another person was assigning station %(station)s at the same moment; nothing was saved. "
                      "Please try again.") % {"station": station.id}, "lists.assign_race")


def publish(assignment: StationAssignment, by: Any = None, timeout_s: float = PUBLISH_TIMEOUT_S) -> None:
    """Publish the stored bundle as the station's retained `desired` (QoS 1) and record the outcome:
    `published_at` (and ListEvent `published`) once the broker confirmed it, else `publish_error` saying what
    failed and what to do (the page offers 'send again'). Never raises for a broker problem."""
    from django.conf import settings

    from hq.mqtt import broker_from_url, connect_briefly, wait_published

    payload = dump(Desired(version=assignment.version, bundle=assignment.bundle))
    topic = station_topic(assignment.station_id, "desired")
    error = ""
    try:
        client = connect_briefly(broker_from_url(settings.HQ_MQTT_URL), f"hq-web-{secrets.token_hex(4)}", timeout_s)
    except HqError as e:
        error = _("The message broker could not be reached (%(detail)s). The assignment is kept; send it again when "
                  "the broker is back.") % {"detail": str(e)}
    else:
        try:
            info = client.publish(topic, payload, qos=1, retain=True)
            if not wait_published(info, timeout_s):
                error = _("The message broker did not confirm the assignment within %(s)d s. The assignment is "
                          "kept; send it again.") % {"s": int(timeout_s)}
        finally:
            client.disconnect()
            client.loop_stop()
    now = timezone.now()
    if error:
        logger.warning("assignment %s to %s not published: %s", assignment.assignment_id, assignment.station_id,
                       error)
        StationAssignment.objects.filter(pk=assignment.pk).update(publish_error=error)
        assignment.publish_error = error
        return
    StationAssignment.objects.filter(pk=assignment.pk).update(published_at=now, publish_error="")
    assignment.published_at, assignment.publish_error = now, ""
    ListEvent.objects.create(application_list=assignment.spt.application_list, action=ListEvent.Action.PUBLISHED,
                             by=by, at=now, reason=_("station %(station)s, version %(version)d") % {
                                 "station": assignment.station_id, "version": assignment.version})
    logger.info("assignment %s (v%d) published to %s", assignment.assignment_id, assignment.version, topic)


def tell_station(assignment: StationAssignment, by: Any = None) -> Reassignment | None:
    """After a forced reassignment was published: ask the station (command `sync_now`) to send now what it still
    holds. The Reassignment (None if this was no forced one); its `sync_job` stays "" when the broker did not
    take the command (logged; the desired itself went)."""
    from hq.fleet.commands import send_command_now

    forced = Reassignment.objects.filter(station_id=assignment.station_id, version=assignment.version).first()
    if forced is None or assignment.published_at is None:
        return forced
    try:
        job = send_command_now(assignment.station_id, "sync_now", created_by=by.get_username() if by else "")
    except HqError as e:
        logger.warning("reassignment of %s: sync_now not sent: %s", assignment.station_id, e)
        return forced
    forced.sync_job = job.id
    forced.save(update_fields=["sync_job"])
    return forced


def latest_per_station(spt: Spt) -> list[StationAssignment]:
    """The newest assignment of this SPT on each station, by station id."""
    newest: dict[str, StationAssignment] = {}
    for a in spt.assignments.select_related("station").order_by("station_id", "-version"):
        newest.setdefault(a.station_id, a)
    return [newest[k] for k in sorted(newest)]


def bundle_content(assignment: StationAssignment) -> dict[str, Any]:
    """The content of a stored bundle (for pages and tests)."""
    return json.loads(assignment.bundle)["content"]
