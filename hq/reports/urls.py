"""The reports app's URLs (mounted under /reports/ by hq/urls.py)."""

from django.urls import URLPattern, path

from hq.reports import views

app_name = "reports"

urlpatterns: list[URLPattern] = [
    path("", views.service, name="service"),
    path("laporan.csv", views.csv_export, name="csv"),
    path("laporan.xlsx", views.xlsx_export, name="xlsx"),
    path("laporan.pdf", views.pdf_export, name="pdf"),
]
