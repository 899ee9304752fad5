"""What an approved list freezes: its applicants' data exactly as it would go to a station, and its SHA-256.

The Kabid's approval stores `approved_sha256` of the canonical JSON (the bytes an assignment signature covers,
contract/assignment.py `canonical_bytes`) of these data. If an applicant's data change afterwards (a correction
resolved, say), the hash no longer matches: the list is "changed after approval" and no SPT or assignment goes
out until the Kabid approves the new data.
"""

import hashlib
from typing import Any

from contract.assignment import canonical_bytes
from hq.applications.models import Application
from hq.lists.models import ApplicationList


def applicant_data(application: Application) -> dict[str, Any]:
    """One applicant as the station's roster gets them (contract/assignment.py RosterApplicant)."""
    return {"application_id": application.number, "nik": application.nik, "name": application.name,
            "birth_place": application.birth_place, "birth_date": application.birth_date.isoformat(),
            "sex": application.sex, "kk_number": application.kk_number, "phone": application.phone or None}


def list_data(application_list: ApplicationList) -> list[dict[str, Any]]:
    """The list's applicants as the station gets them, in application-number order."""
    return [applicant_data(a) for a in application_list.applications.order_by("number")]


def content_sha256(application_list: ApplicationList) -> str:
    """SHA-256 (hex) of the canonical JSON of `list_data`."""
    return hashlib.sha256(canonical_bytes({"applicants": list_data(application_list)})).hexdigest()


def changed_after_approval(application_list: ApplicationList) -> bool:
    """True when the list is approved but its applicants' data are no longer the data the Kabid approved."""
    return (application_list.state == ApplicationList.State.APPROVED
            and content_sha256(application_list) != application_list.approved_sha256)
