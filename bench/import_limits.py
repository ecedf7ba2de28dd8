"""Hostile and real files through the import's limits: time to an answer and the parsing
child's peak resident memory. ``python -m bench.import_limits`` from the repository root.

The hostile files are the ones issue 16 found (before: a 2 kB .xlsx took 5.86 GiB, a CSV
of a million columns ran over 100 s, a 150 MB single line peaked at 1.96 GiB, Kolada with a
million values did not finish in 110 s); the real ones must pass under the upload limits.
"""

from __future__ import annotations

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


def shared_strings_bomb() -> bytes:
    from tests.test_limits import HEADER_ROW, workbook

    shared = b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>'
    return workbook(HEADER_ROW, shared=shared + b"A" * (1100 * 1024 * 1024) + b"</t></si></sst>")


def cases(muni):
    from bench.overview import synthetic_incidents
    from lib.ingest.importers import to_swedish_csv

    yield "xlsx 2 kB declaring A1:XFD1048576", "bomb.xlsx", xlsx_bomb(), UPLOAD
    yield "xlsx sharedStrings 1.1 GB unpacked", "s.xlsx", shared_strings_bomb(), COMMAND_LINE
    wide = b";".join(b"k%d" % i for i in range(1_000_000)) + b"\r\n" + b";" * 999_999 + b"\r\n"
    yield "CSV 1 000 000 columns", "bred.csv", wide, UPLOAD
    yield (
        "CSV 150 MB single line",
        "rad.csv",
        b"datum;kategori\r\n" + b"x" * 150 * 2**20,
        COMMAND_LINE,
    )
    entry = (
        b'{"kpi": "N07403", "municipality": "1861", "period": 2020, '
        b'"values": [{"count": 1, "gender": "T", "status": "", "value": 1.5}]}'
    )
    kolada = b'{"values": [' + b", ".join([entry] * 1_000_000) + b"]}"
    yield "Kolada 1 000 000 values", "kolada.json", kolada, COMMAND_LINE
    csv = to_swedish_csv(synthetic_incidents(100_000, muni), "incidents")
    yield "incidents CSV 100 000 rows (real shape)", "inc.csv", csv, UPLOAD
    police = SHARED / "polisen-events-orebro-lan-2023-2026.json"
    if police.is_file():
        yield "police feed 2023-2026 (real)", police.name, police.read_bytes(), UPLOAD


def main() -> None:
    muni = load_municipality()
    print("| file | size | answer | seconds | child peak MiB |")
    print("|---|---|---|---|---|")
    for label, name, data, lim in cases(muni):
        limits.LAST_PEAK_BYTES[0] = 0
        started = time.perf_counter()
        result = read_file(data, None, muni, name, limits=lim)
        seconds = time.perf_counter() - started
        answer = result.errors[0].reason[:70] if result.file_failed else f"{len(result.valid)} rows"
        peak = limits.LAST_PEAK_BYTES[0] / 2**20
        print(f"| {label} | {len(data) / 2**20:.1f} MiB | {answer} | {seconds:.1f} | {peak:.0f} |")


if __name__ == "__main__":
    main()
