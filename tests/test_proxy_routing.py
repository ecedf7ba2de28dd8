"""deploy/nginx.conf's routing with two app processes (issue 23, load): a new browser goes to
the next process in turn, the answer's cookie keeps it there, a cookie naming no listed
process routes like a new browser, and a browser whose process has stopped is served by the
other one. Two small HTTP servers stand in for the Streamlit processes and answer with their
own name; nginx runs the shipped file (the loopback form bench/load.py makes). Skipped where
nginx is not installed, except under CI=true (``.ci/run`` installs it), where that fails."""

from __future__ import annotations

import threading
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bench.load import proxy_config
from tests.test_headers_doc import HEADERS, _free_port, nginx_or_skip, running_nginx


class _Named(BaseHTTPRequestHandler):
    def do_GET(self):
        body = self.server.name.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def _backend(name: str) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Named)
    server.name = name
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture
def two_processes(tmp_path):
    """nginx with the shipped configuration in front of backends "a" (the first process,
    8501 in the file) and "b" (the second, 8502); yields (url, backends)."""
    nginx_or_skip()
    backends = {"a": _backend("a"), "b": _backend("b")}
    port = _free_port()
    ports = [backends[n].server_address[1] for n in ("a", "b")]
    try:
        with running_nginx(proxy_config(ports, port, tmp_path), port) as url:
            yield url, backends
    finally:
        for server in backends.values():
            server.shutdown()
            server.server_close()


def _get(url: str, cookie: str | None = None) -> tuple[int, str, str | None, dict]:
    """(status, the backend that answered, the trygghet_proc cookie set, headers)."""
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        response = urllib.request.urlopen(request, timeout=10)
    except urllib.error.HTTPError as error:
        response = error
    with response:
        body = response.read().decode()
        headers = {k.lower(): v for k, v in response.headers.items()}
        set_cookie = [
            c.split(";", 1)[0].split("=", 1)[1]
            for c in response.headers.get_all("Set-Cookie") or []
            if c.startswith("trygghet_proc=")
        ]
    return response.status, body, (set_cookie[0] if set_cookie else None), headers


def test_new_browsers_take_the_processes_in_turn_and_their_cookie_keeps_them(two_processes):
    url, _ = two_processes
    answers = [_get(url + "/") for _ in range(10)]
    served = [body for _, body, _, _ in answers]
    # In turn, not by chance: a hash of a random cookie put 53-70 % of the work on one.
    assert served.count("a") == served.count("b") == 5
    assert all(x != y for x, y in zip(served, served[1:], strict=False)), served
    for status, body, cookie, headers in answers:
        assert status == 200
        assert cookie == {"a": "p1", "b": "p2"}[body]
        # The cookie's add_header sits beside the security headers and keeps them.
        for name, parts in HEADERS.items():
            assert all(part in headers.get(name, "") for part in parts), name
    for cookie, backend in (("p1", "a"), ("p2", "b")):
        for path in ("/", "/_stcore/health", "/static/x.js", "/_stcore/upload_file/s/f"):
            status, body, again, _ = _get(url + path, f"trygghet_proc={cookie}; other=1")
            assert (status, body, again) == (200, backend, cookie), (cookie, path)


@pytest.mark.parametrize(
    "forged", ["p3", "trygghet_p2", "127.0.0.1:22", "p12", "", "x; trygghet_proc=p9"]
)
def test_a_cookie_naming_no_listed_process_is_a_new_browser(two_processes, forged):
    url, _ = two_processes
    served = [_get(url + "/", f"trygghet_proc={forged}") for _ in range(4)]
    assert [status for status, *_ in served] == [200] * 4
    assert sorted(body for _, body, _, _ in served) == ["a", "a", "b", "b"]


def test_a_browser_whose_process_stopped_moves_with_its_cookie(two_processes):
    url, backends = two_processes
    backends["b"].shutdown()
    backends["b"].server_close()
    status, body, cookie, _ = _get(url + "/", "trygghet_proc=p2")
    assert (status, body, cookie) == (200, "a", "p1")


def test_answers_nginx_makes_itself_set_no_cookie(two_processes):
    url, _ = two_processes
    status, _, cookie, _ = _get(url + "/_stcore/metrics")
    assert (status, cookie) == (404, None)
