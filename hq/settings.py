"""Django settings of HQ, from the environment so one install serves the demo, the tests and the office.

Every number below is read by one parser (`_bounded`): text, nan, infinities and values out of range stop HQ at
start with the variable's name, what it is for and its range (never a bare "invalid literal", never clamped).

- SINOPSIS_HQ_DATA: the data directory (SQLite file, stored packets, quarantine, secret key);
  default ~/.local/share/sinopsis/hq. `sinopsis hq --data DIR` sets it.
- SINOPSIS_HQ_DATABASE_URL: postgres://user:pass@host:5432/name to use PostgreSQL instead of SQLite.
- SINOPSIS_HQ_MQTT_URL: mqtt[s]://user[:password]@host:port of the broker (password also from
  SINOPSIS_HQ_MQTT_PASSWORD); default mqtt://hq-ingest@127.0.0.1:1883.
  On the office's TLS broker (mqtts://): SINOPSIS_HQ_MQTT_CA (HQ's CA), SINOPSIS_HQ_MQTT_CERT and
  SINOPSIS_HQ_MQTT_KEY (HQ ingest's client certificate from `sinopsis provision hq-cert`; no password then).
- SINOPSIS_HQ_SECRET_KEY (else generated once into the data dir), SINOPSIS_HQ_DEBUG=1,
  SINOPSIS_HQ_ALLOWED_HOSTS (comma-separated; default localhost names).
- Mail (password resets): SINOPSIS_HQ_SMTP_HOST[:port] sends through that server (SINOPSIS_HQ_SMTP_USER,
  SINOPSIS_HQ_SMTP_PASSWORD, STARTTLS); without it every mail is written as a file into <data>/mail/ (the demo).
  SINOPSIS_HQ_MAIL_FROM (default sinopsis@localhost).
- SINOPSIS_HQ_SIAK_ADAPTER: the SIAK adapter class (default hq.applications.siak.ExtractSiak, the imported extract).
- SINOPSIS_HQ_PACKET_KEY: HQ's packet-decryption key (PEM) for the service report's record details (hq/reports).
- SINOPSIS_HQ_ASSIGNMENT_KEY: HQ's assignment-signing key (PEM; default made once in <data>/keys/, hq/keys.py).
- Fleet dashboard: SINOPSIS_HQ_LOST_AFTER_S (an online station silent this long is shown lost; default 300),
  SINOPSIS_HQ_POLL_MS (how often the open page fetches fresh numbers; default 5000), SINOPSIS_HQ_HEALTH_KEEP_DAYS
  (days each station's Health reports are kept for its history; default 30; those that counted a withdrawal stay).
- SINOPSIS_HQ_INGEST_HEARTBEAT_S: how often each ingest worker says `ingest/state` online again (default 30 s;
  stations take HQ as offline after their `[agent] ingest_lease_s` without one).
- SINOPSIS_HQ_INGEST_KEEPALIVE_S: the ingest workers' MQTT keepalive (default 30 s, 5 to 600): a link that goes
  silent is noticed after about 1.5 times this, by the broker and by the worker.
- Group commit at ingest: SINOPSIS_HQ_INGEST_GROUP_BATCHES (default 64), SINOPSIS_HQ_INGEST_GROUP_MB (default 64)
  and SINOPSIS_HQ_INGEST_GROUP_WAIT_MS (default 5): the batches waiting in a worker's inbox are stored together,
  up to that many batches or megabytes, the first waiting at most that long for others (0: only those already
  there); one flush of the files and one transaction per group (hq/ingest/group.py).
- SINOPSIS_HQ_MODE: `production` or `local`. Production (the default whenever SINOPSIS_HQ_ALLOWED_HOSTS names
  anything but this computer) answers HTTPS only: secure cookies, HSTS (SINOPSIS_HQ_HSTS_S, default one year),
  redirect to HTTPS, and it trusts `X-Forwarded-Proto: https` from the TLS reverse proxy in front of
  `sinopsis hq serve` (the proxy must set that header itself). Local (the demo, the tests, development on
  localhost) keeps plain HTTP. `python -m django check --deploy` is clean in production.
- Web server (`sinopsis hq serve`, gunicorn: hq/fleet/server.py): SINOPSIS_HQ_WEB_WORKERS worker processes
  (default: one per CPU core), SINOPSIS_HQ_WEB_THREADS threads each (default 2); `--workers`/`--threads` win.
  Static files are served by whitenoise from <data>/static, collected (hashed, gzipped) at every start.
- Web security for every mode: logins throttled per account and per address (django-axes,
  hq/applications/account_throttle.py; SINOPSIS_HQ_LOGIN_FAILURES, default 10, lock a user name or an address
  for SINOPSIS_HQ_LOGIN_LOCK_MIN, default 15 minutes) and a Content-Security-Policy that allows this site's
  own scripts and styles only (django-csp; no inline script or style in any template).
"""

