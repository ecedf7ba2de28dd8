"""Resource limits for reading files, checked before a parser touches the bytes, and the
child process uploaded files are parsed in.

Every limit is here, in one place. They are generous for the files analysts really have (the
police's open events for a whole county over four years are 1.6 MB and 8 300 JSON objects; a
100 000-row incidents CSV is 9.3 MB, as .xlsx 4.9 MB and 48 MB unpacked) and refuse, with a
Swedish message and before any parsing, files that would take the server's memory or time:
a tiny .xlsx declaring a huge sheet, a CSV of a million columns, a 150 MB single line, a JSON
file of a million objects. Whatever slips past the checks is parsed in a child process with a
ceiling on its address space and a timeout (``run_isolated``), so one hostile file cannot
stall the other sessions of the app.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import resource
import sys
import threading
import tomllib
import traceback
import types
import zipfile
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from lib.config import ROOT
from lib.i18n import fmt_int, t

MIB = 1024 * 1024
STREAMLIT_CONFIG = ROOT / ".streamlit" / "config.toml"
COMMAND_LINE_MB = 200  # the command line is for whoever has the server: larger files


def configured_upload_mb(path: Path = STREAMLIT_CONFIG) -> int:
    """``server.maxUploadSize`` from .streamlit/config.toml: Streamlit's own limit, which the
    data page repeats in Swedish, so the two can never disagree."""
    try:
        with path.open("rb") as fh:
            return int(tomllib.load(fh)["server"]["maxUploadSize"])
    except (OSError, KeyError, ValueError, tomllib.TOMLDecodeError):
        return 200  # Streamlit's default when the setting is missing


MAX_UPLOAD_MB = configured_upload_mb()


@dataclass(frozen=True)
class Limits:
    """What one read may cost. ``memory_mb`` is the child's address space on top of what it
    starts with; ``timeout_s`` a ceiling on its wall time."""

    max_file_mb: int
    max_rows: int = 2_000_000
    max_columns: int = 1_000
    max_cells: int = 20_000_000
    max_line_kb: int = 1_024
    max_unpacked_mb: int = 1_024  # an .xlsx's zip members, declared and actual, together
    max_json_objects: int = 1_000_000  # '{' in the file: an upper bound on its objects
    max_sheets: int = 250  # worksheets in one workbook (each costs openpyxl a parse)
    memory_mb: int = 3_072
    timeout_s: float = 120.0

    def with_file_mb(self, mb: int) -> Limits:
        return replace(self, max_file_mb=mb)


# The web page: a file anybody signed in can send. The command line: the server's own user,
# who also imports the benchmark's million rows.
UPLOAD = Limits(
    max_file_mb=MAX_UPLOAD_MB, max_json_objects=500_000, memory_mb=2_048, timeout_s=90.0
)
COMMAND_LINE = Limits(max_file_mb=COMMAND_LINE_MB, memory_mb=8_192, timeout_s=900.0)


class TooComplex(Exception):
    """The child ran out of memory or time, or died: the file is too big or too complex."""


# --- Checks on the bytes, before parsing ---------------------------------------------------


def too_large(size: int, limits: Limits) -> str | None:
    if size <= limits.max_file_mb * MIB:
        return None
    from lib.i18n import fmt_num

    return t("err.too_large", size=fmt_num(size / MIB, 0), limit=limits.max_file_mb)


def line_number(data: bytes, offset: int) -> int:
    """The 1-based line (as an editor counts, '\\n' or a lone '\\r') holding byte ``offset``."""
    head = data[:offset]
    return head.count(b"\n") + head.count(b"\r") - head.count(b"\r\n") + 1


def nul_problem(data: bytes) -> str | None:
    """A NUL byte has no place in a text file (and would be stored as part of a value)."""
    at = data.find(b"\x00")
    if at < 0:
        return None
    return t("err.nul_byte", line=line_number(data, at))


def _line_stats(data: bytes, chunk: int = 16 * MIB) -> tuple[int, int]:
    """(number of lines, longest line in bytes) in one linear pass, a chunk at a time so the
    extra memory stays bounded whatever the file."""
    lines, longest, start = 0, 0, 0
    view = memoryview(data)
    for offset in range(0, len(data), chunk):
        part = np.frombuffer(view[offset : offset + chunk], dtype=np.uint8)
        # A line ends at LF, or at a CR not followed by LF (Excel writes CRLF: one end).
        following = np.empty_like(part)
        following[:-1] = part[1:]
        after = offset + len(part)
        following[-1] = data[after] if after < len(data) else 0
        ends = np.flatnonzero((part == 10) | ((part == 13) & (following != 10))) + offset
        if len(ends):
            gaps = np.diff(ends, prepend=start - 1) - 1
            longest = max(longest, int(gaps.max()))
            lines += len(ends)
            start = int(ends[-1]) + 1
    longest = max(longest, len(data) - start)
    return lines + (start < len(data)), longest


def text_problem(data: bytes, delimiter_of, limits: Limits) -> str | None:
    """Columns in the first line, line length and rows of a CSV, each against its limit.
    ``delimiter_of`` picks the separator from the first line's text."""
    first_end = min((i for i in (data.find(b"\n"), data.find(b"\r")) if i >= 0), default=-1)
    first = data[: first_end if first_end >= 0 else min(len(data), limits.max_line_kb * 1024)]
    delimiter = delimiter_of(first.decode("latin-1")).encode("latin-1")
    columns = first.count(delimiter) + 1
    if columns > limits.max_columns:
        return t("err.too_many_columns", count=fmt_int(columns), limit=fmt_int(limits.max_columns))
    lines, longest = _line_stats(data)
    if longest > limits.max_line_kb * 1024:
        return t(
            "err.line_too_long", size=fmt_int(longest // 1024), limit=fmt_int(limits.max_line_kb)
        )
    # Blank lines and quoted line breaks make this an upper bound on rows, never lower.
    if lines > limits.max_rows + 1:
        return t("err.too_many_rows", count=fmt_int(lines - 1), limit=fmt_int(limits.max_rows))
    if (lines - 1) * columns > limits.max_cells:
        return t("err.too_many_cells", limit=fmt_int(limits.max_cells))
    return None


def json_problem(data: bytes, limits: Limits) -> str | None:
    objects = data.count(b"{")
    if objects > limits.max_json_objects:
        return t(
            "err.too_many_objects", count=fmt_int(objects), limit=fmt_int(limits.max_json_objects)
        )
    return None


def xlsx_problem(data: bytes, limits: Limits) -> str | None:
    """An .xlsx is a zip: its members' declared sizes, and then their actual sizes (read
    through zipfile a block at a time, never more than the limit), must stay under the limit
    before openpyxl opens it. A damaged zip is left to openpyxl's own refusal."""
    import io

    budget = limits.max_unpacked_mb * MIB
    refused = t("err.xlsx_unpacked", limit=fmt_int(limits.max_unpacked_mb))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as book:
            members = book.infolist()
            if sum(m.file_size for m in members) > budget:
                return refused
            total = 0
            for member in members:
                with book.open(member) as fh:
                    while block := fh.read(MIB):
                        total += len(block)
                        if total > budget:
                            return refused
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError,
            NotImplementedError, RuntimeError):  # fmt: skip
        return None
    return None


