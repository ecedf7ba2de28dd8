"""A PostgreSQL server of the tests' own: ``initdb`` into a temporary directory and
``pg_ctl start`` listening only on a unix socket in that directory, as an unprivileged user
(the server refuses to run as root: CI runs as root, so the cluster runs as ``postgres``,
which Debian's package creates, or ``nobody``). Each test gets a fresh database in it."""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

USER = "trygghet"  # the cluster's superuser; trust authentication on the socket only


class Unavailable(Exception):
    """No PostgreSQL server could be started here (the reason as the message)."""


def _binaries() -> Path:
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0,
    )
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    if initdb is None:
        raise Unavailable("no initdb (apt-get install postgresql)")
    return Path(initdb).resolve().parent


def _runner() -> tuple[list[str], int | None]:
    """The command prefix that runs the server as an unprivileged user, and that user's id
    (None: the current user, who is not root)."""
    if os.geteuid() != 0:
        return [], None
    for name in ("postgres", "nobody"):
        try:
            uid = pwd.getpwnam(name).pw_uid
        except KeyError:
            continue
        return ["runuser", "-u", name, "--"], uid
    raise Unavailable("running as root without a postgres or nobody user")


class Cluster:
    def __init__(self):
        self.bin = _binaries()
        self.prefix, uid = _runner()
        # A short path: a unix socket's path may not exceed 107 bytes.
        self.root = Path(tempfile.mkdtemp(prefix="trygghet-pg-"))
        if uid is not None:
            os.chown(self.root, uid, -1)
        self.data = self.root / "data"
        self._numbers = itertools.count(1)
        self._run(
            "initdb",
            "-D",
            str(self.data),
            "-U",
            USER,
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
        )
        options = f"-k {self.root} -c listen_addresses='' -c fsync=off -c max_connections=200"
        log = str(self.root / "log")
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", log, "-w", "start")

    def _run(self, program: str, *args: str) -> None:
        done = subprocess.run(
            [*self.prefix, str(self.bin / program), *args],
            capture_output=True,
            text=True,
            cwd=self.root,
            timeout=120,
        )
        if done.returncode != 0:
            log = self.root / "log"
            tail = log.read_text()[-2000:] if log.exists() else ""
            raise Unavailable(f"{program} failed: {done.stderr.strip()} {tail}")

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://{USER}@/{database}?host={self.root}"

    def new_database(self) -> str:
        """A fresh, empty database; its SQLAlchemy URL."""
        import psycopg

        name = f"t{os.getpid()}_{next(self._numbers)}"
        with psycopg.connect(host=str(self.root), user=USER, dbname="postgres") as conn:
            conn.autocommit = True
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


def start() -> Cluster:
    """A running cluster, or Unavailable saying why not."""
    try:
        import psycopg  # noqa: F401
    except ImportError as exc:
        raise Unavailable("psycopg is not installed") from exc
    return Cluster()
