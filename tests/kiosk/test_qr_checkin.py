"""Check-in by showing the application QR to the serial scanner (a simulated scanner on a real pty)."""

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from drivers.qr_scanner import LineScanner
from drivers.qr_scanner_sim import SimulatedScanner
from kiosk.testing import step, tap, wait_until
from station.application_qr import make_application_qr
from tests.kiosk.kiosk_helpers import start_kiosk, stop_kiosk


@pytest.fixture
def qr_kiosk(imported, station_config, keys):
    sim = SimulatedScanner()
    app = start_kiosk(imported, station_config, hq_key=keys.hq_sign.public_key(), qr_scanner=LineScanner(sim.path))
    yield app, sim
    stop_kiosk(app)
    sim.unplug()


def test_a_genuine_qr_goes_to_the_identity_check(qr_kiosk, keys, applicants):
    app, sim = qr_kiosk
    sim.scan(make_application_qr(applicants[2]["application_id"], keys.hq_sign))
    wait_until(lambda: app.root.current == "confirm")
    assert app.flow.identity.application_id == applicants[2]["application_id"]
    tap(app.root.get_screen("confirm").ids.yes)
    assert app.root.current == "phone"


OTHER_KEY = Ed25519PrivateKey.generate()  # not the HQ this station pinned


@pytest.mark.parametrize(("make", "says"), [
    (lambda a: "https://example.org/promo", "bukan QR pendaftaran SINOPSIS"),
    (lambda a: make_application_qr(a["application_id"], OTHER_KEY), "tidak sah"),
])
def test_a_foreign_or_forged_qr_is_refused_kindly(qr_kiosk, keys, applicants, make, says):
    app, sim = qr_kiosk
    sim.scan(make(applicants[0]))
    wait_until(lambda: app.root.current == "problem")
    assert says in app.root.get_screen("problem").ids.message.text


def test_a_qr_shown_mid_check_in_is_ignored(qr_kiosk, keys, applicants):
    app, sim = qr_kiosk
    tap(app.root.get_screen("welcome").ids.start)
    sim.scan(make_application_qr(applicants[2]["application_id"], keys.hq_sign))
    step(60)  # the scan arrives during these frames and is ignored
    assert app.root.current == "nik_entry" and app.flow.identity is None
