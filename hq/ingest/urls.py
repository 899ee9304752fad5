"""The ingest app's pages (mounted under /verify/ by hq/urls.py): the acknowledgement slip's verification."""

from django.urls import URLPattern, path

from hq.ingest import views

app_name = "ingest"

urlpatterns: list[URLPattern] = [
    path("", views.verify, name="verify"),
    path("<str:payload>", views.verify, name="verify_slip"),
]
