"""``python -m lib.cli publish``: what each public page shows for a selection, as JSON files
the municipality can put on its website as open data. The files are made by the same view
functions the pages lay out, always with the public disclosure rules (never exact counts)."""

from __future__ import annotations

import json
from pathlib import Path

from lib.config import Municipality
from lib.figures.filters import Filters, daily_cube, timed_frame
from lib.ingest.store import Store
from lib.public import views
from lib.public.disclosure import public

PAGES = {
    "oversikt": views.overview_view,
    "utveckling": views.trends_view,
}
MAP_CELL = 250


def load_data(store: Store, muni: Municipality) -> views.Data:
    from lib.figures.coverage import coverage_of

    incidents = store.read_incidents()
    return views.Data(daily_cube(incidents), timed_frame(incidents), coverage_of(incidents), muni)


def publish(store: Store, muni: Municipality, filters: Filters, out_dir: Path) -> list[Path]:
    """Write one JSON file per public page; returns the paths written."""
    data = load_data(store, muni)
    disclosure = public(muni.privacy_threshold)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, make in PAGES.items():
        view = make(data, filters, disclosure)
        compared = view.extra.get("overview").change.periods if "overview" in view.extra else None
        document = view.as_json(compared)
        document["municipality"] = {"code": muni.code, "name": muni.display_name}
        document["disclosure"] = {
            "threshold": disclosure.threshold,
            "method": "cell-key perturbation (±2) and suppression below the threshold",
        }
        path = out_dir / f"{name}.json"
        path.write_text(json.dumps(document, ensure_ascii=False, indent=1), encoding="utf-8")
        written.append(path)
    return written
