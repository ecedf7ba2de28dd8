"""Resource limits before parsing (issue 16, finding 3): files built to exhaust the server
are refused with a Swedish message, within a generous time ceiling and with bounded memory,
while the analysts' real files pass. Parsing runs in a child process with an address-space
ceiling and a timeout, so what slips past the checks cannot stall the app."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
import tomllib
import types
import zipfile

import pandas as pd
import pytest

from lib.ingest import limits
from lib.ingest.importers import _map_headers, to_swedish_csv
from lib.ingest.limits import COMMAND_LINE, UPLOAD, Limits, TooComplex, run_isolated
from lib.ingest.loading import import_bytes, parse_file, read_file
from tests.conftest import ROOT, SHARED, table_snapshot

GiB = 1024**3
CEILING_S = 120  # generous: a refusal takes seconds, the old behaviour minutes or never
BIG_POLICE = SHARED / "formats" / "polisen-events-orebro-lan-2023-2026.json"


def refused_quickly(muni, data: bytes, name: str, lim: Limits, *words: str) -> str:
    started = time.monotonic()
    raw = parse_file(data, name, muni, lim)
    assert time.monotonic() - started < CEILING_S
    assert raw.problem is not None and raw.frame is None
    for word in words:
        assert word in raw.problem, raw.problem
    assert limits.LAST_PEAK_BYTES[0] < 1 * GiB  # the child's peak resident size
    return raw.problem


# --- .xlsx ------------------------------------------------------------------------------------

XML = '<?xml version="1.0" encoding="UTF-8"?>'
OPC = "http://schemas.openxmlformats.org"
DOC = f"{OPC}/officeDocument/2006/relationships"
SHEETML = "application/vnd.openxmlformats-officedocument.spreadsheetml"
CONTENT_TYPES = (
    f'{XML}<Types xmlns="{OPC}/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/xl/workbook.xml" ContentType="{SHEETML}.sheet.main+xml"/>'
    f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{SHEETML}.worksheet+xml"/>'
    f'<Override PartName="/xl/sharedStrings.xml" ContentType="{SHEETML}.sharedStrings+xml"/>'
    "</Types>"
)
RELS = (
    f'{XML}<Relationships xmlns="{OPC}/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{DOC}/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
WORKBOOK = (
    f'{XML}<workbook xmlns="{OPC}/spreadsheetml/2006/main" xmlns:r="{DOC}">'
    '<sheets><sheet name="Blad1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    f'{XML}<Relationships xmlns="{OPC}/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{DOC}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{DOC}/sharedStrings" Target="sharedStrings.xml"/>'
    "</Relationships>"
)
SHEET_HEAD = f'{XML}<worksheet xmlns="{OPC}/spreadsheetml/2006/main">'


def workbook(sheet_body: str, dimension: str = "A1:B2", shared: bytes | None = None) -> bytes:
    """A minimal .xlsx written with zipfile: one sheet of inline strings."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr("[Content_Types].xml", CONTENT_TYPES)
        book.writestr("_rels/.rels", RELS)
        book.writestr("xl/workbook.xml", WORKBOOK)
        book.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        sheet = f'{SHEET_HEAD}<dimension ref="{dimension}"/><sheetData>{sheet_body}'
        sheet += "</sheetData></worksheet>"
        book.writestr("xl/worksheets/sheet1.xml", sheet)
        book.writestr(
            "xl/sharedStrings.xml",
            shared or b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>',
        )
    return buffer.getvalue()


def cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


HEADER_ROW = '<row r="1">' + cell("A1", "datum") + cell("B1", "kategori") + "</row>"


