"""The helpdesk app's URLs (mounted under /helpdesk/ by hq/urls.py)."""

from django.urls import URLPattern

app_name = "helpdesk"

urlpatterns: list[URLPattern] = []
