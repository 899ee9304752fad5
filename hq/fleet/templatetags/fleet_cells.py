"""`{% cell cells group key %}`: one live value of the dashboard as an element the page's script updates in
place (data-cell="group|key"), coloured by its level (data-level); written by hq/fleet/fleet_rows.py's `cell`."""

from django import template
from django.utils.safestring import SafeString, mark_safe

from hq.fleet import fleet_rows

register = template.Library()


@register.simple_tag
def cell(cells: dict[str, dict[str, str]], group: str, key: str, element: str = "span",
         css: str = "") -> SafeString:
    """The cell `key` of `cells`, rendered as <element class=css data-cell data-level>text</element>."""
    return mark_safe(fleet_rows.cell(cells, group, key, element, css))  # noqa: S308 - fleet_rows escapes each value
