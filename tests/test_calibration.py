"""The calibration suite's smoke run (``python -m bench.calibration --smoke``): every method
runs, nothing is written, and every row it would publish has its words in the catalogue as
the Om page looks them up."""

import json

from bench import calibration
from lib.i18n import t


def test_smoke_runs_every_method_writes_nothing_and_every_row_has_words(
    tmp_path, monkeypatch, capsys
):
    out = tmp_path / "calibration.json"
    monkeypatch.setattr(calibration, "OUT", out)
    rows = []
    monkeypatch.setattr(calibration, "_print", rows.append)
    calibration.main(["--smoke"])
    assert not out.exists()
    keys = {(r["method"], r["measure"]) for r in rows}
    assert ("signals", "signals_burst_found") in keys and ("funnel", "null_outside_95") in keys
    assert len(keys) == len(rows) == 20
    for row in rows:
        assert set(row) >= {"method", "measure", "value", "target", "direction", "draws", "met"}
        assert t(f"about.method_{row['method']}")
        extra = {"public": "1 %", "unadjusted": "2 %"}
        assert "{" not in t(f"about.measure_{row['measure']}", **extra)
        json.dumps(row)
