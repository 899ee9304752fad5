"""The office's own URLs: the home page every login lands on."""

from django.urls import URLPattern, path

from hq.office import views

app_name = "office"

urlpatterns: list[URLPattern] = [
    path("", views.home, name="home"),
]