def test_xlsx_declaring_a_huge_sheet_is_read_as_the_cells_it_has(muni):
    """2 kB declaring A1:XFD1048576 (the file that took 5.86 GiB): the declared dimension
    is ignored, so it reads as its two real rows, quickly and in little memory."""
    body = HEADER_ROW + '<row r="2">' + cell("A2", "2019-01-01") + cell("B2", "Stöld") + "</row>"
    data = workbook(body, dimension="A1:XFD1048576")
    assert len(data) < 3000
    started = time.monotonic()
    raw = parse_file(data, "bomb.xlsx", muni, UPLOAD)
    assert time.monotonic() - started < CEILING_S
    assert raw.problem is None and raw.frame.values.tolist() == [["2019-01-01", "Stöld"]]
    assert limits.LAST_PEAK_BYTES[0] < 1 * GiB


def test_xlsx_with_a_row_far_down_counts_the_rows_it_skips(muni):
    body = HEADER_ROW + '<row r="1048000">' + cell("A1048000", "x") + "</row>"
    lim = Limits(max_file_mb=50, max_rows=100_000)
    refused_quickly(muni, workbook(body), "glesa.xlsx", lim, "högst 100", "rader")


def test_xlsx_with_too_many_cells(muni):
    rows = "".join(
        f'<row r="{r}">' + "".join(cell(f"{c}{r}", "x") for c in "ABCDEFGHIJ") + "</row>"
        for r in range(1, 2002)
    )
    lim = Limits(max_file_mb=50, max_cells=10_000)
    refused_quickly(muni, workbook(rows), "celler.xlsx", lim, "fler än 10", "celler")


def test_xlsx_whose_shared_strings_unpack_to_too_much(muni):
    """A highly compressible sharedStrings part: refused from the zip's sizes before
    openpyxl opens the workbook."""
    shared = b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    shared += b"<si><t>" + b"A" * (60 * 1024 * 1024) + b"</t></si></sst>"
    data = workbook(HEADER_ROW, shared=shared)
    assert len(data) < 1024 * 1024  # 60 MB of text packs to well under 1 MB
    lim = Limits(max_file_mb=50, max_unpacked_mb=50)
    refused_quickly(muni, data, "strängar.xlsx", lim, "större än 50 MB", "packas upp")


# --- CSV --------------------------------------------------------------------------------------


def test_a_million_columns(muni):
    data = b";".join(b"k%d" % i for i in range(1_000_000)) + b"\r\n" + b";" * 999_999 + b"\r\n"
    problem = refused_quickly(muni, data, "bred.csv", UPLOAD, "kolumner", "högst 1")
    assert "1\u00a0000\u00a0000 kolumner" in problem


def test_header_checks_are_linear():
    """The duplicate-header check counted every header against every other (O(n²): 100 s
    for a million columns)."""
    header = [f"k{i}" for i in range(300_000)]
    started = time.monotonic()
    found, errors = _map_headers(header + ["k7"], "incidents")
    assert time.monotonic() - started < 30
    assert errors and "k7" in errors[0].reason


def test_150_mb_single_line_on_the_command_line(tmp_path):
    """Through the CLI in a process of its own: refused in Swedish, exit 2, and neither the
    process nor its child comes near the 1.96 GiB the old reader peaked at."""
    path = tmp_path / "en-rad.csv"
    with path.open("wb") as fh:
        fh.write(b"datum;kategori;ort;k\xc3\xa4lla\r\n")
        for _ in range(150):
            fh.write(b"x" * (1024 * 1024))
    code = (
        "import json, resource, sys\n"
        "from lib.cli import main\n"
        "code = main(sys.argv[1:])\n"
        "peak = lambda who: resource.getrusage(who).ru_maxrss * 1024\n"
        "print(json.dumps([code, peak(resource.RUSAGE_SELF), peak(resource.RUSAGE_CHILDREN)]))\n"
    )
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", code, "--db", str(tmp_path / "t.db"), "import", str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
    )
    assert time.monotonic() - started < 300
    status, own, child = json.loads(done.stdout.strip().splitlines()[-1])
    assert status == 2, done.stderr
    assert "kB lång; högst 1\u00a0024 kB per rad" in done.stderr
    assert "Traceback" not in done.stderr
    assert own < 1.2 * GiB and child < 1.2 * GiB


