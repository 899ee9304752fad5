"""HQ's URLs: the fleet dashboard (issue 7, point 4) and the language toggle it posts to."""

from django.urls import URLPattern, URLResolver, include, path

urlpatterns: list[URLPattern | URLResolver] = [
    path("i18n/", include("django.conf.urls.i18n")),  # set_language: Bahasa Indonesia ⇄ English
    path("", include("hq.fleet.urls")),
]
