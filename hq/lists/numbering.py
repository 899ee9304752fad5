"""The numbers the office writes on paper: a list's `DP-<year>-<4 digits>` and an SPT's
`800/<serial:03d>/SPT/DISDUKCAPIL/<year>`, both counting from 1 again every year (HQ's time zone).

Two people creating at the same moment may compute the same next number; the unique constraints refuse the
second insert, and `with_fresh_number` computes the number again and retries (a few times, then gives up with a
clear message rather than loop).
"""

import re
from collections.abc import Callable
from typing import TypeVar

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hq.lists.errors import ListError
from hq.lists.models import ApplicationList, Spt

T = TypeVar("T")
ATTEMPTS = 5
LIST_NUMBER = re.compile(r"^DP-(\d{4})-(\d{4,})$")


def this_year() -> int:
    """The year in HQ's time zone (Asia/Jakarta): an SPT issued at 06:00 on 1 January is the new year's."""
    return timezone.localdate().year


def next_list_number(year: int) -> str:
    """The next free list number of `year` (one more than the highest so far)."""
    highest = 0
    for number in ApplicationList.objects.filter(number__startswith=f"DP-{year}-").values_list("number", flat=True):
        match = LIST_NUMBER.match(number)
        if match:
            highest = max(highest, int(match.group(2)))
    return f"DP-{year}-{highest + 1:04d}"


def next_spt_serial(year: int) -> int:
    """The next free SPT serial of `year`."""
    last = Spt.objects.filter(year=year).order_by("-serial").values_list("serial", flat=True).first()
    return (last or 0) + 1


def spt_number(serial: int, year: int) -> str:
    """The SPT's number as printed on the letter."""
    return f"800/{serial:03d}/SPT/DISDUKCAPIL/{year}"


def with_fresh_number(create: Callable[[], T]) -> T:
    """Run `create` (which computes its number and inserts) in a savepoint, again when the insert loses a race
    for the number; ListError after ATTEMPTS lost races."""
    for _attempt in range(ATTEMPTS):
        try:
            with transaction.atomic():
                return create()
        except IntegrityError:
            continue
    raise ListError(_("Another person was numbering at the same moment %(n)d times in a row; nothing was saved. "
                      "Please try again.") % {"n": ATTEMPTS}, "lists.number_race")
