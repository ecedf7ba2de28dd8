"""Concurrent viewers against a local server: N headless Chromium pages open a page at once
and each one's time is measured until the script has finished
(``[data-testid='stApp'][data-test-script-state='notRunning']`` after the page's title) with
no ``stException``; the server's resident memory is read after each round.

    python -m bench.load                       # N = 1 5 10 20 40 on /
    python -m bench.load --n 1 5 10 --path /karta --servers 2

Loopback only, bounded: at most --max-n pages per round and --budget seconds in all (a
round that would start after the budget is skipped and reported as such). ``--servers 2``
starts two app processes on one store and spreads the pages over them (as the upstream
block in deploy/nginx.conf would).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
DONE = "[data-testid='stApp'][data-test-script-state='notRunning']"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(db: Path, log: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    command = [sys.executable, "-m", "streamlit", "run", "dashboard.py"]
    command += ["--server.headless", "true", "--server.address", "127.0.0.1"]
    command += ["--server.port", str(port), "--server.fileWatcherType", "none"]
    command += ["--browser.gatherUsageStats", "false"]
    env = {**os.environ, "TRYGGHET_DB": str(db)}
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log.open("wb"), stderr=-2)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return process, url
        except OSError:
            time.sleep(0.25)
    process.kill()
    raise SystemExit(f"server did not start, see {log}")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def one_page(browser, url: str, path: str) -> tuple[float, bool]:
    context = await browser.new_context(viewport={"width": 1366, "height": 768}, locale="sv-SE")
    try:
        page = await context.new_page()
        page.set_default_timeout(120_000)
        start = time.perf_counter()
        await page.goto(url + path)
        await page.locator("h1").first.wait_for()  # the page's own run has started
        await page.wait_for_selector(DONE)
        elapsed = time.perf_counter() - start
        failed = await page.locator("[data-testid='stException']").count() > 0
        return elapsed, failed
    finally:
        await context.close()


async def run(args) -> None:
    from playwright.async_api import async_playwright

    workdir = Path(tempfile.mkdtemp(prefix="trygghet-load-"))
    servers = [start_server(workdir / "trygghet.db", workdir / "server0.log")]
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(
            executable_path=CHROMIUM, args=["--headless=new", "--no-sandbox", "--disable-gpu"]
        )
        try:
            await one_page(browser, servers[0][1], args.path)  # seeds the store
            for i in range(1, args.servers):
                servers.append(start_server(workdir / "trygghet.db", workdir / f"server{i}.log"))
                await one_page(browser, servers[i][1], args.path)
            began = time.monotonic()
            print(f"path {args.path}, {args.servers} server process(es), 2 warm-up loads done")
            print("N\tmedian s\tp95 s\tmax s\terrors\tserver RSS MB")
            for n in args.n:
                if n > args.max_n or time.monotonic() - began > args.budget:
                    print(f"{n}\tskipped (bound)")
                    continue
                jobs = [
                    one_page(browser, servers[i % len(servers)][1], args.path) for i in range(n)
                ]
                results = await asyncio.gather(*jobs)
                times = sorted(r[0] for r in results)
                p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
                rss = "+".join(f"{rss_mb(p.pid):.0f}" for p, _ in servers)
                errors = sum(r[1] for r in results)
                print(
                    f"{n}\t{statistics.median(times):.2f}\t{p95:.2f}\t{times[-1]:.2f}\t"
                    f"{errors}\t{rss}",
                    flush=True,
                )
        finally:
            await browser.close()
            for process, _ in servers:
                process.terminate()
                process.wait(timeout=20)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, nargs="+", default=[1, 5, 10, 20, 40])
    parser.add_argument("--path", default="/")
    parser.add_argument("--servers", type=int, default=1, choices=(1, 2))
    parser.add_argument("--max-n", type=int, default=40)
    parser.add_argument("--budget", type=float, default=300.0, help="seconds for all rounds")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
