"""The particulars of an office login printed on official letters (hq/lists/models.py Officer): NIP,
pangkat/golongan, jabatan — set by the technician with `sinopsis hq officer`, copied onto each SPT when issued
(hq/lists/spt.py), so a later promotion does not rewrite a letter already signed."""

import re
from typing import Any

from django.contrib.auth import get_user_model

from hq.errors import HqError
from hq.lists.models import Officer

NIP = re.compile(r"^\d{18}\Z")  # Nomor Induk Pegawai: birth date (8), appointment (6), sex (1), serial (3)


def normalise_nip(text: str) -> str:
    """The NIP without the spaces it is often printed with; HqError unless it is then 18 digits."""
    nip = re.sub(r"[\s.]", "", text or "")
    if nip and not NIP.match(nip):
        raise HqError(f"NIP {text!r}: a NIP is 18 digits (birth date, appointment month, sex, serial, e.g. "
                      f"198503122010012004); type it again as printed on the person's SK", "hq.nip")
    return nip


def set_officer(username: str, nip: str | None = None, rank: str | None = None,
                position: str | None = None) -> Officer:
    """Set (only) the given particulars of login `username`; HqError for an unknown login or a malformed NIP."""
    user: Any = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise HqError(f"{username!r} has no login; make it first with `sinopsis hq createuser`", "hq.no_user")
    officer, _ = Officer.objects.get_or_create(user=user)
    if nip is not None:
        officer.nip = normalise_nip(nip)
    for field, value, limit in (("rank", rank, 60), ("position", position, 120)):
        if value is not None:
            if len(value.strip()) > limit:
                raise HqError(f"{field} {value!r} is longer than {limit} characters; shorten it", "hq.officer")
            setattr(officer, field, value.strip())
    officer.save()
    return officer
