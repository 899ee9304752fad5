"""`sinopsis hq serve` is gunicorn (hq/fleet/server.py): the real server on port 0 in its own process, its
login page and a static file as whitenoise serves it (hashed name, immutable cache, gzip), a taken port as a
clear error, a clean stop on SIGTERM; and `sinopsis hq nginx-site`, checked by Debian's `nginx -t` when nginx is
installed (else by its text)."""

import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from sinopsis.cli import main

BOUND_S = 60  # only how long a failing wait takes to give up


def fetch(url: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=BOUND_S) as answer:  # noqa: S310
        return answer.status, dict(answer.headers), answer.read()


def test_serve_is_gunicorn_with_whitenoise_and_stops_on_sigterm(hq: Path, tmp_path: Path, capsys):
    data = tmp_path / "hq"
    data.mkdir(mode=0o700)
    shutil.copy2(hq / "secret_key", data / "secret_key")
    with sqlite3.connect(hq / "hq.sqlite3") as source, sqlite3.connect(data / "hq.sqlite3") as copy:
        source.backup(copy)  # the session's migrated database (WAL included): no second migration
    with (tmp_path / "serve.log").open("w") as log:
        process = subprocess.Popen([sys.executable, "-m", "sinopsis", "hq", "serve", "--port", "0", "--workers", "1",
                                    "--threads", "2", "--data", str(data)], stdout=subprocess.PIPE, stderr=log,
                                   text=True)
    try:
        line = process.stdout.readline()
        assert "dashboard on http://127.0.0.1:" in line, (tmp_path / "serve.log").read_text()
        url = line.split(" on ")[1].split()[0]
        status, headers, body = fetch(url + "login/?q=1471010101080001")
        assert status == 200 and headers["Server"] == "gunicorn" and "Masuk" in body.decode()
        css = re.search(r'href="(/static/fleet/fleet\.[0-9a-f]{12}\.css)"', body.decode())
        assert css, "the login page links the collected, hashed stylesheet"
        status, headers, body = fetch(url.rstrip("/") + css[1], **{"Accept-Encoding": "gzip"})
        assert status == 200 and headers["Content-Type"].startswith("text/css")
        assert "immutable" in headers["Cache-Control"] and headers["Content-Encoding"] == "gzip"
        assert (data / "static" / "staticfiles.json").is_file()

        port = int(url.rsplit(":", 1)[1].strip("/"))
        assert main(["hq", "serve", "--port", str(port)]) == 2  # taken: refused at once, gunicorn never starts
        assert f"cannot listen on 127.0.0.1:{port}" in capsys.readouterr().err
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=BOUND_S) == 0, (tmp_path / "serve.log").read_text()
    log_text = (tmp_path / "serve.log").read_text()
    assert "Traceback" not in log_text and "Shutting down: Master" in log_text
    assert re.search(r'127\.0\.0\.1 "GET /login/" 200 \d+ \d+ms', log_text), "one access line a request, on stderr"
    assert "1471010101080001" not in log_text  # the path only: a query string (a search by NIK) is not logged


def test_nginx_site_is_a_tls_proxy_that_nginx_accepts(tmp_path: Path, capsys):
    cert, key, site = tmp_path / "hq.crt", tmp_path / "hq.key", tmp_path / "sinopsis-hq"
    assert main(["hq", "nginx-site", "--server-name", "sinopsis.example.go.id", "--cert", str(cert), "--key",
                 str(key), "--out", str(site)]) == 0
    text = site.read_text()
    for directive in ("listen 443 ssl;", "server_name sinopsis.example.go.id;", f"ssl_certificate {cert};",
                      f"ssl_certificate_key {key};", "server 127.0.0.1:8000;", "proxy_pass http://sinopsis_hq;",
                      "proxy_set_header X-Forwarded-Proto https;", "proxy_set_header X-Forwarded-For $remote_addr;",
                      "return 301 https://$host$request_uri;"):
        assert directive in text, directive
    assert text.count("{") == text.count("}")
    assert "does not exist here yet" in capsys.readouterr().err  # no certificate made yet: said, not refused

    assert main(["hq", "nginx-site", "--server-name", "bad name;", "--cert", str(cert), "--key", str(key)]) == 2
    assert "--server-name 'bad name;': not a host name" in capsys.readouterr().err
    nginx = shutil.which("nginx") or os.environ.get("SINOPSIS_TEST_NGINX")
    if nginx is None or shutil.which("openssl") is None:
        pytest.skip("Debian's nginx is not installed: the site was checked by its text only")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                    "-nodes", "-days", "1", "-subj", "/CN=sinopsis.example.go.id", "-keyout", str(key), "-out",
                    str(cert)], check=True, capture_output=True)
    conf = tmp_path / "nginx.conf"
    conf.write_text(f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
                    "http {\n    access_log off;\n" + "".join(f"    {kind}_temp_path {tmp_path}/{kind};\n" for kind in (
                        "client_body", "proxy", "fastcgi", "uwsgi", "scgi")) + f"    include {site};\n}}\n")
    checked = subprocess.run([nginx, "-t", "-q", "-p", str(tmp_path), "-c", str(conf)], capture_output=True,
                             text=True)
    assert checked.returncode == 0, checked.stderr
