"""`{% cell cells group key %}`: one live value of the dashboard as an element the page's script updates in
place (data-cell="group|key"), coloured by its level (data-level)."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()


@register.simple_tag
def cell(cells: dict[str, dict[str, str]], group: str, key: str, element: str = "span",
         css: str = "") -> SafeString:
    """The cell `key` of `cells`, rendered as <element class=css data-cell data-level>text</element>."""
    value = cells[key]
    return format_html('<{0} class="{1}" data-cell="{2}|{3}" data-level="{4}">{5}</{0}>', element, css, group, key,
                       value["level"], value["text"])
