"""The applications app's URLs (mounted under /applications/ by hq/urls.py)."""

from django.urls import URLPattern

app_name = "applications"

urlpatterns: list[URLPattern] = []
