"""HQ's URLs. The fleet dashboard (issue 7, point 4) adds its views here."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
