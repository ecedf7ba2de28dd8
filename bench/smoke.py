"""Every benchmark's ``--smoke`` run, so a bench that no longer runs against today's code fails
CI (``.ci/run`` runs this after the tests).

``python -m bench.smoke [--jobs 2] [--timeout 600] [name ...]`` from the repo root.

Every module in ``bench/`` that runs as a program (it has an ``if __name__ == "__main__":``
block) is run as ``python -m bench.<name> --smoke``, in a process of its own; a module that
runs but has no ``--smoke`` fails here too, so a new bench cannot be left out. Library
modules (``calibration_towns``) run inside the benches that use them. Smoke runs measure
nothing: they check that each bench's code path still works, at sizes that take seconds.
Benches that need servers use the machine's own: PostgreSQL (``bench.tenants``, a temporary
cluster as the tests start) and nginx (``bench.load``, two app processes behind it).
"""

from __future__ import annotations

import argparse
import concurrent.futures
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
MAIN = 'if __name__ == "__main__":'


def programs() -> list[str]:
    """The benches that run as programs, by module name."""
    return sorted(
        p.stem
        for p in BENCH.glob("*.py")
        if p.stem != "smoke" and MAIN in p.read_text(encoding="utf-8")
    )


def smoke(name: str, timeout: float) -> tuple[str, float, str | None, str]:
    """(name, seconds, the failure or None, the output)."""
    command = [sys.executable, "-m", f"bench.{name}", "--smoke"]
    started = time.perf_counter()
    try:
        done = subprocess.run(
            command, cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired as exc:
        output = (exc.stdout or b"").decode(errors="replace") if exc.stdout else ""
        return name, time.perf_counter() - started, f"timeout after {timeout:.0f} s", output
    failure = None if done.returncode == 0 else f"exit status {done.returncode}"
    return name, time.perf_counter() - started, failure, done.stdout + done.stderr


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="only these benches (default: every one)")
    parser.add_argument("--jobs", type=int, default=1, help="smoke runs at a time")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds per bench")
    args = parser.parse_args(argv)
    found = programs()
    unknown = sorted(set(args.names) - set(found))
    if unknown:
        parser.error(f"no such bench: {', '.join(unknown)} (benches: {', '.join(found)})")
    names = args.names or found
    began = time.perf_counter()
    failed = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        jobs = [pool.submit(smoke, name, args.timeout) for name in names]
        for job in concurrent.futures.as_completed(jobs):
            name, seconds, failure, output = job.result()
            print(f"bench.{name} --smoke: {failure or 'ok'} ({seconds:.0f} s)", flush=True)
            if failure:
                failed.append(name)
                print("\n".join(output.splitlines()[-40:]), flush=True)
    took = time.perf_counter() - began
    print(f"{len(names) - len(failed)} of {len(names)} bench smoke runs passed in {took:.0f} s")
    if failed:
        raise SystemExit(f"failed: {', '.join(sorted(failed))}")


if __name__ == "__main__":
    main()
