"""SOP step 10: the help desk. One setting holds the call-centre number, WhatsApp and the official social media
(shown on every page for students and sent to the stations for their help screen); students' questions are
logged as tickets, and the time to the first answer is what the service report measures (standard: 10 min)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class HelpDesk(models.Model):
    """The one help-desk setting (primary key 1; `HelpDesk.current()` makes it with the defaults)."""

    call_centre = models.CharField(_("call centre"), max_length=40, default="(0761) 000000")
    whatsapp = models.CharField("WhatsApp", max_length=40, default="0811-0000-0000")
    instagram = models.CharField("Instagram", max_length=100, blank=True, default="@disdukcapil.pekanbaru")
    facebook = models.CharField("Facebook", max_length=100, blank=True)
    x = models.CharField("X (Twitter)", max_length=100, blank=True)
    website = models.URLField(_("website"), blank=True)
    hours = models.CharField(_("opening hours"), max_length=100, blank=True, default="Senin–Jumat 08.00–16.00")
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        permissions = (("change_helpdesk_setting", "Can change the help-desk contacts"),
                       ("answer_ticket", "Can answer help-desk tickets (step 10)"))

    @classmethod
    def current(cls) -> "HelpDesk":
        return cls.objects.get_or_create(pk=1)[0]


class Ticket(models.Model):
    """A question to the help desk, from a student's account or taken down by staff from a call or a message."""

    class Channel(models.TextChoices):
        WEB = "web", _("Web")
        PHONE = "phone", _("Call centre")
        WHATSAPP = "whatsapp", "WhatsApp"
        SOCIAL = "social", _("Social media")

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        ANSWERED = "answered", _("Answered")
        CLOSED = "closed", _("Closed")

    number = models.CharField(max_length=40, unique=True)
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="tickets")
    contact = models.CharField(_("name and contact"), max_length=200, blank=True)
    application = models.ForeignKey("applications.Application", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="tickets")
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.WEB)
    subject = models.CharField(_("subject"), max_length=200)
    question = models.TextField(_("question"))
    answer = models.TextField(_("answer"), blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    opened_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-opened_at",)

    def __str__(self) -> str:
        return f"{self.number} {self.subject}"
