"""The helpdesk app's URLs (mounted under /helpdesk/ by hq/urls.py): the contacts setting, the tickets page (a
student's own questions or the staff's queue), one ticket, and its answer and close actions (POST)."""

from django.urls import URLPattern, path

from hq.helpdesk.views import setting, ticket, tickets

app_name = "helpdesk"

urlpatterns: list[URLPattern] = [
    path("", tickets.tickets, name="tickets"),
    path("setting/", setting.setting, name="setting"),
    path("tickets/<str:number>/", ticket.ticket, name="ticket"),
    path("tickets/<str:number>/answer/", ticket.answer, name="answer"),
    path("tickets/<str:number>/close/", ticket.close, name="close"),
]
