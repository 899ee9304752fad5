"""SOP step 2's comparison: an application beside its SIAK record and its school's list entry, field by field,
with what differs. Names and places are compared ignoring case and spacing ("siti  NURHALIZA" is "Siti
Nurhaliza"); dates, KK numbers and sex exactly."""

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from hq.applications.models import Application, SchoolListEntry, Sex
from hq.applications.siak import SiakPerson, adapter

# (field, label, compared with SIAK, compared with the school's list)
FIELDS = (("name", _lazy("Full name"), True, True), ("kk_number", _lazy("Family card (KK) number"), True, False),
          ("birth_place", _lazy("Place of birth"), True, False), ("birth_date", _lazy("Date of birth"), True, True),
          ("sex", _lazy("Sex"), True, False))
CORRECTABLE = tuple(name for name, *_rest in FIELDS)


def same_text(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


@dataclass
class Line:
    field: str
    label: str
    application: Any
    siak: Any  # None: not in SIAK, or SIAK does not hold this field
    school: Any
    siak_differs: bool = False
    school_differs: bool = False


@dataclass
class Comparison:
    lines: list[Line]
    siak: SiakPerson | None
    school_entry: SchoolListEntry | None
    mismatches: list[str] = field(default_factory=list)  # the fields that differ from SIAK or the list
    problems: list[str] = field(default_factory=list)  # in words, for the page


def _differs(a: Any, b: Any) -> bool:
    if b is None or b == "":
        return False
    if isinstance(a, str) and isinstance(b, str):
        return not same_text(a, b)
    return a != b


def compare(application: Application) -> Comparison:
    """The application against SIAK (through the configured adapter) and its school's list."""
    siak = adapter().lookup(application.nik)
    entry = SchoolListEntry.objects.filter(school=application.school_id, nik=application.nik).first()
    sexes = dict(Sex.choices)
    lines = []
    for name, label, with_siak, with_school in FIELDS:
        mine = getattr(application, name)
        theirs = getattr(siak, name) if siak is not None and with_siak else None
        listed = getattr(entry, name) if entry is not None and with_school else None
        line = Line(name, str(label), mine, theirs, listed, _differs(mine, theirs), _differs(mine, listed))
        if name == "sex":
            line.application, line.siak = sexes.get(mine, mine), sexes.get(theirs, theirs) if theirs else None
        lines.append(line)
    result = Comparison(lines, siak, entry, [ln.field for ln in lines if ln.siak_differs or ln.school_differs])
    if siak is None:
        result.problems.append(_("Not in SIAK: no resident with this NIK in the SIAK data. Check the NIK, or import "
                                 "a newer SIAK extract."))
    if entry is None:
        result.problems.append(_("Not on the school's list: %(school)s's student list has no student with this NIK.")
                               % {"school": application.school.name})
    if result.mismatches:
        labels = [ln.label for ln in lines if ln.field in result.mismatches]
        result.problems.append(_("Differs: %(fields)s.") % {"fields": ", ".join(labels)})
    return result
