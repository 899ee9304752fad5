"""The SOP's steps and their time standards (DESIGN.md §1), as the service report measures them."""

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Step:
    number: int
    title: str
    standard: dt.timedelta
    measured: str  # from what to what the report measures the step


STEPS = (
    Step(1, _("Application"), dt.timedelta(minutes=1), _("application form opened → submitted")),
    Step(2, _("Verification against SIAK"), dt.timedelta(minutes=1), _("opened in the queue → verified or rejected")),
    Step(3, _("Grouping by school"), dt.timedelta(minutes=15), _("list started → list created")),
    Step(4, _("List to the Kasi"), dt.timedelta(minutes=15), _("submitted to the Kasi → verified by the Kasi")),
    Step(5, _("Approval by the Kabid"), dt.timedelta(minutes=5), _("verified by the Kasi → approved")),
    Step(6, _("SPT"), dt.timedelta(minutes=10), _("approved → SPT issued")),
    Step(7, _("Coordination with PIAK"), dt.timedelta(minutes=20), _("SPT issued → assignment sent to a station")),
    Step(8, _("Recording at the school"), dt.timedelta(days=1), _("first → last record of the list sealed")),
    Step(9, _("Correction request"), dt.timedelta(minutes=10), _("opened → resolved")),
    Step(10, _("Help desk"), dt.timedelta(minutes=10), _("ticket opened → first answer")),
)