# --- The child process ---------------------------------------------------------------------

# Never "__main__": while Streamlit runs a page, ``sys.modules["__main__"]`` is that page's
# script, and a forkserver preloading it would run the page outside the app (opening the
# store, once even an old one in a test run). See ``_no_main_script``.
_PRELOAD = ["lib.ingest.importers", "openpyxl"]
_STARTING = threading.Lock()


@contextlib.contextmanager
def _no_main_script():
    """While a child (and the forkserver, on first use) is started, ``__main__`` is a module
    without a file. multiprocessing starts a child by importing the parent's main script
    again, and under Streamlit that is the page being run (its script runner puts the page's
    module in ``sys.modules["__main__"]``): the child would run a page. The readers live in
    ``lib``; nothing in a child needs the main script. tests/test_limits.py checks that a
    child does not run it."""
    with _STARTING:
        saved = sys.modules.get("__main__")
        sys.modules["__main__"] = types.ModuleType("__main__")
        try:
            yield
        finally:
            if saved is not None:
                sys.modules["__main__"] = saved


def _address_space() -> int:
    """The process's current virtual size in bytes (Linux), 0 where unknown."""
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[0]) * resource.getpagesize()
    except (OSError, ValueError, IndexError):
        return 0


def _child(conn, func, args, memory_mb: int) -> None:
    try:
        ceiling = _address_space() + memory_mb * MIB
        resource.setrlimit(resource.RLIMIT_AS, (ceiling, resource.getrlimit(resource.RLIMIT_AS)[1]))
        value = func(*args)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        conn.send(("ok", value, peak))
    except (MemoryError, RecursionError):
        conn.send(("memory", None, 0))
    except BaseException:  # a bug, not the file: the parent logs it
        conn.send(("error", traceback.format_exc(), 0))
    finally:
        conn.close()


def _context():
    context = multiprocessing.get_context("forkserver")
    # Fork from a server that has already imported pandas and openpyxl: a read starts in
    # milliseconds, and never forks the app's own threads.
    context.set_forkserver_preload(_PRELOAD)
    return context


LAST_PEAK_BYTES = [0]  # the last child's peak resident size (for tests and benchmarks)


def run_isolated(func, args: tuple, limits: Limits):
    """``func(*args)`` in a child process with at most ``limits.memory_mb`` more address
    space and ``limits.timeout_s`` seconds; raises TooComplex when it cannot finish.
    ``func`` and its arguments and result must pickle."""
    if sys.platform != "linux":  # no forkserver/RLIMIT_AS: read in the process itself
        return func(*args)
    context = _context()
    receive, send = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(send, func, args, limits.memory_mb))
    process.daemon = True
    try:
        with _no_main_script():
            process.start()
    except (RuntimeError, OSError) as exc:
        # A main script without the ``if __name__ == "__main__"`` guard cannot start a
        # forkserver child: read in the process itself rather than not at all.
        send.close()
        receive.close()
        logging.getLogger(__name__).warning("no child process (%s): reading in-process", exc)
        return func(*args)
    send.close()
    try:
        if not receive.poll(limits.timeout_s):
            raise TooComplex("timeout")
        status, value, peak = receive.recv()
    except (EOFError, OSError) as exc:  # the child died (killed by the kernel, a crash)
        raise TooComplex("died") from exc
    finally:
        if process.is_alive():
            process.kill()
        process.join(10)
        receive.close()
    if status == "error":
        logging.getLogger(__name__).error("reading a file failed in the child:\n%s", value)
    if status != "ok":
        raise TooComplex(status)
    LAST_PEAK_BYTES[0] = peak
    return value
