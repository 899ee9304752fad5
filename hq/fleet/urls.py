"""The fleet dashboard's URLs: login and logout, the fleet, one station, their live JSON, and the app's static
files (served by Django itself: one small CSS and one small script, so `sinopsis hq serve` needs no web server
in front of it)."""

from pathlib import Path

from django.contrib.auth import views as auth_views
from django.urls import URLPattern, path, re_path
from django.views.static import serve

from hq.fleet import views

app_name = "fleet"
STATIC_DIR = Path(__file__).resolve().parent / "static"

urlpatterns: list[URLPattern] = [
    path("", views.fleet_page, name="index"),
    path("fleet.json", views.fleet_json, name="fleet_json"),
    path("stations/<str:station_id>/", views.station_page, name="station"),
    path("stations/<str:station_id>/live.json", views.station_json, name="station_json"),
    path("login/", auth_views.LoginView.as_view(template_name="office/login.html", next_page="office:home",
                                                redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(next_page="fleet:login"), name="logout"),
    re_path(r"^static/(?P<path>fleet/[A-Za-z0-9._-]+)$", serve, {"document_root": STATIC_DIR}, name="static"),
]
