"""Hostile and real files through the import's limits: time to an answer and the parsing
child's peak resident memory. ``python -m bench.import_limits [--smoke]`` from the repository
root (``--smoke``: every case at a small size, in seconds; the small files need not be refused).

The hostile files are the ones issue 16 found (before: a 2 kB .xlsx took 5.86 GiB, a CSV
of a million columns ran over 100 s, a 150 MB single line peaked at 1.96 GiB, Kolada with a
million values did not finish in 110 s); the real ones must pass under the upload limits.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from lib.config import load_municipality
from lib.ingest import limits
from lib.ingest.limits import COMMAND_LINE, UPLOAD
from lib.ingest.loading import read_file

SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "formats"


def xlsx_bomb() -> bytes:
    from tests.test_limits import HEADER_ROW, cell, workbook

    body = HEADER_ROW + '<row r="2">' + cell("A2", "2019-01-01") + cell("B2", "Stöld") + "</row>"
    return workbook(body, dimension="A1:XFD1048576")


def shared_strings_bomb(mib: int = 1100) -> bytes:
    from tests.test_limits import HEADER_ROW, workbook

    shared = b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>'
    return workbook(HEADER_ROW, shared=shared + b"A" * (mib * 1024 * 1024) + b"</t></si></sst>")


def cases(muni, scale: int = 1):
    """The files, each ``scale`` times smaller than issue 16's (1: as found)."""
    from bench.overview import synthetic_incidents
    from lib.ingest.importers import to_swedish_csv

    yield "xlsx 2 kB declaring A1:XFD1048576", "bomb.xlsx", xlsx_bomb(), UPLOAD
    mib = 1100 // scale
    yield f"xlsx sharedStrings {mib} MiB unpacked", "s.xlsx", shared_strings_bomb(mib), COMMAND_LINE
    columns = 1_000_000 // scale
    wide = b";".join(b"k%d" % i for i in range(columns)) + b"\r\n" + b";" * (columns - 1) + b"\r\n"
    yield f"CSV {columns:,} columns", "bred.csv", wide, UPLOAD
    line = 150 * 2**20 // scale
    yield (
        f"CSV {line / 2**20:.1f} MiB single line",
        "rad.csv",
        b"datum;kategori\r\n" + b"x" * line,
        COMMAND_LINE,
    )
    entry = (
        b'{"kpi": "N07403", "municipality": "1861", "period": 2020, '
        b'"values": [{"count": 1, "gender": "T", "status": "", "value": 1.5}]}'
    )
    values = 1_000_000 // scale
    kolada = b'{"values": [' + b", ".join([entry] * values) + b"]}"
    yield f"Kolada {values:,} values", "kolada.json", kolada, COMMAND_LINE
    rows = 100_000 // scale
    csv = to_swedish_csv(synthetic_incidents(rows, muni), "incidents")
    yield f"incidents CSV {rows:,} rows (real shape)", "inc.csv", csv, UPLOAD
    police = SHARED / "polisen-events-orebro-lan-2023-2026.json"
    if police.is_file():
        yield "police feed 2023-2026 (real)", police.name, police.read_bytes(), UPLOAD


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="files 100x smaller (CI)")
    args = parser.parse_args()
    muni = load_municipality()
    print("| file | size | answer | seconds | child peak MiB |")
    print("|---|---|---|---|---|")
    for label, name, data, lim in cases(muni, 100 if args.smoke else 1):
        limits.LAST_PEAK_BYTES[0] = 0
        started = time.perf_counter()
        result = read_file(data, None, muni, name, limits=lim)
        seconds = time.perf_counter() - started
        answer = result.errors[0].reason[:70] if result.file_failed else f"{len(result.valid)} rows"
        peak = limits.LAST_PEAK_BYTES[0] / 2**20
        print(f"| {label} | {len(data) / 2**20:.1f} MiB | {answer} | {seconds:.1f} | {peak:.0f} |")


if __name__ == "__main__":
    main()
