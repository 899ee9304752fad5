"""`sinopsis hq nginx-site`: the TLS front of HQ's web app, as a site file for Debian's nginx.

nginx answers HTTPS on 443 (HTTP on 80 only redirects), with the office's certificate, and passes every request
to `sinopsis hq serve` (gunicorn on 127.0.0.1:8000) over kept-alive connections. It writes the two headers HQ's
production settings trust from the proxy and nothing else may set: X-Forwarded-Proto (https, so Django knows the
request was secure: SECURE_PROXY_SSL_HEADER) and X-Forwarded-For (the client's own address, right-most, which
the login throttle counts: hq/applications/account_throttle.client_address). The other scheme headers gunicorn
knows are cleared, so a client cannot send a contradicting one. HSTS, cookies and the redirect rules come from
Django itself (hq/settings.py), static files from whitenoise (cached by the browser, gzipped).
"""

import re
from pathlib import Path

from hq.errors import HqError

HOST_NAME = re.compile(r"^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}"
                       r"[A-Za-z0-9])?)*$")
UPSTREAM = re.compile(r"^(\[[0-9A-Fa-f:]+\]|[A-Za-z0-9.-]+):([0-9]{1,5})$")
MAX_UPLOAD = "25m"  # a school list (10 MB at most, hq/applications/tabular.py) or an attachment, with room

SITE = """\
# SINOPSIS HQ over HTTPS for {name}: Debian's nginx in front of `sinopsis hq serve` on {upstream}.
# Made by `sinopsis hq nginx-site`; install as /etc/nginx/sites-available/sinopsis-hq, link it into
# sites-enabled/, then `nginx -t && systemctl reload nginx`. Set SINOPSIS_HQ_ALLOWED_HOSTS={name} for HQ.

upstream sinopsis_hq {{
    server {upstream};
    keepalive 16;
}}

server {{
    listen 80;
    listen [::]:80;
    server_name {name};
    return 301 https://$host$request_uri;
}}

server {{
    listen 443 ssl;
    listen [::]:443 ssl;
    server_name {name};

    ssl_certificate {cert};
    ssl_certificate_key {key};
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_prefer_server_ciphers off;
    ssl_session_cache shared:SinopsisHQ:10m;
    ssl_session_timeout 1d;
    ssl_session_tickets off;

    client_max_body_size {max_upload};

    location / {{
        proxy_pass http://sinopsis_hq;
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_set_header Host $host;
        proxy_set_header X-Forwarded-Proto https;
        proxy_set_header X-Forwarded-For $remote_addr;
        proxy_set_header X-Forwarded-Protocol "";
        proxy_set_header X-Forwarded-Ssl "";
        proxy_redirect off;
        proxy_read_timeout 120s;
    }}
}}
"""


def site_text(server_name: str, cert: Path, key: Path, upstream: str = "127.0.0.1:8000") -> str:
    """The nginx site for `server_name` with this certificate and key (absolute paths), proxying to `upstream`
    (host:port of `sinopsis hq serve`). HqError names the argument, the rule and what to give instead."""
    if not HOST_NAME.match(server_name):
        raise HqError(f"--server-name {server_name!r}: not a host name (letters, digits, '-' and dots, e.g. "
                      "sinopsis.disdukcapil.pekanbaru.go.id); give HQ's public name", "hq.nginx_site")
    match = UPSTREAM.match(upstream)
    if not match or not 1 <= int(match.group(2)) <= 65535:
        raise HqError(f"--upstream {upstream!r}: not host:port (e.g. 127.0.0.1:8000, where `sinopsis hq serve` "
                      "listens)", "hq.nginx_site")
    paths = {}
    for option, path in (("--cert", cert), ("--key", key)):
        text = str(Path(path).absolute())
        if re.search(r"[\s;{}'\"#$\\]", text):
            raise HqError(f"{option} {text}: nginx cannot take a path with spaces, quotes or ; {{ }} # $ \\; "
                          "move the file to a plain path (e.g. /etc/ssl/sinopsis/)", "hq.nginx_site")
        paths[option] = text
    return SITE.format(name=server_name, upstream=upstream, cert=paths["--cert"], key=paths["--key"],
                       max_upload=MAX_UPLOAD)
