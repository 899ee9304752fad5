"""Start the kiosk app offscreen over a real station store."""

from kivy.core.window import Window

from kiosk.app import KioskApp
from kiosk.services import CheckInService
from kiosk.testing import settle, step, wait_until


def start_kiosk(store, config, size=(800, 480), hq_key=None, qr_scanner=None, printer=None, camera=None) -> KioskApp:
    Window.size = size
    app = KioskApp(CheckInService(store, config, hq_key), helpdesk=config.helpdesk, qr_scanner=qr_scanner,
                   printer=printer, camera=camera)
    app._run_prepare()  # what App.run() does before its loop: build, show the root, on_start
    settle()
    if qr_scanner is not None:  # the listener opens it on its thread; a scan before that is discarded
        wait_until(lambda: qr_scanner.is_open)
    return app


def stop_kiosk(app: KioskApp) -> None:
    app.dispatch("on_stop")
    app.services.close()
    app.stop()
    Window.remove_widget(app.root)
    step(2)
