"""What every kiosk screen shares."""

from kivy.app import App
from kivy.uix.screenmanager import Screen


class KioskScreen(Screen):
    """A screen that reaches the app (services, flow, translations) and nothing else."""

    @property
    def app(self) -> App:
        return App.get_running_app()
