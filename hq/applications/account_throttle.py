"""Login throttling (issue 19 point 6): django-axes counts failed logins per user name and per address; after
`AXES_FAILURE_LIMIT` failures either one is locked for `AXES_COOLOFF_TIME` (a right password before then resets
the count). A locked login gets the lockout page (429) in the page's language, every lockout and every unlock is
an audit line on the `hq.security` logger (in `sinopsis hq serve`'s log), and the office's admin lists the
lockouts and unlocks a user name or an address early (`account_locks.py`).

Only web logins are throttled: axes needs the request to know the address, so an `authenticate()` without one
(the test client's `login`, a management command) passes this backend untouched — none of those is reachable
from the network.
"""

import logging
from dataclasses import dataclass
from typing import Any

from axes.backends import AxesStandaloneBackend
from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from axes.utils import reset
from django.conf import settings
from django.db.models import Max, Sum
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

audit = logging.getLogger("hq.security")


class WebLoginThrottle(AxesStandaloneBackend):
    """axes' check before the password is looked at; a login without a request (not from the web) is let by."""

    def authenticate(self, request: HttpRequest | None, username: str | None = None, password: str | None = None,
                     **kwargs: Any) -> None:
        if request is None:
            return None
        return super().authenticate(request, username, password, **kwargs)


def lockout_response(request: HttpRequest, original_response: HttpResponse | None = None,
                     credentials: dict[str, Any] | None = None) -> HttpResponse:
    """The page a locked-out login gets: what happened, how long it lasts, and what to do (429)."""
    cool_off = get_cool_off(request)
    minutes = int(cool_off.total_seconds() // 60) if cool_off else 0
    return render(request, "applications/lockout.html",
                  {"minutes": minutes, "failure_limit": settings.AXES_FAILURE_LIMIT},
                  status=settings.AXES_HTTP_RESPONSE_CODE)


@receiver(user_locked_out, dispatch_uid="hq.applications.account_throttle.audit_lockout")
def audit_lockout(sender: Any, request: HttpRequest, username: str | None = None, ip_address: str | None = None,
                  **kwargs: Any) -> None:
    """One audit line for each login refused by a lock (the first one is the lock itself)."""
    failures = getattr(request, "axes_failures_since_start", None)
    audit.warning("login locked: user name %r from address %s after %s failed logins (limit %d, locked %s)",
                  username or "", ip_address or "?", failures, settings.AXES_FAILURE_LIMIT, settings.AXES_COOLOFF_TIME)


@dataclass(frozen=True)
class Lockout:
    """A user name or an address that is locked now."""

    kind: str  # "username" or "ip_address"
    value: str
    failures: int
    last: Any  # the latest failure (datetime)


def lockouts() -> list[Lockout]:
    """Every user name and address with at least the failure limit of failures within the cool-off time."""
    since = timezone.now() - (get_cool_off() or timezone.timedelta(days=36500))
    recent = AccessAttempt.objects.filter(attempt_time__gte=since)
    found = []
    for kind in ("username", "ip_address"):
        rows = (recent.exclude(**{f"{kind}__isnull": True}).values(kind)
                .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
                .filter(failures__gte=settings.AXES_FAILURE_LIMIT).order_by("-last"))
        found += [Lockout(kind, str(row[kind]), row["failures"], row["last"]) for row in rows]
    return found


def unlock(by: Any, kind: str, value: str) -> int:
    """Forget the failed logins of a user name or an address (`kind`), written as an audit line naming the
    person who unlocked; returns how many attempt rows went (0: it was not locked)."""
    if kind not in ("username", "ip_address"):
        raise ValueError(f"unlock: kind {kind!r} is not 'username' or 'ip_address'")
    count = reset(username=value) if kind == "username" else reset(ip=value)
    audit.warning("login unlocked: %s %r by %s (%d attempt rows removed)", kind.replace("_", " "), value,
                  by.get_username(), count)
    return count


def client_address(request: HttpRequest) -> str | None:
    """The address the login throttle counts (AXES_CLIENT_IP_CALLABLE): in production, behind the TLS proxy, the
    right-most X-Forwarded-For entry — the one the proxy itself wrote (docs/kiosk-image.md); anything a client put
    to its left is ignored. Without the header (the local demo, tests), the socket's own address."""
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "") if settings.PRODUCTION else ""
    entries = [part.strip() for part in forwarded.split(",") if part.strip()]
    return entries[-1][:64] if entries else request.META.get("REMOTE_ADDR")
