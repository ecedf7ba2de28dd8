"""The shipped reverse-proxy configuration (deploy/nginx.conf) sets every security header
issue 16 asked for (tests/browser/test_proxy.py runs it in front of the app)."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CONF = ROOT / "deploy" / "nginx.conf"
README = ROOT / "README.md"
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
HEADERS = {
    "content-security-policy": ["frame-ancestors 'self'", "default-src 'self'", "wss:"],
    "x-frame-options": ["SAMEORIGIN"],
    "x-content-type-options": ["nosniff"],
    "referrer-policy": ["no-referrer"],
}


def shipped_headers(text: str) -> dict[str, str]:
    found = re.findall(r'^\s*add_header\s+([\w-]+)\s+"([^"]*)"\s+always;', text, re.M)
    return {name.lower(): value for name, value in found}


def test_the_proxy_config_sets_each_header_and_limits_rates():
    text = CONF.read_text(encoding="utf-8")
    headers = shipped_headers(text)
    for name, parts in HEADERS.items():
        assert name in headers, name
        for part in parts:
            assert part in headers[name], (name, part)
    csp = headers["content-security-policy"]
    assert "'unsafe-eval'" not in csp and "object-src 'none'" in csp
    assert "limit_req_zone" in text and "limit_req zone=" in text
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in text  # replaced, not appended
    assert re.search(r"location \^~ /_stcore/upload_file/ \{[^}]*access_log off;", text)


def test_readme_has_deployment_and_security_sections():
    """The README is a front door: short sections that say the essentials and link the
    documents that hold the details, which say how to run it safely."""
    text = README.read_text(encoding="utf-8")
    for heading in ("## Deployment", "## Security"):
        assert heading in text
    for must in ("deploy/nginx.conf", "chmod 600", "0600", "backup", "127.0.0.1"):
        assert must in text, must
    assert len(text.encode("utf-8")) <= 12_000  # issue 23.6: a front door, not the manual
    deployment = (ROOT / "docs" / "deployment.md").read_text(encoding="utf-8")
    for must in ("deploy/nginx.conf", "chmod 600", "0600", "backup", "127.0.0.1"):
        assert must in deployment, must
    for linked in re.findall(r"\]\((docs/[\w./-]+\.md)", text):
        assert (ROOT / linked).is_file(), linked


# --- nginx in front of the real app ------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def nginx_or_skip() -> None:
    """A skip where nginx is not installed, except under CI=true (``.ci/run`` installs
    it), where that fails."""
    if NGINX is None:
        if os.environ.get("CI") == "true":
            pytest.fail("nginx is not installed under CI=true", pytrace=False)
        pytest.skip("nginx is not installed (apt-get install nginx)")


@contextlib.contextmanager
def running_nginx(conf: Path, port: int) -> Iterator[str]:
    """nginx with ``conf`` (checked first), listening on ``port``, until the block ends;
    yields its URL."""
    check = subprocess.run([NGINX, "-t", "-c", str(conf)], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    process = subprocess.Popen([NGINX, "-c", str(conf)], stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


def local_config(app_port: int, port: int, workdir: Path) -> Path:
    """deploy/nginx.conf without TLS, on loopback ports, with its rate limits, inside a
    minimal nginx.conf (bench/load.py makes it the same way for the load bench)."""
    from bench.load import proxy_config

    return proxy_config([app_port], port, workdir, limits=True, access_log=workdir / "access.log")


def test_the_proxy_caps_uploads_at_the_apps_limit():
    """Finding 4: viewers filled memory with 290 MiB uploads. The app refuses bodies over
    server.maxUploadSize (413) and the proxy refuses them before they reach it."""
    import tomllib

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    limit = config["server"]["maxUploadSize"]
    assert limit <= 50
    upload = re.search(r"location \^~ /_stcore/upload_file/ \{([^}]*)\}", CONF.read_text())
    assert upload and f"client_max_body_size {limit}m;" in upload.group(1)