def test_too_many_rows(muni):
    data = b"datum;kategori\n" + b"2019-01-01;x\n" * 20_001
    lim = Limits(max_file_mb=50, max_rows=20_000)
    refused_quickly(muni, data, "lång.csv", lim, "20\u00a0001 rader", "högst 20\u00a0000")


# --- JSON -------------------------------------------------------------------------------------


def test_kolada_with_a_million_values(store, muni):
    entry = (
        b'{"kpi": "N07403", "municipality": "1861", "period": 2020, '
        b'"values": [{"count": 1, "gender": "T", "status": "", "value": 1.5}]}'
    )
    data = b'{"values": [' + b", ".join([entry] * 1_000_000) + b'], "count": 1000000}'
    before = table_snapshot(store)
    started = time.monotonic()
    outcome = import_bytes(store, data, None, muni, "kolada.json")
    assert time.monotonic() - started < CEILING_S
    text = "\n".join(outcome.messages)
    assert not outcome.ok and "JSON-filen har 2\u00a0000\u00a0001 objekt" in text
    assert limits.LAST_PEAK_BYTES[0] < 1 * GiB
    assert table_snapshot(store) == before


# --- The child process ------------------------------------------------------------------------


def hungry(n: int) -> int:
    return len(bytearray(n))


def sleepy(seconds: float) -> str:
    time.sleep(seconds)
    return "vaken"


def test_the_child_has_a_memory_ceiling_and_a_timeout():
    # A generous time for the memory checks: the clock includes the child's start, which
    # took over 5 s once in CI on a loaded machine (the memory check then said "timeout").
    small = Limits(max_file_mb=1, memory_mb=200, timeout_s=120)
    assert run_isolated(hungry, (10 * 1024 * 1024,), small) == 10 * 1024 * 1024
    with pytest.raises(TooComplex, match="memory"):
        run_isolated(hungry, (2 * GiB,), small)
    started = time.monotonic()
    with pytest.raises(TooComplex, match="timeout"):
        run_isolated(sleepy, (600,), Limits(max_file_mb=1, memory_mb=200, timeout_s=3))
    assert time.monotonic() - started < 60


def test_the_child_does_not_run_the_page_being_run(tmp_path, monkeypatch):
    # Streamlit puts the page being run in sys.modules["__main__"]; multiprocessing starts a
    # child (and its forkserver) by running the main script again. A page run in the child
    # opened the store outside the app (in CI an old test store: every read "för stor").
    marker = tmp_path / "ran.txt"
    page = tmp_path / "page.py"
    page.write_text(f"open({str(marker)!r}, 'a').write('ran')\n", encoding="utf-8")
    module = types.ModuleType("__main__")
    module.__file__ = str(page)
    monkeypatch.setitem(sys.modules, "__main__", module)
    assert run_isolated(os.getpid, (), UPLOAD) != os.getpid()
    assert sys.modules["__main__"] is module  # put back once the child has started
    assert not marker.exists()


def test_a_file_too_complex_for_the_child_gets_a_swedish_message(muni):
    rows = "".join(f"2019-01-01;Stöld;Hallsberg;Polisen;rad {i}\n" for i in range(200_000))
    data = ("datum;kategori;ort;källa;beskrivning\n" + rows).encode()
    result = read_file(data, "incidents", muni, "tung.csv", limits=Limits(50, memory_mb=2))
    assert result.file_failed
    assert "för stor eller för komplex att läsa" in result.errors[0].reason


# --- The analysts' real files pass ----------------------------------------------------------


def test_a_100000_row_incidents_csv_passes_the_upload_limits(muni):
    from bench.overview import synthetic_incidents

    data = to_swedish_csv(synthetic_incidents(100_000, muni), "incidents")
    assert len(data) < UPLOAD.max_file_mb * 1024 * 1024
    result = read_file(data, "incidents", muni, "hundratusen.csv", limits=UPLOAD)
    assert result.ok and len(result.valid) == 100_000