import datetime as dt
import os
import secrets
from pathlib import Path

from csp.constants import NONE, SELF

from contract.durable import private_dir
from contract.numbers import read_number, wanted
from hq.dburl import parse_database_url, sqlite_database
from hq.fleet.catalog import compile_all

BASE_DIR = Path(__file__).resolve().parent
HQ_DATA_DIR = Path(os.environ.get("SINOPSIS_HQ_DATA") or Path.home() / ".local/share/sinopsis/hq").resolve()
private_dir(HQ_DATA_DIR)  # 0700: it holds the records and (on SQLite) the database, all personal data
HQ_MQTT_URL = os.environ.get("SINOPSIS_HQ_MQTT_URL", "mqtt://hq-ingest@127.0.0.1:1883")
HQ_COMMAND_TTL_S = 3600  # default MQTT message expiry of a command to a station
HQ_SIAK_ADAPTER = os.environ.get("SINOPSIS_HQ_SIAK_ADAPTER", "hq.applications.siak.ExtractSiak")


def _bounded(name: str, default: float, low: float, high: float, what: str, whole: bool = False) -> float:
    """A number from `low` to `high` (a whole one when `whole`) from the environment variable `name` (`default` when
    unset): every number HQ reads from its environment comes through here. A refusal names the variable, what it is
    for and the range; text, nan, infinities and numbers out of range are refused, never clamped or half-read."""
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    value = read_number(text, low, high, whole)
    if value is None:
        raise ValueError(f"{name}={text!r}: give {wanted(low, high, whole)} ({what}), or leave it unset")
    return value


def _whole(name: str, default: int, low: int, high: int, what: str) -> int:
    return int(_bounded(name, default, low, high, what, whole=True))


HQ_LOST_AFTER_S = _bounded("SINOPSIS_HQ_LOST_AFTER_S", 300, 10, 86_400,
                           "seconds of silence after which an online station shows as lost")
HQ_POLL_MS = _whole("SINOPSIS_HQ_POLL_MS", 5000, 100, 600_000, "milliseconds between the dashboard's refreshes")
HQ_INGEST_HEARTBEAT_S = _bounded("SINOPSIS_HQ_INGEST_HEARTBEAT_S", 30, 0.1, 3600,
                                 "seconds between an ingest worker's `online` heartbeats")
HQ_INGEST_KEEPALIVE_S = _whole("SINOPSIS_HQ_INGEST_KEEPALIVE_S", 30, 5, 600, "seconds of the ingest's MQTT keepalive")
# A station's Health reports older than this are deleted now and then as new ones arrive (hq/fleet/liveness.py): at
# 1,000 kits reporting every minute they are 1.4 million rows a day. Those whose withdrawals counter rose stay.
HQ_HEALTH_KEEP_DAYS = _bounded("SINOPSIS_HQ_HEALTH_KEEP_DAYS", 30, 1, 3650, "days a station's Health reports are kept")


# Group commit at ingest (hq/ingest/group.py): a worker stores the batches waiting in its inbox together, up to
# this many batches or bytes, waiting at most this long after the first for more to arrive.
HQ_INGEST_GROUP_BATCHES = _whole("SINOPSIS_HQ_INGEST_GROUP_BATCHES", 64, 1, 1000, "batches stored together")
HQ_INGEST_GROUP_MB = _bounded("SINOPSIS_HQ_INGEST_GROUP_MB", 64, 1, 4096, "megabytes stored together")
HQ_INGEST_GROUP_WAIT_MS = _bounded("SINOPSIS_HQ_INGEST_GROUP_WAIT_MS", 5, 0, 1000,
                                   "milliseconds the first batch of a group waits for others")


HQ_WEB_WORKERS = _whole("SINOPSIS_HQ_WEB_WORKERS", min(64, max(1, len(os.sched_getaffinity(0)))), 1, 64,
                        "web workers: about one per CPU core")
