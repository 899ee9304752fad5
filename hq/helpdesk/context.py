"""The help desk's contacts on every page (SOP step 10): a template context processor (hq/settings.py)."""

from typing import Any

from django.http import HttpRequest

from hq.helpdesk.models import HelpDesk


def help_desk(_request: HttpRequest) -> dict[str, Any]:
    """`help_desk`: the current call centre, WhatsApp and social media for the layout's footer."""
    return {"help_desk": HelpDesk.current()}