def test_the_real_police_file_passes_the_upload_limits(muni):
    if not BIG_POLICE.is_file():
        pytest.skip(f"the real police file is not available ({BIG_POLICE})")
    data = BIG_POLICE.read_bytes()
    assert len(data) < UPLOAD.max_file_mb * 1024 * 1024
    result = read_file(data, None, muni, BIG_POLICE.name, limits=UPLOAD)
    assert result.ok and len(result.valid) > 100


# --- Upload size (16 build item 5) ----------------------------------------------------------


def test_the_upload_limit_is_streamlits_own():
    with (ROOT / ".streamlit" / "config.toml").open("rb") as fh:
        configured = tomllib.load(fh)["server"]["maxUploadSize"]
    assert limits.MAX_UPLOAD_MB == UPLOAD.max_file_mb == configured
    assert configured <= 50  # as small as the real files allow (README: Loading your own data)
    assert COMMAND_LINE.max_file_mb >= configured


def test_the_data_page_passes_the_limit_to_the_uploader(open_app):
    at = open_app("pages/data.py", "ett långt lösenord", True)
    assert at.file_uploader[0].proto.max_upload_size_mb == limits.MAX_UPLOAD_MB


def test_the_page_parses_an_upload_once(open_app, monkeypatch):
    from lib.ingest import loading

    calls = []

    def counting(*args):
        calls.append(args[1])
        return parse_file(*args)

    monkeypatch.setattr(loading, "parse_file", counting)
    at = open_app("pages/data.py", "ett långt lösenord", True)
    data = "datum;kategori;ort;källa\r\n2019-03-05;Klotter;Hallsberg;Polisen\r\n".encode()
    at.file_uploader[0].set_value(("a.csv", data, "text/csv")).run()
    at.selectbox(key="datatyp").set_value("incidents").run()
    at.run()
    assert not at.exception
    assert calls == ["a.csv"]
    assert pd.Series([m.value for m in at.metric]).tolist()[:2] == ["1", "1"]


def test_an_xlsx_too_big_for_the_child_is_too_complex_not_damaged(tmp_path):
    """Run in a process of its own: under pytest-xdist the read sometimes fitted in heap the
    child inherited, so a 1 MB ceiling did not bite."""
    script = tmp_path / "stor.py"
    script.write_text(
        "import io, sys\n"
        f"sys.path.insert(0, {str(ROOT)!r})\n"
        "import pandas as pd\n"
        "from lib.config import load_municipality\n"
        "from lib.ingest.limits import Limits\n"
        "from lib.ingest.loading import parse_file\n"
        "if __name__ == '__main__':\n"
        "    rows = 20_000\n"
        "    frame = pd.DataFrame({'datum': ['2019-01-01'] * rows, 'kategori': ['Stöld'] * rows})\n"
        "    buffer = io.BytesIO()\n"
        "    frame.to_excel(buffer, index=False)\n"
        "    muni, ceiling = load_municipality(), Limits(50, memory_mb=2)\n"
        "    raw = parse_file(buffer.getvalue(), 'stor.xlsx', muni, ceiling)\n"
        "    print(raw.problem)\n"
    )
    command = [sys.executable, str(script)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert "för stor eller för komplex att läsa" in done.stdout, done.stdout + done.stderr
    assert "skadad" not in done.stdout


@pytest.mark.parametrize("end", [b"\n", b"\r\n", b"\r"])
def test_lines_are_counted_once_whatever_their_end(end):
    """Excel's CSV ends lines with CRLF: one line each, also across the chunks it is read in
    (found when a 1 000 000-row Excel CSV was refused as 2 000 001 rows)."""
    lines = [b"datum;kategori"] + [b"2019-01-01;St\xc3\xb6ld"] * 999
    data = end.join(lines) + end
    longest = len(lines[1]) + (end == b"\r\n")  # a CRLF line's CR is counted in its length
    for chunk in (7, 16, len(data)):  # chunk borders inside a CRLF, too
        assert limits._line_stats(data, chunk=chunk) == (1000, longest)
