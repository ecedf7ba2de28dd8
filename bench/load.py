"""Concurrent viewers against a local server: N sessions open a page at once and each page's
time is measured until the script has finished; the server's resident memory and CPU time
are read after each round.

    python -m bench.load                       # N = 1 5 10 20 40 on /, websocket client
    python -m bench.load --n 1 5 10 --path /karta --servers 2
    python -m bench.load --servers 2 --proxy   # two processes behind deploy/nginx.conf
    python -m bench.load --client browser      # headless Chromium pages instead
    python -m bench.load --smoke               # seconds, for CI: see ``SMOKE``

Two clients:

- ``ws`` (default): a small client that speaks Streamlit's own protocol, as the browser
  does: it GETs the page (for the XSRF cookie), opens ``/_stcore/stream`` with the token as
  subprotocol, sends a ``rerun_script`` BackMsg whose ClientState carries the query string,
  page name and context, and reads ForwardMsgs until ``script_finished``. A page counts only
  when the run finished successfully, its title (a heading) and at least ``--min-deltas``
  elements arrived, and no exception element or error box came; anything else (or a
  timeout) is an error. It costs the client a few milliseconds of CPU per page, so the
  times measure the server.
- ``browser``: N headless Chromium pages; the time runs until
  ``[data-testid='stApp'][data-test-script-state='notRunning']`` after the page's title with
  no ``stException``. Chromium's renderers share the machine's cores with the server, so
  these times measure the browsers as much as the server.

Each of the N sessions loads the page ``--loads`` times one after the other (a new
connection each time, a new viewer), so a round has N x loads samples at a concurrency of
N. Loopback only, bounded: at most --max-n sessions per round and --budget seconds in all
(a round that would start after the budget is skipped and reported as such).
``--servers 2`` starts two app processes on one store and spreads the sessions over them;
with ``--proxy`` they sit behind deploy/nginx.conf (TLS and rate limits left out, its
``#2`` lines for the second process in use) and every session goes through nginx, as in
production: a new viewer goes to the next process in turn and its cookie keeps it there.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# --smoke: two processes behind nginx (when nginx is installed), 1 and 2 sessions, one page
# each, every page a new filter choice: every code path in seconds, nothing measured.
SMOKE = {"n": [1, 2], "loads": 1, "vary": True, "servers": 2, "proxy": True, "budget": 120.0}
CHROMIUM = "/usr/bin/chromium"
DONE = "[data-testid='stApp'][data-test-script-state='notRunning']"
NGINX_CONF = ROOT / "deploy" / "nginx.conf"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_healthy(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.25)
    process.kill()
    raise SystemExit(f"server did not start, see {log}")


def start_server(db: Path, log: Path, port: int | None = None) -> tuple[subprocess.Popen, str]:
    port = port or free_port()
    command = [sys.executable, "-m", "streamlit", "run", "dashboard.py"]
    command += ["--server.headless", "true", "--server.address", "127.0.0.1"]
    command += ["--server.port", str(port), "--server.fileWatcherType", "none"]
    command += ["--browser.gatherUsageStats", "false"]
    env = {**os.environ, "TRYGGHET_DB": str(db)}
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log.open("wb"), stderr=-2)
    url = f"http://127.0.0.1:{port}"
    wait_healthy(url, process, log)
    return process, url


# The ports of the processes deploy/nginx.conf names; its "#2 " lines are the second one's.
SHIPPED_PORTS = ("8501", "8502")


def proxy_config(
    app_ports: list[int],
    port: int,
    workdir: Path,
    limits: bool = False,
    access_log: Path | None = None,
) -> Path:
    """deploy/nginx.conf on loopback without TLS (the cookie without ``Secure``), in a minimal
    nginx.conf, with the shipped processes on ``app_ports``: one, or two with the file's
    ``#2`` lines in use. The per-address rate and connection limits are lifted unless
    ``limits``: here every session comes from 127.0.0.1, as all viewers behind one office's
    or school's NAT would."""
    if not 1 <= len(app_ports) <= len(SHIPPED_PORTS):
        raise ValueError(f"deploy/nginx.conf names {len(SHIPPED_PORTS)} processes at most")
    text = NGINX_CONF.read_text(encoding="utf-8")
    text = re.sub(r"server \{\s*listen 80;.*?\n\}\n", "", text, count=1, flags=re.S)
    text = text.replace("listen 443 ssl http2;", f"listen 127.0.0.1:{port};")
    text = re.sub(r"^\s*ssl_\w+ .*;\n", "", text, flags=re.M)
    text = text.replace("; Secure;", ";")
    if not limits:
        text = re.sub(r"^\s*limit_(req|conn) .*;\n", "", text, flags=re.M)
    if len(app_ports) > 1:
        text = re.sub(r"^#2 ?", "", text, flags=re.M)
    else:
        text = re.sub(r"^#2.*\n", "", text, flags=re.M)
    ports = dict(zip(SHIPPED_PORTS, app_ports, strict=False))
    text = re.sub(r":(850\d)\b", lambda m: f":{ports[m.group(1)]}", text)
    site = workdir / "site.conf"
    site.write_text(text, encoding="utf-8")
    temp = {n: workdir / n for n in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")}
    for folder in temp.values():
        folder.mkdir(exist_ok=True)
    main = workdir / "nginx.conf"
    main.write_text(
        ("user root;\n" if os.getuid() == 0 else "")
        + f"daemon off;\npid {workdir}/nginx.pid;\nerror_log {workdir}/nginx-error.log;\n"
        + "events { worker_connections 1024; }\nhttp {\n"
        + (f"  access_log {access_log};\n" if access_log else "  access_log off;\n")
        + "".join(f"  {n}_temp_path {p};\n" for n, p in temp.items())
        + "  types { text/html html; application/javascript js; text/css css; }\n"
        + f"  include {site};\n}}\n",
        encoding="utf-8",
    )
    return main


def start_proxy(app_urls: list[str], workdir: Path, limits: bool) -> tuple[subprocess.Popen, str]:
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    port = free_port()
    ports = [int(u.rsplit(":", 1)[1]) for u in app_urls]
    conf = proxy_config(ports, port, workdir, limits)
    log = workdir / "nginx.log"
    process = subprocess.Popen([nginx, "-c", str(conf)], stdout=log.open("wb"), stderr=-2)
    url = f"http://127.0.0.1:{port}"
    wait_healthy(url, process, log)
    return process, url


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# --- the websocket client -------------------------------------------------------------------


@dataclass
class Page:
    seconds: float
    error: str | None = None
    deltas: int = 0
    kinds: set = field(default_factory=set)


def _browser_cookies(base: str, page_url: str) -> dict[str, str]:
    """The requests a browser makes before it opens the websocket, each with the cookies the
    answers before it set: the page (behind nginx, its answer names the process that will
    hold the session), the health check (which sets Streamlit's XSRF cookie) and the host
    configuration."""
    cookies: dict[str, str] = {}
    for url in (page_url, base + "/_stcore/health", base + "/_stcore/host-config"):
        request = urllib.request.Request(url, headers=_cookie_header(cookies))
        with urllib.request.urlopen(request, timeout=60) as response:
            response.read()
            for header in response.headers.get_all("Set-Cookie") or []:
                name, _, rest = header.partition("=")
                cookies[name.strip()] = rest.split(";", 1)[0]
    return cookies


def _cookie_header(cookies: dict[str, str]) -> dict[str, str]:
    return {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())} if cookies else {}


