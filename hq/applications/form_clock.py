"""When the application form was shown (SOP step 1 starts there): carried in the form as a signed hidden field,
so the time is HQ's and cannot be set by the browser.

A token that was altered, or made for another login, is refused (the form is shown again with the data kept and a
new token). A form left open longer than `CAP` counts as opened `CAP` before it was sent, so a tab forgotten
overnight does not turn into a day-long step in the service report.
"""

import datetime as dt

from django.core import signing
from django.utils import timezone

SALT = "hq.applications.form_opened_at"
CAP = dt.timedelta(hours=1)


class TamperedTokenError(ValueError):
    """The hidden field is missing, altered, or was made for someone else."""


def issue(user_id: int, now: dt.datetime | None = None) -> str:
    """The token for a form shown now to `user_id`."""
    return signing.dumps({"u": user_id, "t": (now or timezone.now()).timestamp()}, salt=SALT, compress=False)


def opened_at(token: str, user_id: int, now: dt.datetime | None = None) -> dt.datetime:
    """When the form carrying `token` was shown (at most CAP before `now`); TamperedTokenError if it cannot be
    trusted."""
    now = now or timezone.now()
    try:
        payload = signing.loads(token or "", salt=SALT)
    except signing.BadSignature:
        raise TamperedTokenError("the form's opening time was altered or is missing") from None
    if not isinstance(payload, dict) or payload.get("u") != user_id or not isinstance(payload.get("t"), float):
        raise TamperedTokenError("the form's opening time belongs to another form")
    shown = dt.datetime.fromtimestamp(payload["t"], tz=dt.UTC)
    return min(max(shown, now - CAP), now)
