"""Search and pagination for the office's list pages (issue 21 point 8: lists that grow).

Every list page takes `?q=` (one text, matched case-insensitively as a part of any of the page's search fields:
NIK, name, application number, school — whichever the page lists) and `?page=` (Django's Paginator; a page
number out of range shows the last page, not an error). Old application numbers (APL-…) are found like the
current ones (PMH-…): the search matches any part of the number. The templates include office/_search.html and
office/_pages.html, which keep the other parameters of the address (a filter, the search) from page to page.
"""

from collections.abc import Sequence
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest

PAGE_SIZE = 25
MAX_QUERY = 100  # characters of ?q= used; a longer text is cut (nobody types more to find one person)


def query(request: HttpRequest) -> str:
    """The search text of the request (`?q=`), trimmed and bounded."""
    return " ".join(request.GET.get("q", "").split())[:MAX_QUERY]


def matching(rows: QuerySet, text: str, fields: Sequence[str]) -> QuerySet:
    """The rows whose `fields` contain `text` (any of them, case-insensitive); all rows for an empty text."""
    if not text:
        return rows
    condition = Q()
    for field in fields:
        condition |= Q(**{f"{field}__icontains": text})
    return rows.filter(condition).distinct()


def matching_items(items: Sequence[Any], text: str, *values: Any) -> list[Any]:
    """The same for rows already in memory: `values` are functions giving each item's searchable texts."""
    if not text:
        return list(items)
    needle = text.casefold()
    return [item for item in items if any(needle in str(value(item) or "").casefold() for value in values)]


def page_of(request: HttpRequest, rows: QuerySet | Sequence[Any], size: int = PAGE_SIZE,
            name: str = "page") -> Page:
    """The page of `rows` the request asks for (`?page=`, or `name` when a page has two lists)."""
    return Paginator(rows, size).get_page(request.GET.get(name))
