"""`sinopsis hq serve`: HQ's web app (the office and the fleet dashboard) on gunicorn, a production WSGI server.

One master process and `workers` worker processes (default: one per CPU core this process may use;
SINOPSIS_HQ_WEB_WORKERS or --workers), each answering with `threads` threads (gthread: a browser's idle
keep-alive or pre-opened connection does not hold a whole worker, as it would a sync worker). The master binds
the socket itself before gunicorn starts, so a taken port is a clear error at once (gunicorn would retry for
5 s) and `--port 0` knows the port it got; gunicorn takes the open socket as `fd://N`.

At start the static files are collected into <data>/static (hashed, gzipped: hq/staticfiles.py) and the app is
loaded once in the master (preload), so a broken setting stops the start instead of every worker.
SIGTERM and SIGHUP (the terminal closed) stop it gracefully: no new connections, the requests in progress are
answered (up to GRACEFUL_S), then the workers and the master exit 0. SIGINT (Ctrl-C) stops at once. A SIGHUP
ignored at start (`nohup`) stays ignored. In production it listens on 127.0.0.1 behind the office's TLS proxy
(`sinopsis hq nginx-site`, hq/fleet/nginx_site.py).
"""

import logging
import os
import signal
import socket
import sys
from collections.abc import Callable
from typing import Any

from gunicorn import glogging
from gunicorn.app.base import BaseApplication
from gunicorn.arbiter import Arbiter

logger = logging.getLogger(__name__)
GRACEFUL_S = 10  # how long a stop waits for the requests in progress
TIMEOUT_S = 60  # a worker silent this long (a request stuck) is restarted; report exports can take seconds
ACCESS_FORMAT = '%(h)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'  # client, method, path, status, bytes, time taken


def default_workers() -> int:
    """One worker per CPU core this process may run on (at least 1)."""
    return max(1, len(os.sched_getaffinity(0)))


def listen(host: str, port: int) -> socket.socket:
    """A listening TCP socket on host:port (0: any free port); OSError (port taken, address unknown) as is."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    return socket.create_server((host, port), family=family, backlog=2048)


def url_of(sock: socket.socket) -> str:
    """http://host:port/ of a listening socket (IPv6 in brackets)."""
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"


class _StopOnHup(Arbiter):
    """gunicorn's master, with SIGHUP a graceful stop like SIGTERM (gunicorn reloads on it; HQ's configuration
    comes from the environment, which a reload would not reread anyway)."""

    def init_signals(self) -> None:
        ignored = signal.getsignal(signal.SIGHUP) == signal.SIG_IGN
        super().init_signals()
        if ignored:  # nohup: the user asked the server to outlive the terminal
            signal.signal(signal.SIGHUP, signal.SIG_IGN)

    def handle_hup(self) -> None:
        self.log.info("SIGHUP: stopping as on SIGTERM")
        raise StopIteration


class _OneLog(glogging.Logger):
    """gunicorn's logger with the access log ("-") on stderr beside everything else the server logs: stdout
    carries only the line with the URL (`sinopsis hq serve --port 0`), which a caller may read through a pipe."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        if cfg.accesslog == "-":
            self._set_handler(self.access_log, "-", logging.Formatter(self.access_fmt), stream=sys.stderr)


class _HqApplication(BaseApplication):
    """gunicorn configured in code (no gunicorn.conf.py, no GUNICORN_CMD_ARGS) around HQ's WSGI app."""

    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from django.core.servers.basehttp import get_internal_wsgi_application

        return get_internal_wsgi_application()

    def run(self) -> None:
        _StopOnHup(self).run()


def collect_static() -> None:
    """Copy the apps' static files into STATIC_ROOT, hashed and gzipped (quick: a handful of small files)."""
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)


def serve(sock: socket.socket, workers: int, threads: int, ready: Callable[[str], None] = print) -> int:
    """Answer HTTP on the listening `sock` with gunicorn until SIGTERM, SIGHUP or SIGINT; call `ready` with the
    URL once the master listens. Returns the exit status (0 for a clean stop). Takes the socket over (closes it)."""
    from django.db import connections

    url = url_of(sock)
    collect_static()
    connections.close_all()  # no database connection may cross the fork into the workers
    options = {
        "bind": [f"fd://{sock.detach()}"], "workers": workers, "threads": threads, "worker_class": "gthread",
        "preload_app": True, "graceful_timeout": GRACEFUL_S, "timeout": TIMEOUT_S, "keepalive": 5,
        "control_socket_disable": True, "errorlog": "-", "loglevel": "info", "proc_name": "sinopsis-hq-web",
        # one line per request on the same log: the path without its query string (a search may carry a NIK)
        "accesslog": "-", "access_log_format": ACCESS_FORMAT, "logger_class": _OneLog,
        "when_ready": lambda _arbiter: ready(url),
        # the TLS proxy on this computer sets X-Forwarded-For/-Proto; gunicorn trusts them from 127.0.0.1 only
        "forwarded_allow_ips": "127.0.0.1,::1",
    }
    try:
        _HqApplication(options).run()
        code = 0
    except SystemExit as e:  # the arbiter ends with sys.exit: 0 after a clean stop
        code = e.code if isinstance(e.code, int) else 1
    logger.info("HQ web app on %s stopped (exit %d)", url, code)
    return code
