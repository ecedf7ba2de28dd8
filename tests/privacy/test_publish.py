"""The ``publish`` command's files: the same attacks on the JSON a municipality would put on
its website. Free-filter differencing of "total" (categories, localities, days): the public
may ask one or all of each filter and preset periods only, so the command must refuse the
differencing questions (asserted as refusals: exit status and no files); and p-values and
verdicts beside a hidden count in the published tables, where a small cell's files state its
total and hold no change table (the detail rule, asserted too)."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from lib.config import load_municipality
from lib.i18n import t
from tests.privacy import attacks, planted
from tests.privacy.conftest import assert_observed, assert_refused, number, report

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
            return None
        return {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in out.glob("*.json")}


@pytest.fixture(scope="module")
def publish(public, tmp_path_factory):
    return Publisher(public, tmp_path_factory.mktemp("publish"))


def _total(files: dict | None) -> int | str | None:
    """The overview's total as published: a number or the suppression text."""
    if not files:
        return None
    doc = files.get("oversikt") or next(iter(files.values()))
    total = doc.get("total")
    return number(total) if number(total) is not None else total


@needs_publish
def test_publish_category_and_day_differences(publish):
    """All categories is published; all categories but one, and 1st–D or 1st–(D−1) of a
    month, are refused: the differences cannot be taken."""
    asked, refused, answered = [], [], []
    for cell in TARGETS:
        whole = publish(cell.start, cell.end, ort=[cell.locality])
        if whole is not None and _total(whole) is not None:
            answered.append(cell)
        categories = sorted(set(planted_categories()) - {cell.category})
        asked.append(("categories", cell))
        if publish(cell.start, cell.end, ort=[cell.locality], kategori=categories) is None:
            refused.append(("categories", cell))
    year, month = planted.DAY_MONTH
    days = [(d, n) for d, n in planted.DAYS.items() if 0 < n < THRESHOLD and d > 1]
    for day, _ in days:
        for last in (day, day - 1):
            question = ("days", day, last)
            asked.append(question)
            files = publish(
                dt.date(year, month, 1),
                dt.date(year, month, last),
                ort=[planted.DAY_PLACE],
                kategori=[planted.DAY_CATEGORY],
            )
            if files is None:
                refused.append(question)
    assert_observed("publish (all categories)", TARGETS, answered)
    assert_refused("publish (free-filter differences)", asked, refused)


@needs_publish
def test_publish_no_p_value_or_verdict_beside_a_hidden_count(publish):
    observations, seen, refused = [], [], []
    small = t("detail.small", minimum=load_municipality().detail_minimum)
    for cell in TARGETS:
        files = publish(cell.start, cell.end, ort=[cell.locality], kategori=[cell.category])
        row, texts = None, []
        for doc in (files or {}).values():
            texts += [str(s) for s in doc.get("sentences", [])]
            for rows in doc.get("tables", {}).values():
                for candidate in rows:
                    if candidate.get(attacks.t("col.category")) == cell.category and row is None:
                        row = candidate
        overview = (files or {}).get("oversikt", {})
        if overview.get("total") is not None:
            seen.append(cell)
        if not overview.get("tables", {}).get("kategorier") and small in overview.get("notes", []):
            refused.append(cell)
        observations.append({"cell": cell, "row": row, "csv": None, "texts": texts})
    p_found, p_inferred = attacks.pvalue_attack(observations, THRESHOLD)
    v_found, v_inferred = attacks.verdict_attack(observations, THRESHOLD)
    assert_observed("publish (p-values, verdicts)", TARGETS, seen)
    assert_refused("publish (change table of a small cell)", TARGETS, refused)
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
