"""`sinopsis hq serve`: HQ's web app (the fleet dashboard) on Django's threaded WSGI server, without the
development server's autoreloader. Meant for this computer or an office LAN; behind a public address put a real
WSGI server and TLS in front of hq.wsgi instead."""

import logging
import threading
from collections.abc import Callable

from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler, get_internal_wsgi_application

logger = logging.getLogger(__name__)


def serve(host: str, port: int, stop: threading.Event, ready: Callable[[str], None] = print) -> None:
    """Listen on host:port (0: any free port), call `ready` with the dashboard's URL, answer requests until
    `stop` is set, then close. OSError (port taken, address unknown) comes out before `ready` is called."""
    server = ThreadedWSGIServer((host, port), WSGIRequestHandler, ipv6=":" in host)
    server.set_app(get_internal_wsgi_application())
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{server.server_address[1]}/"
    thread = threading.Thread(target=server.serve_forever, name="hq-web", daemon=True)
    thread.start()
    try:
        ready(url)
        stop.wait()
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
    logger.info("HQ web app on %s stopped", url)