def rerun_message(url: str, path: str, query: str) -> bytes:
    """The BackMsg the browser sends when it opens ``path?query``: page name from the path
    (empty for the default page), no page hash yet, no widget states, Swedish context."""
    from streamlit.proto.BackMsg_pb2 import BackMsg

    msg = BackMsg()
    state = msg.rerun_script
    state.query_string = query
    state.page_name = path.strip("/")
    state.page_script_hash = ""
    state.context_info.timezone = "Europe/Stockholm"
    state.context_info.timezone_offset = -60
    state.context_info.locale = "sv-SE"
    state.context_info.url = url + path + (f"?{query}" if query else "")
    state.context_info.is_embedded = False
    state.context_info.color_scheme = "light"
    return msg.SerializeToString()


def _check(msg, page: Page) -> str | None:
    """Count a ForwardMsg into ``page``; the error it shows, if any."""
    from streamlit.proto.Alert_pb2 import Alert

    kind = msg.WhichOneof("type")
    if kind == "page_not_found":
        return "page not found"
    if kind != "delta" or msg.delta.WhichOneof("type") != "new_element":
        return None
    element = msg.delta.new_element
    page.deltas += 1
    page.kinds.add(element.WhichOneof("type"))
    if element.WhichOneof("type") == "exception":
        return f"exception: {element.exception.type}: {element.exception.message[:80]}"
    if element.WhichOneof("type") == "alert" and element.alert.format == Alert.ERROR:
        return f"error box: {element.alert.body[:80]}"
    return None