HQ_WEB_THREADS = _whole("SINOPSIS_HQ_WEB_THREADS", 2, 1, 64, "threads per web worker")


def _secret_key(data_dir: Path) -> str:
    """The key from the environment, else the one kept in the data dir (made once, 0600, never replaced)."""
    if os.environ.get("SINOPSIS_HQ_SECRET_KEY"):
        return os.environ["SINOPSIS_HQ_SECRET_KEY"]
    path = data_dir / "secret_key"
    if not path.exists():
        tmp = data_dir / f".tmp-secret_key.{secrets.token_hex(4)}"
        tmp.write_text(secrets.token_urlsafe(50))
        tmp.chmod(0o600)
        try:
            os.link(tmp, path)  # fails if another process made it first: both then read the same key
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return path.read_text().strip()


SECRET_KEY = _secret_key(HQ_DATA_DIR)
DEBUG = os.environ.get("SINOPSIS_HQ_DEBUG") == "1"
ALLOWED_HOSTS = [h for h in os.environ.get("SINOPSIS_HQ_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",") if h]
LOCAL_HOSTS = {"localhost", "127.0.0.1", "[::1]", "::1"}


def _mode() -> str:
    """`production` or `local`: SINOPSIS_HQ_MODE when set, else local only for an HQ that serves this computer
    (every allowed host a loopback name) or runs with DEBUG; a refusal names the variable and its values."""
    mode = os.environ.get("SINOPSIS_HQ_MODE", "").strip().lower()
    if mode in ("production", "local"):
        return mode
    if mode:
        raise ValueError(f"SINOPSIS_HQ_MODE={mode!r}: use 'production' (HTTPS only) or 'local' (this computer's "
                         "demo or development), or leave it unset")
    return "local" if DEBUG or set(ALLOWED_HOSTS) <= LOCAL_HOSTS else "production"


HQ_MODE = _mode()
PRODUCTION = HQ_MODE == "production"

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",  # failed logins per account and address (AccessAttempt), the lockouts the office unlocks
    "hq.fleet",
    "hq.ingest",
    "hq.applications",
    "hq.lists",
    "hq.helpdesk",
    "hq.reports",
    "hq.office",  # last: its post_migrate gives the roles their permissions once every app has made its own
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",  # /static/: before sessions and the database (hq/staticfiles.py)
    "django.contrib.sessions.middleware.SessionMiddleware",
    "hq.fleet.middleware.LanguageMiddleware",  # Indonesian unless English was chosen (not the browser's)
    "django.middleware.common.CommonMiddleware",
    "hq.applications.site_address.SiteAddressMiddleware",  # the request's address for the applicants' mail links
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a locked-out login into the lockout page
]

ROOT_URLCONF = "hq.urls"
WSGI_APPLICATION = "hq.wsgi.application"
TEMPLATES = [{
    "BACKEND": "django.template.backends.django.DjangoTemplates",
    "DIRS": [],
    "APP_DIRS": True,
    "OPTIONS": {"context_processors": [
        "django.template.context_processors.request",
        "django.contrib.auth.context_processors.auth",
        "django.contrib.messages.context_processors.messages",
        "hq.office.context.office",  # the person's roles and menu on every page
        "hq.helpdesk.context.help_desk",  # the help desk's contacts on every page
    ]},
}]

DATABASES = {"default": parse_database_url(os.environ["SINOPSIS_HQ_DATABASE_URL"])
             if os.environ.get("SINOPSIS_HQ_DATABASE_URL") else sqlite_database(HQ_DATA_DIR / "hq.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "hq.applications.account_throttle.WebLoginThrottle",  # first: a locked-out login stops here
    "django.contrib.auth.backends.ModelBackend",
]
# Logins: 10 failures in a row lock that user name (from any address) and that address (for any user name) for
# 15 minutes; a right password resets the count; the office's admin unlocks earlier (/applications/lockouts/).
AXES_FAILURE_LIMIT = _whole("SINOPSIS_HQ_LOGIN_FAILURES", 10, 1, 1000, "failed logins in a row that lock")
AXES_COOLOFF_TIME = dt.timedelta(minutes=_whole("SINOPSIS_HQ_LOGIN_LOCK_MIN", 15, 1, 10_080, "minutes a lock lasts"))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "hq.applications.account_throttle.lockout_response"
# Behind the TLS proxy every request comes from the proxy's address: the throttle counts the client's own, from
# the X-Forwarded-For the proxy writes (production only), or one locked "address" would lock every office user out.
AXES_CLIENT_IP_CALLABLE = "hq.applications.account_throttle.client_address"
AXES_ENABLE_ADMIN = False  # no Django admin site: the office's own page unlocks
LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/office/"

LANGUAGE_CODE = "id"
LANGUAGES = [("id", "Bahasa Indonesia"), ("en", "English")]
LOCALE_PATHS = compile_all(HQ_DATA_DIR / "locale")  # hq/locale and hq/*/locale compiled at start (no .mo in git)
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True

# Content-Security-Policy: the site's own files only; the application's QR is an inline SVG image (data:).
CONTENT_SECURITY_POLICY = {"DIRECTIVES": {
    "default-src": [SELF], "script-src": [SELF], "style-src": [SELF], "img-src": [SELF, "data:"],
    "object-src": [NONE], "base-uri": [NONE], "frame-ancestors": [NONE], "form-action": [SELF],
}}
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
if PRODUCTION:  # HTTPS only, behind the office's TLS reverse proxy (systemd/sinopsis-hq-web.service)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = _whole("SINOPSIS_HQ_HSTS_S", 31_536_000, 0, 63_072_000, "seconds browsers keep to HTTPS")
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

STATIC_URL = "static/"
STATIC_ROOT = HQ_DATA_DIR / "static"  # `sinopsis hq serve` collects into it at start
private_dir(STATIC_ROOT)  # 0700 like the rest of the data dir (hq/staticfiles.py)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "hq.staticfiles.HqStaticStorage"},
}
WHITENOISE_USE_FINDERS = True  # a file not collected (yet) is served from its app's static folder
WHITENOISE_ALLOW_ALL_ORIGINS = False  # no other site needs the office's files

if os.environ.get("SINOPSIS_HQ_SMTP_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST, _, _port = os.environ["SINOPSIS_HQ_SMTP_HOST"].strip().partition(":")
    _smtp_port = read_number(_port, 1, 65_535, whole=True) if _port else 587
    if _smtp_port is None:
        raise ValueError(f"SINOPSIS_HQ_SMTP_HOST={os.environ['SINOPSIS_HQ_SMTP_HOST']!r}: give host or host:port, "
                         "the port a number from 1 to 65535 (587 when left out)")
    EMAIL_PORT = int(_smtp_port)
    EMAIL_HOST_USER = os.environ.get("SINOPSIS_HQ_SMTP_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("SINOPSIS_HQ_SMTP_PASSWORD", "")
    EMAIL_USE_TLS = True
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = HQ_DATA_DIR / "mail"
DEFAULT_FROM_EMAIL = os.environ.get("SINOPSIS_HQ_MAIL_FROM", "sinopsis@localhost")

# The official letters (the SPT, hq/lists/spt_pdf.py): letterhead, signer's office and the public address printed
# in the letter's verification QR. Each SINOPSIS_HQ_LETTER_* key overrides one default below; LOGO is a PNG, JPEG
# or SVG file (default: the neutral placeholder emblem hq/lists/static/lists/emblem.svg, not the city's coat of arms).
# SINOPSIS_HQ_PUBLIC_URL: HQ's address as the public reaches it (https://…); default the address of the request.
HQ_PUBLIC_URL = os.environ.get("SINOPSIS_HQ_PUBLIC_URL", "").rstrip("/")
HQ_LETTER = {key: os.environ.get(f"SINOPSIS_HQ_LETTER_{key.upper()}", default) for key, default in (
    ("government", "PEMERINTAH KOTA PEKANBARU"),
    ("office", "DINAS KEPENDUDUKAN DAN PENCATATAN SIPIL"),
    ("address", "Kompleks Perkantoran Tenayan Raya, Pekanbaru, Riau"),  # examples: set the office's own
    ("phone", "(0761) 000000"),
    ("email", "disdukcapil@pekanbaru.go.id"),
    ("website", "disdukcapil.pekanbaru.go.id"),
    ("city", "Pekanbaru"),
    ("head", "Kepala Dinas Kependudukan dan Pencatatan Sipil Kota Pekanbaru"),
    ("logo", ""),
)}
