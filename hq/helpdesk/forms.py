"""The help desk's forms: the contacts setting (checked so a student can actually dial, write or find them),
a student's question, a ticket staff take down from a call or a message, and an answer. Every error says what is
wrong and what to write instead."""

import re
from typing import Any, ClassVar

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

from hq.helpdesk.models import HelpDesk, Ticket

PHONE = re.compile(r"^\+?[0-9 ()\-]+\Z")
HANDLE = re.compile(r"^@[A-Za-z0-9._]{1,60}\Z")
MAX_TEXT = 4000
TOO_LONG = _("This is too long: at most %(limit_value)d characters (now %(show_value)d). Shorten it.")


def check_phone(value: str) -> str:
    """A number a person can dial: digits, spaces, + (first only), - and brackets, 5 to 15 digits."""
    value = " ".join(value.split())
    digits = sum(ch.isdigit() for ch in value)
    if not PHONE.match(value):
        raise ValidationError(_("Use only digits, spaces, +, - and brackets, for example (0761) 123456 or "
                                "0811-7600-000."), code="phone_chars")
    if not 5 <= digits <= 15:
        raise ValidationError(_("A phone number has 5 to 15 digits; this one has %(n)d. Check the number."),
                              code="phone_length", params={"n": digits})
    return value


def check_account(value: str) -> str:
    """A social-media account: @name, or the page's full address (https://…)."""
    value = value.strip()
    if not value or HANDLE.match(value):
        return value
    try:
        URLValidator(schemes=["https"])(value)
    except ValidationError:
        raise ValidationError(_("Write the account as @name (letters, digits, . and _ only) or as its full address "
                                "starting with https://."), code="account") from None
    return value


class HelpDeskForm(forms.ModelForm):
    """The one help-desk setting: shown in every page's footer and sent to the stations' help screens."""

    website = forms.URLField(label=_("Website"), max_length=200, required=False, assume_scheme="https",
                             help_text=_("The full address, starting with https://"), error_messages={
                                 "invalid": _("Write the full address starting with https://, for example "
                                              "https://disdukcapil.pekanbaru.go.id.")})

    class Meta:
        model = HelpDesk
        fields = ("call_centre", "whatsapp", "instagram", "facebook", "x", "website", "hours")
        help_texts: ClassVar[dict[str, Any]] = {
            "call_centre": _("The number students call, for example (0761) 123456."),
            "whatsapp": _("The help desk's WhatsApp number, for example 0811-7600-000; the kiosk shows it as a "
                          "QR code a phone opens the chat with."),
            "instagram": _("@name or https://instagram.com/name"),
            "facebook": _("@name or https://facebook.com/name"),
            "x": _("@name or https://x.com/name"),
            "hours": _("When the help desk answers, for example Senin–Jumat 08.00–16.00"),
        }
        error_messages: ClassVar[dict[str, Any]] = {
            "call_centre": {"required": _("Write the call-centre number: students need it on every page.")},
            "whatsapp": {"required": _("Write the WhatsApp number: students need it on every page.")},
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.error_messages["max_length"] = TOO_LONG

    def clean_call_centre(self) -> str:
        return check_phone(self.cleaned_data["call_centre"])

    def clean_whatsapp(self) -> str:
        return check_phone(self.cleaned_data["whatsapp"])

    def clean_instagram(self) -> str:
        return check_account(self.cleaned_data["instagram"])

    def clean_facebook(self) -> str:
        return check_account(self.cleaned_data["facebook"])

    def clean_x(self) -> str:
        return check_account(self.cleaned_data["x"])

    def clean_website(self) -> str:
        value = self.cleaned_data["website"]
        if value and not value.lower().startswith(("https://", "http://")):
            raise ValidationError(_("Write the full address starting with https://, for example "
                                    "https://disdukcapil.pekanbaru.go.id."), code="website")
        return value


def _text(label: Any, max_length: int, *, required: bool = True, rows: int = 0, help_text: Any = "") -> forms.Field:
    widget = forms.Textarea(attrs={"rows": rows}) if rows else forms.TextInput()
    return forms.CharField(label=label, max_length=max_length, required=required, widget=widget,
                           help_text=help_text, error_messages={
                               "required": _("This cannot be empty: write it here."),
                               "max_length": TOO_LONG})


class AskForm(forms.Form):
    """A student's (or a school's) question, optionally about one of their own applications."""

    subject = _text(_("Subject"), 200, help_text=_("A few words, for example: my QR code does not scan"))
    question = _text(_("Your question"), MAX_TEXT, rows=5)
    application = forms.ModelChoiceField(
        label=_("About one of your applications"), queryset=None, required=False,
        empty_label=_("— none —"),
        error_messages={"invalid_choice": _("That is not one of your applications. Choose one from the list.")})

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from hq.applications.models import Application

        self.fields["application"].queryset = Application.objects.filter(applicant=user).order_by("-submitted_at")
        self.fields["application"].label_from_instance = lambda a: f"{a.number} · {a.name}"


class LogForm(forms.Form):
    """A question staff took down from the call centre, WhatsApp or social media, on the asker's behalf."""

    channel = forms.ChoiceField(label=_("Asked through"), choices=[
        (c.value, c.label) for c in Ticket.Channel if c != Ticket.Channel.WEB], error_messages={
            "invalid_choice": _("Choose how the question came: call centre, WhatsApp or social media."),
            "required": _("Choose how the question came: call centre, WhatsApp or social media.")})
    contact = _text(_("Name and contact of the asker"), 200,
                    help_text=_("For example: Budi Santoso, 0812-3456-7890 or @budi"))
    application_number = forms.CharField(
        label=_("Application number"), max_length=40, required=False,
        help_text=_("When the asker has one, the ticket shows in their account too."))
    subject = _text(_("Subject"), 200)
    question = _text(_("Question"), MAX_TEXT, rows=4)
    answer = _text(_("Answer given"), MAX_TEXT, required=False, rows=3,
                   help_text=_("Answered during the call? Write the answer: the ticket is answered now."))

    def clean_application_number(self) -> Any:
        from hq.applications.models import Application

        number = self.cleaned_data["application_number"].strip()
        if not number:
            return None
        found = Application.objects.filter(number__iexact=number).first()
        if found is None:
            raise ValidationError(_("No application has the number %(number)s. Check it with the asker, or leave "
                                    "it empty."), code="no_application", params={"number": number})
        return found


class AnswerForm(forms.Form):
    """The help desk's answer to a ticket (shown to the asker in their account)."""

    answer = _text(_("Your answer"), MAX_TEXT, rows=5)