async def ws_page(url: str, path: str, query: str, min_deltas: int, timeout: float) -> Page:
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    from websockets.asyncio.client import connect

    start = time.perf_counter()
    page = Page(0.0)
    try:
        async with asyncio.timeout(timeout):
            page_url = url + path + (f"?{query}" if query else "")
            cookies = await asyncio.to_thread(_browser_cookies, url, page_url)
            token = cookies.get("_streamlit_xsrf")
            if token is None:
                raise RuntimeError("no XSRF cookie from /_stcore/health")
            ws_url = "ws" + url.removeprefix("http") + "/_stcore/stream"
            protocols = ["streamlit", token]
            headers = _cookie_header(cookies)
            async with connect(
                ws_url,
                origin=url,
                subprotocols=protocols,
                additional_headers=headers,
                max_size=None,
                proxy=None,
            ) as ws:
                await ws.send(rerun_message(url, path, query))
                async for raw in ws:
                    msg = ForwardMsg()
                    msg.ParseFromString(raw)
                    page.error = page.error or _check(msg, page)
                    if msg.WhichOneof("type") == "script_finished":
                        if msg.script_finished != ForwardMsg.FINISHED_SUCCESSFULLY:
                            page.error = page.error or f"finished: {msg.script_finished}"
                        break
                else:
                    page.error = page.error or "connection closed before the run finished"
    except TimeoutError:
        page.error = f"timeout after {timeout:.0f} s"
    except Exception as exc:  # a refused connection is a result, not a crash
        page.error = f"{type(exc).__name__}: {exc}"
    page.seconds = time.perf_counter() - start
    if page.error is None and "heading" not in page.kinds:
        page.error = "no title arrived"
    if page.error is None and page.deltas < min_deltas:
        page.error = f"only {page.deltas} elements"
    return page


# --- the browser client ---------------------------------------------------------------------


async def browser_page(browser, url: str, path: str, query: str, timeout: float) -> Page:
    context = await browser.new_context(viewport={"width": 1366, "height": 768}, locale="sv-SE")
    try:
        page = await context.new_page()
        page.set_default_timeout(timeout * 1000)
        start = time.perf_counter()
        await page.goto(url + path + (f"?{query}" if query else ""))
        await page.locator("h1").first.wait_for()  # the page's own run has started
        await page.wait_for_selector(DONE)
        elapsed = time.perf_counter() - start
        failed = await page.locator("[data-testid='stException']").count() > 0
        return Page(elapsed, "stException" if failed else None)
    except Exception as exc:
        return Page(float(timeout), f"{type(exc).__name__}")
    finally:
        await context.close()


# --- rounds ---------------------------------------------------------------------------------


def p95(times: list[float]) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def varied_queries(seed: int = 1) -> itertools.cycle:
    """Filter combinations a public viewer can ask for (one or all localities, one or all
    categories), the default left out, shuffled with a fixed seed: every page of a run asks
    a question the caches have not seen until the ~150 combinations run out."""
    from lib.config import load_municipality
    from lib.ingest.sample import CATEGORIES

    places = [None, *load_municipality().locality_names]
    kinds = [None, *sorted({c.name for c in CATEGORIES})]
    combos = [(p, k) for p in places for k in kinds if p or k]
    random.Random(seed).shuffle(combos)
    pairs = [{"ort": p, "kategori": k} for p, k in combos]
    return itertools.cycle(urllib.parse.urlencode({k: v for k, v in q.items() if v}) for q in pairs)


async def session(open_page, url: str, loads: int, queries) -> list[Page]:
    return [await open_page(url, next(queries)) for _ in range(loads)]


