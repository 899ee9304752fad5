"""The lists app's forms: choosing applicants (step 3 and a draft's changes), returning a list with a reason,
issuing an SPT (step 6) and choosing stations (step 7). Error texts say what is wrong and what to do."""

import datetime as dt
from typing import Any

from django import forms
from django.core import signing
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hq.fleet.models import Station
from hq.lists.spt import team_candidates

STARTED_SALT = "hq.lists.grouping-started"
STARTED_MAX_AGE_S = 7 * 24 * 3600


def started_token(npsn: str, at: dt.datetime | None = None) -> str:
    """The signed hidden field carrying when the admin opened the grouping page for a school (step 3 starts)."""
    return signing.dumps({"school": npsn, "at": (at or timezone.now()).isoformat()}, salt=STARTED_SALT)


def started_at(token: str, npsn: str) -> dt.datetime | None:
    """The time in a token made by `started_token` for this school; None when it is forged, for another school
    or older than a week."""
    try:
        data = signing.loads(token, salt=STARTED_SALT, max_age=STARTED_MAX_AGE_S)
        if data.get("school") != npsn:
            return None
        return dt.datetime.fromisoformat(data["at"])
    except (signing.BadSignature, KeyError, TypeError, ValueError, AttributeError):
        return None


class ChooseApplicants(forms.Form):
    """Which of the offered applicants go on the list (checkboxes; the page shows them in a table)."""

    applications = forms.TypedMultipleChoiceField(coerce=int, required=True, error_messages={
        "required": _("Choose at least one applicant for the list."),
        "invalid_choice": _("One of the chosen applicants can no longer be chosen (the page was out of date); "
                            "the list below is up to date, choose again.")})

    def __init__(self, *args: Any, offered: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["applications"].choices = [(a.pk, a.number) for a in offered]


class GroupForm(ChooseApplicants):
    started = forms.CharField(widget=forms.HiddenInput, required=False)


class ChangeForm(ChooseApplicants):
    seen_event = forms.IntegerField(widget=forms.HiddenInput, required=False)


class ReturnForm(forms.Form):
    state = forms.CharField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Why does the list go back?"), max_length=2000, widget=forms.Textarea(
        attrs={"rows": 3}), error_messages={"required": _("Write why the list goes back, so the admin knows what "
                                                          "to fix.")})


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


class SptForm(forms.Form):
    """The SPT's recording date and team (one lead, operators), from the logins in the `team` group."""

    recording_date = forms.DateField(label=_("Recording date"), widget=DateInput(), input_formats=["%Y-%m-%d",
                                     "%d-%m-%Y", "%d/%m/%Y"], error_messages={
        "required": _("Give the day the team records at the school."),
        "invalid": _("Write the date as day-month-year, for example 02-12-2026.")})
    lead = forms.ModelChoiceField(label=_("Team lead"), queryset=team_candidates(), empty_label=_("— choose —"),
                                  error_messages={"required": _("Choose the team lead."),
                                                  "invalid_choice": _("That person is not in the recording team "
                                                                      "any more; choose another.")})
    operators = forms.ModelMultipleChoiceField(label=_("Operators"), queryset=team_candidates(), required=False,
                                               widget=forms.CheckboxSelectMultiple, error_messages={
        "invalid_choice": _("One of the chosen operators is not in the recording team any more; choose again.")})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("lead", "operators"):  # the team as it is now, not when the module was imported
            self.fields[name].queryset = team_candidates()
            self.fields[name].label_from_instance = lambda u: u.get_full_name() or u.get_username()

    def clean_recording_date(self) -> dt.date:
        day = self.cleaned_data["recording_date"]
        if day < timezone.localdate():
            raise forms.ValidationError(_("This date is in the past; choose today or a later day."))
        return day


class AssignForm(forms.Form):
    stations = forms.ModelMultipleChoiceField(label=_("Stations"), queryset=Station.objects.all(),
                                              widget=forms.CheckboxSelectMultiple, error_messages={
        "required": _("Choose at least one station."),
        "invalid_choice": _("One of the chosen stations is not enrolled any more; choose again.")})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["stations"].queryset = Station.objects.order_by("id")
        self.fields["stations"].label_from_instance = lambda s: " · ".join(p for p in (s.id, s.name) if p)
