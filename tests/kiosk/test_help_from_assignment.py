"""The kiosk's help screen shows the office's help desk as the current assignment carries it (HQ's setting), not
the kit's config: real touches, a real store, real signed bundles imported as the agent imports them — also
while the kiosk runs — and the contacts read on the station worker, never on the UI thread."""

import threading

import cv2
import pytest

from kiosk.testing import tap, wait_until
from sinopsis.demo_data import DEMO_STATION_ID
from station.roster import import_assignment
from tests.kiosk.kiosk_helpers import start_kiosk, stop_kiosk
from tests.kiosk.test_checkin_extras import rendered_pixels
from tests.kiosk.test_checkin_screens import screen

OFFICE = {"call_centre": "(0761) 123456", "whatsapp": "0812-7600-0042", "instagram": "@dukcapil.pku",
          "hours": "Senin–Jumat 07.30–16.00"}


def import_with_help_desk(store, keys, make_bundle, version, help_desk):
    def edit(content):
        content["help_desk"] = help_desk

    import_assignment(store, make_bundle(version, edit), keys.hq_sign.public_key(), station_id=DEMO_STATION_ID,
                      min_age=16)


@pytest.fixture
def kiosk(store, station_config):
    app = start_kiosk(store, station_config)  # app.helpdesk starts as the config's, as before any read
    yield app
    stop_kiosk(app)


def open_help(app):
    tap(screen(app, "welcome").ids.help)
    assert app.root.current == "help"
    return screen(app, "help")


def test_the_help_screen_shows_the_assignments_whatsapp_not_the_configs(kiosk, store, keys, make_bundle,
                                                                        station_config, monkeypatch):
    import station.helpdesk

    import_with_help_desk(store, keys, make_bundle, 1, OFFICE)
    threads = []
    real = station.helpdesk.help_desk_for
    monkeypatch.setattr(station.helpdesk, "help_desk_for",
                        lambda *a: threads.append(threading.current_thread().name) or real(*a))
    help_screen = open_help(kiosk)
    wait_until(lambda: "0812-7600-0042" in help_screen.ids.contacts.text)
    assert threads and all(name.startswith("kiosk-service") for name in threads)  # off the UI thread
    text = help_screen.ids.contacts.text
    assert station_config.helpdesk.whatsapp not in text
    assert text.splitlines() == ["Layanan pengaduan: (0761) 123456", "WhatsApp: 0812-7600-0042",
                                 "Instagram: @dukcapil.pku", "Senin–Jumat 07.30–16.00"]
    decoded, _points, _ = cv2.QRCodeDetector().detectAndDecode(rendered_pixels(help_screen.ids.qr))
    assert decoded == "https://wa.me/6281276000042"  # the chat opens with the office's WhatsApp
    assert kiosk.helpdesk.source == "assignment"


def test_an_assignment_imported_while_the_kiosk_runs_shows_next_time(kiosk, store, keys, make_bundle,
                                                                     station_config):
    help_screen = open_help(kiosk)
    wait_until(lambda: kiosk.helpdesk is not station_config.helpdesk)  # read once: no assignment yet
    assert station_config.helpdesk.whatsapp in help_screen.ids.contacts.text
    tap(help_screen.ids.back)
    assert kiosk.root.current == "welcome"
    import_with_help_desk(store, keys, make_bundle, 1, OFFICE)  # the agent imports one meanwhile
    help_screen = open_help(kiosk)
    wait_until(lambda: "0812-7600-0042" in help_screen.ids.contacts.text)
    import_with_help_desk(store, keys, make_bundle, 2, {"whatsapp": "0813-1111-2222"})
    tap(help_screen.ids.back)
    help_screen = open_help(kiosk)
    wait_until(lambda: "0813-1111-2222" in help_screen.ids.contacts.text)
    assert station_config.helpdesk.call_centre in help_screen.ids.contacts.text  # not in v2: the config's


def test_english_labels_the_same_contacts(kiosk, store, keys, make_bundle):
    import_with_help_desk(store, keys, make_bundle, 1, OFFICE)
    kiosk.lang = "en"
    help_screen = open_help(kiosk)
    wait_until(lambda: "0812-7600-0042" in help_screen.ids.contacts.text)
    assert help_screen.ids.contacts.text.splitlines()[0] == "Call centre: (0761) 123456"


FULL = {**OFFICE, "facebook": "https://facebook.com/disdukcapil.kota.pekanbaru", "x": "@disdukcapil_pku",
        "website": "https://disdukcapil.pekanbaru.go.id"}


def test_every_contact_fits_the_small_screen(store, station_config, keys, make_bundle, tmp_path):
    """All seven contacts HQ may send, on the 800x480 kiosk: nothing cut off (screenshot kept in the test's tmp;
    the offscreen window keeps the size it was made with, so only the small size is tried here)."""
    from kiosk.testing import overflowing_labels
    from kiosk.testing import screenshot as save

    import_with_help_desk(store, keys, make_bundle, 1, FULL)
    app = start_kiosk(store, station_config)
    try:
        help_screen = open_help(app)
        wait_until(lambda: "disdukcapil.pekanbaru.go.id" in help_screen.ids.contacts.text)
        assert len(help_screen.ids.contacts.text.splitlines()) == 7
        save(tmp_path / "help-800x480.png")
        assert overflowing_labels(help_screen) == []
    finally:
        stop_kiosk(app)
