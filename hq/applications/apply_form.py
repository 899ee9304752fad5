"""The application form of SOP step 1: what a student (or their school) types, checked the way the recording
station will check it, with messages in the page's language that say what to fix."""

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from hq.applications.identity import digits16, nik_problems, person_name, phone_e164
from hq.applications.models import School, Sex

DATE_FORMATS = ["%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y"]


def _required(text: Any) -> dict[str, Any]:
    return {"required": text}


class ApplicationForm(forms.Form):
    """NIK, KK number, name, place and date of birth, sex, school, phone, email; `opened` carries when the form
    was shown (form_clock). `schools` limits the school choice (a school's login applies for its own)."""

    nik = forms.CharField(label="NIK", max_length=40, help_text=_lazy("16 digits, from your family card (KK)"),
                          error_messages=_required(_lazy("Type your NIK: the 16 digits on your family card (KK).")),
                          widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))
    kk_number = forms.CharField(label=_lazy("Family card (KK) number"), max_length=40,
                                help_text=_lazy("16 digits, at the top of the family card"),
                                error_messages=_required(_lazy("Type the number of your family card (KK).")),
                                widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))
    name = forms.CharField(label=_lazy("Full name"), max_length=120, help_text=_lazy("as on the family card"),
                           error_messages=_required(_lazy("Type your full name as on the family card.")),
                           widget=forms.TextInput(attrs={"autocomplete": "name"}))
    birth_place = forms.CharField(label=_lazy("Place of birth"), max_length=120,
                                  error_messages=_required(_lazy("Type your place of birth.")))
    birth_date = forms.DateField(label=_lazy("Date of birth"), input_formats=DATE_FORMATS,
                                 error_messages={"required": _lazy("Type your date of birth."),
                                                 "invalid": _lazy("Type the date of birth as day-month-year, such "
                                                                  "as 17-08-2008.")},
                                 widget=forms.DateInput(attrs={"type": "date", "autocomplete": "bday"},
                                                        format="%Y-%m-%d"))
    sex = forms.ChoiceField(label=_lazy("Sex"), choices=[("", "—"), *Sex.choices],
                            error_messages=_required(_lazy("Choose male or female.")))
    school = forms.ModelChoiceField(label=_lazy("School"), queryset=School.objects.all(), empty_label="—",
                                    error_messages=_required(_lazy("Choose your school.")))
    phone = forms.CharField(label=_lazy("Mobile phone number"), max_length=30,
                            help_text=_lazy("the office calls or sends a message here, e.g. 0812 3456 7890"),
                            error_messages=_required(_lazy("Type your mobile phone number.")),
                            widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}))
    email = forms.EmailField(label=_lazy("Email"), required=False,
                             error_messages={"invalid": _lazy("This is not an email address; type it like "
                                                              "nama@contoh.id, or leave it empty.")})
    opened = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, schools: Any = None, today: dt.date | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today or timezone.localdate()
        if schools is not None:
            self.fields["school"].queryset = schools
            if schools.count() == 1:
                self.fields["school"].empty_label = None

    def clean_nik(self) -> str:
        return digits16(self.cleaned_data["nik"], "NIK")

    def clean_kk_number(self) -> str:
        return digits16(self.cleaned_data["kk_number"], _("KK number"))

    def clean_name(self) -> str:
        return person_name(self.cleaned_data["name"])

    def clean_birth_place(self) -> str:
        return person_name(self.cleaned_data["birth_place"])

    def clean_birth_date(self) -> dt.date:
        born = self.cleaned_data["birth_date"]
        if born > self.today:
            raise forms.ValidationError(_("This date is in the future. Type your date of birth."), code="future")
        return born

    def clean_phone(self) -> str:
        return phone_e164(self.cleaned_data["phone"])

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if "nik" in data:
            for field, error in nik_problems(data["nik"], data.get("birth_date"), data.get("sex"),
                                             self.today).items():
                if field in data:
                    self.add_error(field, error)
        if data.get("nik") and data.get("kk_number") == data.get("nik"):
            self.add_error("kk_number", _("This is your NIK. The KK number is the family card's own number, at "
                                          "the top of the card."))
        return data
