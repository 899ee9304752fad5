"""SIAK (the civil registry's population database) as verification (SOP step 2) sees it: one question, "who is
this NIK?", behind an adapter so the office can move from file extracts to a live SIAK link without touching the
queue.

The default adapter, `ExtractSiak`, answers from the SIAK extract imported on the imports page (SiakRecord rows;
format in docs/hq-imports.md). Another adapter is any class with `lookup(nik) -> SiakPerson | None` and a
constructor without arguments; name it in `ADAPTER` below, or in a setting `HQ_SIAK_ADAPTER` (a dotted path) when
HQ's settings gain one.
"""

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from hq.applications.models import SiakRecord

ADAPTER = "hq.applications.siak.ExtractSiak"


@dataclass(frozen=True)
class SiakPerson:
    """A resident as SIAK has them."""

    nik: str
    kk_number: str
    name: str
    birth_place: str
    birth_date: dt.date
    sex: str  # "M" or "F"
    source: str = ""  # where the answer came from (the extract's file name, a service's name)


class SiakAdapter(Protocol):
    def lookup(self, nik: str) -> SiakPerson | None:
        """The person with this NIK, or None when SIAK does not know it."""


class ExtractSiak:
    """SIAK from the imported extract (SiakRecord)."""

    def lookup(self, nik: str) -> SiakPerson | None:
        row = SiakRecord.objects.filter(nik=nik).first()
        if row is None:
            return None
        return SiakPerson(nik=row.nik, kk_number=row.kk_number, name=row.name, birth_place=row.birth_place,
                          birth_date=row.birth_date, sex=row.sex, source=row.source)

    def lookup_many(self, niks: set[str]) -> dict[str, SiakPerson]:
        """The people of these NIKs SIAK knows, by NIK, in one query (a list page's SIAK column)."""
        return {row.nik: SiakPerson(nik=row.nik, kk_number=row.kk_number, name=row.name, birth_place=row.birth_place,
                                    birth_date=row.birth_date, sex=row.sex, source=row.source)
                for row in SiakRecord.objects.filter(nik__in=niks)}


def adapter() -> SiakAdapter:
    """The configured adapter (settings.HQ_SIAK_ADAPTER if set, else ADAPTER)."""
    return import_string(getattr(settings, "HQ_SIAK_ADAPTER", ADAPTER))()
