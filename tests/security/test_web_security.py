"""HQ's web security (issue 19 point 6) on HQ's real SQLite through Django's test client: logins throttled per
user name and per address with the lockout page in Bahasa Indonesia, an audit line for each lock and unlock, and
the admin's early unlock; the Content-Security-Policy on every page and no template that would need inline script
or style; production mode (secure cookies, HSTS, HTTPS redirect) with `check --deploy` clean, off for the local
demo. The browser side of the CSP: tests/hq/test_dashboard_browser.py."""

import json
import logging
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from hq.users import create_user
from tests.hq.lists.conftest import quick_passwords

__all__ = ["quick_passwords"]

PASSWORD = "kata-sandi-panjang-sekali"
HQ_DIR = Path(__file__).resolve().parents[2] / "hq"


def person(username: str, role: str) -> Any:
    from django.contrib.auth import get_user_model

    create_user(username, PASSWORD, roles=(role,), full_name=username.title())
    return get_user_model().objects.get(username=username)


def log_in(address: str, username: str, password: str = PASSWORD) -> Any:
    return Client(SERVER_NAME="localhost", REMOTE_ADDR=address).post(
        "/login/", {"username": username, "password": password})


def test_logins_are_throttled_per_account_and_per_address_and_the_admin_unlocks(hq, caplog):
    from django.conf import settings

    person("budi", "student")
    person("siti", "student")
    admin = Client(SERVER_NAME="localhost", REMOTE_ADDR="10.0.0.9")
    admin.force_login(person("rina", "admin"))
    limit = settings.AXES_FAILURE_LIMIT
    caplog.set_level(logging.INFO, logger="hq.security")
    for _ in range(limit - 1):
        assert log_in("10.0.0.1", "budi", "salah-sekali-1234").status_code == 200  # the form again, its error
    assert log_in("10.0.0.1", "budi").status_code == 302  # one short of the limit: the right password opens
    for _ in range(limit):
        log_in("10.0.0.1", "budi", "salah-sekali-1234")
    locked = log_in("10.0.0.1", "budi")  # the right password, too late
    assert locked.status_code == 429 and "_auth_user_id" not in locked.client.session
    assert "Masuk dikunci sementara" in locked.text and "15 menit" in locked.text  # what, how long, what to do
    assert "Lupa kata sandi?" in locked.text
    assert log_in("10.0.0.2", "budi").status_code == 429  # the account, from any address
    assert log_in("10.0.0.1", "siti").status_code == 429  # the address, for any account
    assert log_in("10.0.0.3", "siti").status_code == 302  # others are untouched
    lines = [r.getMessage() for r in caplog.records if r.name == "hq.security"]
    assert any("login locked: user name 'budi' from address 10.0.0.1" in line for line in lines), lines

    page = admin.get("/applications/lockouts/")
    assert page.status_code == 200 and "Login terkunci" in page.text
    assert 'data-kind="username" data-value="budi"' in page.text
    assert 'data-kind="ip_address" data-value="10.0.0.1"' in page.text
    assert admin.post("/applications/lockouts/", {"kind": "username", "value": "budi"}).status_code == 302
    assert log_in("10.0.0.2", "budi").status_code == 302  # (and 10.0.0.1's failures were all budi's)
    for guess in range(limit):  # one address trying many names: the address is locked, not the names
        log_in("10.0.0.5", f"tebak-{guess}", "salah")
    assert log_in("10.0.0.5", "siti").status_code == 429
    assert admin.post("/applications/lockouts/", {"kind": "ip_address", "value": "10.0.0.5"}).status_code == 302
    assert log_in("10.0.0.5", "siti").status_code == 302
    lines = [r.getMessage() for r in caplog.records if r.name == "hq.security"]
    assert "login unlocked: username 'budi' by rina (2 attempt rows removed)" in lines
    assert f"login unlocked: ip address '10.0.0.5' by rina ({limit + 1} attempt rows removed)" in lines
    refused = admin.post("/applications/lockouts/", {"kind": "everyone", "value": "x"}, follow=True)
    assert "Tidak ada yang dibuka" in refused.text
    student = Client(SERVER_NAME="localhost")
    student.force_login(person("andi", "student"))
    assert student.post("/applications/lockouts/", {"kind": "username", "value": "budi"}).status_code == 403


