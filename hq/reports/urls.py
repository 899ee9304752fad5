"""The reports app's URLs (mounted under /reports/ by hq/urls.py)."""

from django.urls import URLPattern

app_name = "reports"

urlpatterns: list[URLPattern] = []
