"""`breakable`: a long number such as an SPT's 800/001/SPT/DISDUKCAPIL/2026 may wrap after each slash on a
phone's narrow screen instead of running off it."""

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.filter
def breakable(value: object) -> SafeString:
    """The text, escaped, with a word-break opportunity (<wbr>) after every slash."""
    return mark_safe("/<wbr>".join(conditional_escape(part) for part in str(value).split("/")))  # noqa: S308
