"""The report's period: a from and a to date (both days included, in HQ's time zone), this month by default.

The form says what is wrong with a date and what to write instead; a period is at most MAX_DAYS long so the
per-day chart and the exports stay readable."""

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

MAX_DAYS = 366
DATE_HELP = _("Write the date as YYYY-MM-DD, for example 2026-11-01.")


def local_zone() -> ZoneInfo:
    """HQ's time zone (settings.TIME_ZONE, Asia/Jakarta): the days of a period are its days."""
    return ZoneInfo(settings.TIME_ZONE)


def today() -> dt.date:
    return timezone.now().astimezone(local_zone()).date()


@dataclass(frozen=True)
class Period:
    """From `start` to `end`, both days included."""

    start: dt.date
    end: dt.date

    @property
    def start_at(self) -> dt.datetime:
        """The first moment of the period (midnight of `start`, HQ's time zone)."""
        return dt.datetime.combine(self.start, dt.time.min, tzinfo=local_zone())

    @property
    def end_at(self) -> dt.datetime:
        """The first moment after the period (midnight after `end`): the period is [start_at, end_at)."""
        return dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min, tzinfo=local_zone())

    def contains(self, moment: dt.datetime | None) -> bool:
        return moment is not None and self.start_at <= moment < self.end_at

    def days(self) -> list[dt.date]:
        return [self.start + dt.timedelta(days=i) for i in range((self.end - self.start).days + 1)]

    def slug(self) -> str:
        """The period in file names: 2026-11-01_2026-11-30."""
        return f"{self.start.isoformat()}_{self.end.isoformat()}"


def this_month() -> Period:
    """The current month in HQ's time zone, from its first to its last day."""
    first = today().replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return Period(first, following - dt.timedelta(days=1))


def _date_field(label: str) -> forms.DateField:
    return forms.DateField(label=label, input_formats=["%Y-%m-%d"],  # the help is one line below both dates
                           widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                           error_messages={"invalid": format_lazy("{} {}", _("This is not a date."), DATE_HELP),
                                           "required": format_lazy("{} {}", _("Choose a date."), DATE_HELP)})


class PeriodForm(forms.Form):
    """?start=YYYY-MM-DD&end=YYYY-MM-DD (both days included)."""

    start = _date_field(_("From"))
    end = _date_field(_("To"))

    def clean(self) -> dict:
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                self.add_error("end", _("The end date is before the start date; choose an end on or after "
                                        "%(start)s.") % {"start": start.isoformat()})
            elif (end - start).days + 1 > MAX_DAYS:
                self.add_error("end", _("The period is %(days)d days long; choose at most %(max)d days.")
                               % {"days": (end - start).days + 1, "max": MAX_DAYS})
        return data


def period_from(query: dict) -> tuple[PeriodForm, Period | None]:
    """The form bound to the request's query (this month when neither date is given) and its period, or None
    with the form's errors when the dates are not usable."""
    if not query.get("start") and not query.get("end"):
        default = this_month()
        query = {"start": default.start.isoformat(), "end": default.end.isoformat()}
    form = PeriodForm({"start": query.get("start", ""), "end": query.get("end", "")})
    if not form.is_valid():
        return form, None
    return form, Period(form.cleaned_data["start"], form.cleaned_data["end"])
