"""The lists app's URLs (mounted under /lists/ by hq/urls.py)."""

from django.urls import URLPattern

app_name = "lists"

urlpatterns: list[URLPattern] = []
