"""The fleet dashboard's URLs: login and logout, the fleet, one station, their live JSON. Its static files (CSS,
script, icon) are whitenoise's (hq/staticfiles.py)."""

from django.contrib.auth import views as auth_views
from django.urls import URLPattern, path

from hq.fleet import command_views, views

app_name = "fleet"

urlpatterns: list[URLPattern] = [
    path("", views.fleet_page, name="index"),
    path("fleet.json", views.fleet_json, name="fleet_json"),
    path("stations/<str:station_id>/", views.station_page, name="station"),
    path("stations/<str:station_id>/live.json", views.station_json, name="station_json"),
    path("stations/<str:station_id>/command/<str:name>/", command_views.command, name="command"),
    path("login/", auth_views.LoginView.as_view(template_name="office/login.html", next_page="office:home",
                                                redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(next_page="fleet:login"), name="logout"),
]