async def run(args) -> int:
    """The rounds; returns the number of pages that failed."""
    failed = 0
    workdir = Path(tempfile.mkdtemp(prefix="trygghet-load-"))
    servers: list[tuple[subprocess.Popen, str]] = []
    proxy = None
    browser = pw = None
    try:
        if args.client == "browser":
            from playwright.async_api import async_playwright

            pw = await async_playwright().start()
            browser = await pw.chromium.launch(
                executable_path=CHROMIUM, args=["--headless=new", "--no-sandbox", "--disable-gpu"]
            )

            async def open_page(url: str, query: str) -> Page:
                return await browser_page(browser, url, args.path, query, args.timeout)
        else:

            async def open_page(url: str, query: str) -> Page:
                return await ws_page(url, args.path, query, args.min_deltas, args.timeout)

        queries = varied_queries() if args.vary else itertools.repeat(args.query)

        for i in range(args.servers):
            servers.append(start_server(workdir / "trygghet.db", workdir / f"server{i}.log"))
            warm = await open_page(servers[i][1], args.query)  # the first seeds the store
            if warm.error:
                raise SystemExit(f"warm-up page failed: {warm.error}")
        targets = [url for _, url in servers]
        if args.proxy:
            proxy = start_proxy(targets, workdir, args.proxy_limits)
            targets = [proxy[1]]
            warm = await open_page(proxy[1], args.query)
            if warm.error:
                raise SystemExit(f"warm-up page through nginx failed: {warm.error}")
        began = time.monotonic()
        via = " behind nginx" if args.proxy else ""
        print(
            f"client {args.client}, path {args.path or '/'}"
            + (f"?{args.query}" if args.query else "")
            + (", a new filter combination per page" if args.vary else "")
            + f", {args.servers} server process(es){via}, {args.loads} load(s) per session"
        )
        # "CPU-s per server": each process's CPU seconds in the round, so an uneven spread
        # of the work over the processes shows beside the times.
        print(
            "| N | pages | median s | p95 s | max s | errors | CPU-s/page | CPU-s per server "
            "| RSS MB | load |"
        )
        print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for n in args.n:
            if n > args.max_n or time.monotonic() - began > args.budget:
                print(f"| {n} | skipped (bound) |")
                continue
            cpu_before = [cpu_seconds(p.pid) for p, _ in servers]
            jobs = [
                session(open_page, targets[i % len(targets)], args.loads, queries) for i in range(n)
            ]
            pages = [p for result in await asyncio.gather(*jobs) for p in result]
            each = [cpu_seconds(p.pid) - b for (p, _), b in zip(servers, cpu_before, strict=True)]
            cpu = sum(each)
            times = [p.seconds for p in pages]
            errors = [p.error for p in pages if p.error]
            rss = "+".join(f"{rss_mb(p.pid):.0f}" for p, _ in servers)
            print(
                f"| {n} | {len(pages)} | {statistics.median(times):.2f} | {p95(times):.2f} | "
                f"{max(times):.2f} | {len(errors)} | {cpu / len(pages):.3f} | "
                f"{'+'.join(f'{c:.1f}' for c in each)} | {rss} | "
                f"{os.getloadavg()[0]:.1f} |",
                flush=True,
            )
            for error in sorted(set(errors))[:3]:
                print(f"  error: {error}", flush=True)
            failed += len(errors)
    finally:
        if browser is not None:
            await browser.close()
            await pw.stop()
        if proxy is not None:
            proxy[0].terminate()
            proxy[0].wait(timeout=20)
        for process, _ in servers:
            process.terminate()
            process.wait(timeout=20)
        shutil.rmtree(workdir, ignore_errors=True)
    return failed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, nargs="+", default=[1, 5, 10, 20, 40])
    parser.add_argument("--path", default="/")
    parser.add_argument("--query", default="", help="query string without '?', e.g. ort=Vretstorp")
    parser.add_argument("--vary", action="store_true", help="each page another filter choice")
    parser.add_argument("--client", choices=("ws", "browser"), default="ws")
    parser.add_argument("--loads", type=int, default=2, help="pages per session, one by one")
    parser.add_argument("--servers", type=int, default=1, choices=(1, 2))
    parser.add_argument("--proxy", action="store_true", help="through deploy/nginx.conf")
    parser.add_argument(
        "--proxy-limits", action="store_true", help="keep nginx's per-address rate limits"
    )
    parser.add_argument("--min-deltas", type=int, default=10, help="elements a page must send")
    parser.add_argument("--max-n", type=int, default=40)
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per page")
    parser.add_argument("--budget", type=float, default=300.0, help="seconds for all rounds")
    parser.add_argument("--smoke", action="store_true", help="every path in seconds (CI)")
    args = parser.parse_args()
    if args.smoke:
        for key, value in SMOKE.items():
            setattr(args, key, value)
        if not (shutil.which("nginx") or Path("/usr/sbin/nginx").exists()):
            if os.environ.get("CI") == "true":  # CI installs nginx: its absence is a failure
                raise SystemExit("--smoke under CI=true needs nginx (apt-get install nginx)")
            print("nginx is not installed: the smoke runs without the proxy")
            args.proxy = False
    if args.loads < 1 or args.loads > 10:
        parser.error("--loads must be 1..10")
    failed = asyncio.run(run(args))
    if failed and args.smoke:  # a real run reports its errors; a smoke fails on them
        raise SystemExit(f"{failed} page(s) failed")


if __name__ == "__main__":
    main()
