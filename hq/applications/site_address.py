"""HQ's address for links made outside a page's template (the applicant's mails and WhatsApp text, issue 21 point
6): SINOPSIS_HQ_PUBLIC_URL when set (production), else the address the current request reached HQ at (the demo
on 127.0.0.1:<port>), else HQ's first allowed host (a change made outside any request, e.g. by the ingest
worker). The middleware keeps the request's address in a context variable for the request's duration only."""

from collections.abc import Callable
from contextvars import ContextVar

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse

_request_base: ContextVar[str] = ContextVar("hq_request_base", default="")


class SiteAddressMiddleware:
    """Remember scheme://host[:port] of the request being answered (a host ALLOWED_HOSTS refuses is not kept)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            base = f"{request.scheme}://{request.get_host()}"
        except DisallowedHost:
            base = ""
        token = _request_base.set(base)
        try:
            return self.get_response(request)
        finally:
            _request_base.reset(token)


def site_base() -> str:
    """The base of HQ's public links, without a trailing slash."""
    return (getattr(settings, "HQ_PUBLIC_URL", "") or _request_base.get()
            or f"http://{settings.ALLOWED_HOSTS[0]}").rstrip("/")
