"""Kind screens for when check-in cannot go on: what happened and what to do next."""

from kiosk.screens.base import KioskScreen


class ProblemScreen(KioskScreen):
    def retry(self) -> None:
        self.manager.get_screen("welcome").start_nik()


SCREEN = ProblemScreen
