"""How the report writes its numbers for people: durations in words (45 detik, 2 menit 30 detik, 1 jam 5 menit,
1 hari 3 jam), shares as whole percents, and text cells made safe for spreadsheets (formula injection)."""

import datetime as dt

from django.utils.translation import gettext as _

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def format_duration(value: dt.timedelta | None) -> str:
    """A duration rounded to what a person reads: seconds under a minute, minutes and seconds under an hour,
    hours and minutes under a day, else days and hours; '–' for none."""
    if value is None:
        return "–"
    seconds = max(0, round(value.total_seconds()))
    if seconds < 60:
        return _("%(sec)d s") % {"sec": seconds}
    if seconds < 3600:
        minutes, rest = divmod(seconds, 60)
        if rest:
            return _("%(min)d min %(sec)d s") % {"min": minutes, "sec": rest}
        return _("%(min)d min") % {"min": minutes}
    if round(seconds / 60) < 1440:
        hours, rest = divmod(round(seconds / 60), 60)
        return (_("%(hr)d h %(min)d min") % {"hr": hours, "min": rest}) if rest else _("%(hr)d h") % {"hr": hours}
    days, rest = divmod(round(seconds / 3600), 24)
    return (_("%(days)d d %(hr)d h") % {"days": days, "hr": rest}) if rest else _("%(days)d d") % {"days": days}


def format_share(share: float | None) -> str:
    """A share (0–1) as a whole percent, '–' without any done case."""
    return "–" if share is None else f"{round(share * 100)}%"


def percent(share: float | None) -> float | None:
    """A share as a percent with one decimal (the exports' number)."""
    return None if share is None else round(share * 100, 1)


def safe_text(value: str) -> str:
    """Text a spreadsheet will not run: one starting with = + - @, a tab or a carriage return gets a leading '."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value