@pytest.mark.parametrize("username", ["", "x" * 300, "budi\x00", "‮nimda", "' OR 1=1 --", "budi@contoh.id"])
def test_hostile_user_names_are_counted_and_answered_with_the_form(hq, username):
    """Odd user names are failures like any other: the login form again (200), never a server error."""
    answer = log_in("10.0.0.7", username, "salah")
    assert answer.status_code == 200 and "Nama pengguna atau kata sandi salah" in answer.text


def test_every_page_carries_the_content_security_policy(hq):
    answer = Client(SERVER_NAME="localhost").get("/login/")
    policy = answer["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert directives["default-src"] == "'self'" and directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert answer["X-Frame-Options"] == "DENY"


INLINE = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle=|\son[a-z]+=|javascript:", re.IGNORECASE)


def test_no_template_needs_inline_script_or_style():
    """What the policy would block: an inline <script>, a <style> element, a style= attribute, an on…= handler."""
    found = [f"{path.relative_to(HQ_DIR)}: {match.group(0)!r}" for path in HQ_DIR.rglob("templates/**/*.html")
             for match in INLINE.finditer(path.read_text())]
    assert found == []


def production(tmp_path: Path, script: str, **env: str) -> subprocess.CompletedProcess:
    """Run `script` in a fresh Python with HQ's settings for an office host name (production mode)."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("SINOPSIS_HQ_")}
    environment.update(SINOPSIS_HQ_DATA=str(tmp_path / "hq"), SINOPSIS_HQ_ALLOWED_HOSTS="hq.pekanbaru.go.id",
                       DJANGO_SETTINGS_MODULE="hq.settings", **env)
    return subprocess.run([sys.executable, "-c", "import django; django.setup()\n" + script], env=environment,
                          capture_output=True, text=True, timeout=120)


def test_production_mode_is_https_only_and_check_deploy_is_clean(tmp_path):
    done = production(tmp_path, """
import json
from django.conf import settings
from django.core.management import call_command
from django.test import Client
call_command("check", deploy=True, fail_level="WARNING")
page = "/static/office/office.css"  # a page that needs no database
plain = Client(SERVER_NAME="hq.pekanbaru.go.id").get(page)
tls = Client(SERVER_NAME="hq.pekanbaru.go.id").get(page, secure=True)
proxied = Client(SERVER_NAME="hq.pekanbaru.go.id", HTTP_X_FORWARDED_PROTO="https").get(page)
from axes.helpers import get_client_ip_address
from django.test import RequestFactory
behind = RequestFactory().get("/login/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 10.20.30.40")
print(json.dumps({"client": get_client_ip_address(behind), "mode": settings.HQ_MODE,
                  "plain": [plain.status_code, plain.get("Location")],
                  "tls": tls.status_code, "hsts": tls.get("Strict-Transport-Security"),
                  "csrf_secure": settings.CSRF_COOKIE_SECURE, "proxied": proxied.status_code,
                  "session_secure": settings.SESSION_COOKIE_SECURE}))
""")
    assert done.returncode == 0, done.stderr
    assert "System check identified no issues" in done.stdout
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["mode"] == "production"
    assert seen["plain"] == [301, "https://hq.pekanbaru.go.id/static/office/office.css"]
    assert seen["tls"] == 200 and seen["proxied"] == 200  # behind the TLS proxy's X-Forwarded-Proto
    assert seen["hsts"] == "max-age=31536000; includeSubDomains; preload"
    assert seen["csrf_secure"] and seen["session_secure"]
    assert seen["client"] == "10.20.30.40"  # the client the proxy saw: not the proxy, not what the client claimed


def test_the_local_demo_keeps_plain_http_and_a_wrong_mode_is_refused(hq, tmp_path, monkeypatch):
    from django.conf import settings

    from hq import settings as hq_settings

    assert settings.HQ_MODE == "local" and not settings.SECURE_SSL_REDIRECT  # the tests' (and demo's) localhost
    assert Client(SERVER_NAME="localhost").get("/login/").status_code == 200
    monkeypatch.setenv("SINOPSIS_HQ_MODE", "prod")
    with pytest.raises(ValueError, match="SINOPSIS_HQ_MODE='prod': use 'production'"):
        hq_settings._mode()
    monkeypatch.setenv("SINOPSIS_HQ_MODE", "production")
    assert hq_settings._mode() == "production"
