"""The ``publish`` command's files: the same attacks on the JSON a municipality would put on
its website. Free-filter differencing of "total" (categories, localities, days), and p-values
and verdicts beside a hidden count in the published tables."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from tests.privacy import attacks, planted
from tests.privacy.conftest import MAX_SHARE, number, report

pytestmark = pytest.mark.privacy
THRESHOLD = 3
# Each publish run writes all five pages (about 0.7 s), so the files are attacked on the first
# eight planted cells and the first day series only; the same totals on 30 and more cells are
# attacked through the overview page (channel 7), which ``publish`` shares (lib/public/views).
TARGETS = [c for c in planted.CELLS[:8] if 0 < c.count < THRESHOLD]


def _has_publish() -> bool:
    from lib.cli import build_parser

    sub = next(a for a in build_parser()._actions if getattr(a, "choices", None))
    return "publish" in sub.choices


needs_publish = pytest.mark.skipif(not _has_publish(), reason="lib.cli has no publish command yet")


class Publisher:
    def __init__(self, public, directory):
        self.public, self.directory, self.runs = public, directory, 0

    def __call__(self, start, end, ort=(), kategori=(), kalla=()) -> dict[str, dict]:
        from lib.cli import main

        self.runs += 1
        out = self.directory / f"run{self.runs}"
        argv = ["--db", str(self.public.db)]
        if self.public.config is not None:
            argv += ["--kommun", str(self.public.config)]
        argv += ["publish", str(out), "--from", start.isoformat(), "--to", end.isoformat()]
        for name, values in (("--ort", ort), ("--kategori", kategori), ("--kalla", kalla)):
            for value in values:
                argv += [name, value]
        if main(argv) != 0:  # a question the public cannot ask: refused, nothing written
            assert not out.exists() or not any(out.iterdir())
            return {}
        return {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in out.glob("*.json")}


@pytest.fixture(scope="module")
def publish(public, tmp_path_factory):
    return Publisher(public, tmp_path_factory.mktemp("publish"))


def _total(files: dict) -> int | None:
    if not files:
        return None
    doc = files.get("oversikt") or next(iter(files.values()))
    return number(doc.get("total"))


@needs_publish
def test_publish_category_and_day_differences(publish):
    recovered, inferred = [], []
    for cell in TARGETS:
        a = _total(publish(cell.start, cell.end, ort=[cell.locality]))
        categories = sorted(set(planted_categories()) - {cell.category})
        b = _total(publish(cell.start, cell.end, ort=[cell.locality], kategori=categories))
        guess = None if None in (a, b) else a - b
        inferred.append((cell, guess))
        if guess == cell.count:
            recovered.append(cell)
    year, month = planted.DAY_MONTH
    days = [(d, n) for d, n in planted.DAYS.items() if 0 < n < THRESHOLD and d > 1]
    for day, n in days:
        totals = [
            _total(
                publish(
                    dt.date(year, month, 1),
                    dt.date(year, month, last),
                    ort=[planted.DAY_PLACE],
                    kategori=[planted.DAY_CATEGORY],
                )
            )
            for last in (day, day - 1)
        ]
        guess = None if None in totals else totals[0] - totals[1]
        inferred.append((day, guess))
        if guess == n:
            recovered.append((day, n))
    targets = TARGETS + days
    assert len(recovered) <= MAX_SHARE * len(targets), report(
        "publish (free-filter differences)", targets, recovered, f"inferred: {inferred}"
    )


@needs_publish
def test_publish_no_p_value_or_verdict_beside_a_hidden_count(publish):
    observations = []
    for cell in TARGETS:
        files = publish(cell.start, cell.end, ort=[cell.locality], kategori=[cell.category])
        row, texts = None, []
        for doc in files.values():
            texts += [str(s) for s in doc.get("sentences", [])]
            for rows in doc.get("tables", {}).values():
                for candidate in rows:
                    if candidate.get(attacks.t("col.category")) == cell.category and row is None:
                        row = candidate
        observations.append({"cell": cell, "row": row, "csv": None, "texts": texts})
    p_found, p_inferred = attacks.pvalue_attack(observations, THRESHOLD)
    v_found, v_inferred = attacks.verdict_attack(observations, THRESHOLD)
    assert not p_found and not v_found, report(
        "publish (p-values, verdicts)",
        TARGETS,
        p_found + v_found,
        f"p: {p_inferred}\nverdict: {v_inferred}",
    )


def planted_categories() -> list[str]:
    """Every category stored (an attacker lists them from any page's filter)."""
    import pandas as pd

    from lib.config import load_municipality

    sample = pd.read_csv(
        load_municipality().sample_files["incidents"], sep=";", encoding="utf-8-sig"
    )["kategori"]
    return sorted(set(sample) | {r["kategori"] for r in planted.planted_rows()})
