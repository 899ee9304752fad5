"""Application numbers: PMH-<year>-<6 digits>, sequential within the year (HQ's local year, Asia/Jakarta).

The number is also the application_id of the station's roster and the application QR, so it must match the
station's rule (`contract.application_qr.APPLICATION_ID`: 4-40 letters, digits or '-').

This is HQ's one scheme (issue 21 point 8); the demo's roster uses it too (sinopsis/demo_data.py). Numbers of the
older APL-<year>-<5 digits> form (earlier demo data) are not renamed: they are printed on slips and carried in
sealed records, so they stay valid as they are, and the office's searches find them like the others.
"""

import datetime as dt

from django.utils import timezone

from contract.application_qr import APPLICATION_ID
from hq.applications.models import Application

PREFIX = "PMH"  # permohonan
SERIAL_DIGITS = 6


def next_number(now: dt.datetime | None = None) -> str:
    """The next free number of the year of `now` (default: HQ's now). Two requests at once may get the same
    number: the unique constraint refuses the second insert and the caller asks again (submit.py)."""
    year = timezone.localtime(now or timezone.now()).year
    prefix = f"{PREFIX}-{year}-"
    last = (Application.objects.filter(number__startswith=prefix).order_by("-number")
            .values_list("number", flat=True).first())
    serial = int(last[len(prefix):]) + 1 if last else 1
    number = f"{prefix}{serial:0{SERIAL_DIGITS}d}"
    if serial >= 10**SERIAL_DIGITS or not APPLICATION_ID.match(number):
        raise ValueError(f"application numbers of {year} are used up ({number})")
    return number
