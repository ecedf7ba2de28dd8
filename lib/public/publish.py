"""``python -m lib.cli publish``: what each public page shows for a selection, as JSON files
the municipality can put on its website as open data. The files are made by the same view
functions the pages lay out, always with the public disclosure rules (never exact counts)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd

from lib.config import Municipality
from lib.datamanager import DataManager
from lib.figures import hotspots, interventions, peers, promises
from lib.figures.filters import Filters
from lib.i18n import t
from lib.public import alerts, views
from lib.public.disclosure import for_municipality
from lib.store.store import Store

MAP_CELL = 250  # the map page's default cell size


def load_data(store: Store, muni: Municipality) -> tuple[views.Data, pd.DataFrame]:
    """What the public files are made from, read through the data manager (aggregates, as
    the pages read them): the views' data and the map's points (50 m cells)."""
    manager = DataManager(store, muni)
    version = manager.version()
    data = manager.data(version)
    first, last = data.span()
    today = dt.date.today()
    points = manager.cells(version, first or today, max(last or today, today))
    return data, points


def sources(store: Store, muni: Municipality, data: views.Data, d) -> pd.DataFrame:
    """The overview's sources table, as the page shows it to the public."""
    manager = DataManager(store, muni)
    version = manager.version()
    return views.sources_view(
        data.cube,
        data.coverage,
        manager.import_spans(version),
        manager.import_log(version),
        d,
        muni.timezone,
    )


def map_document(fig: dict, f: Filters, d, cameras: list, repeated=None) -> views.View:
    """The map page's open data. Hot and cold ("het", "kall") are the baseline's, which is
    named (table ``baslinje``: own history, residents, or none and why); the land-based
    density is never called hot. Near-repeats as the public sees them (``repeated``:
    ``alerts.repeats_for``). Signals are for analysts and never here."""
    n = fig["incidents"]
    view = views.View("karta", f, total=d.text(n) if d.hidden(n) else int(n))
    view.sentences.append(views.map_summary(fig, MAP_CELL, d))
    view.tables["platser"] = fig["top_view"]
    counts = fig["counts"]
    cells = counts[["ix", "iy"]].to_numpy() if len(counts) else []
    view.tables["rutor"] = pd.DataFrame(
        {
            "cell": [hotspots.cell_id(a, b, MAP_CELL) for a, b in cells],
            "antal": [d.text(int(n)) for n in counts["n"]] if len(counts) else [],
        }
    )
    view.notes.append(t("map.excluded_note", excluded=d.text(fig["excluded"])))
    if len(fig["localities"]):
        view.tables["orter"] = fig["localities"]
        view.verdicts += fig["locality_verdicts"]
    baseline = fig["baseline"]
    view.tables["baslinje"] = views.baseline_table(baseline)
    result = baseline.result
    if result.enough:
        for r in result.significant().itertuples():
            word = "het" if r.bin > 0 else "kall"
            subject = hotspots.cell_id(r.ix, r.iy, baseline.cell)
            view.verdicts.append({"subject": subject, "verdict": word, "baslinje": baseline.kind})
    elif baseline.kind == "none":
        # A fixed vocabulary of verdicts: no baseline is "ingen data" (``baslinje`` says why).
        view.verdicts.append({"subject": t("map.heading"), "verdict": t("verdict.no_data")})
    else:
        view.verdicts.append({"subject": t("map.heading"), "verdict": t("verdict.too_few")})
    if repeated is not None:
        table, sentences, notes = repeated
        view.tables["upprepningar"] = table
        view.sentences += sentences
        view.notes += notes
    if cameras:
        view.tables["kameror"] = views.camera_view(cameras, d)
        view.verdicts += views.camera_verdicts(cameras, d)
    return view


def camera_evaluations(store, points, data, f: Filters, d) -> list:
    """The map page's camera table with its defaults (12 months, each camera's radius)."""
    cameras = interventions.from_cameras(store.read("cameras"))
    if not cameras:
        return []
    return interventions.evaluate(
        points, cameras, f, months=12, coverage=data.coverage, counter=d.counter
    )


def promise_documents(store, data, muni, f: Filters, d) -> list[views.View]:
    """One view per stored promise period that overlaps the selection, as of the
    selection's last day (or the period's, if it ended earlier)."""
    manager = DataManager(store, muni)
    stored = manager.promises(manager.version())
    definitions = stored.definitions
    activities = store.read("activities")
    out = []
    for period in stored.periods:
        if period.end < f.start or period.start > f.end:
            continue
        acts = promises.period_activities(definitions, activities, period.id)
        as_of = min(f.end, period.end)
        out.append(views.promises_view(data, definitions, acts, period.id, as_of, d))
    return out


def publish(
    store: Store, muni: Municipality, filters: Filters, out_dir: Path, loaded=None
) -> list[Path]:
    """Write one JSON file per public page; returns the paths written. The selection must be
    one the public can make (a preset period, one or all of each filter): ``NotPublic``
    otherwise."""
    data, points = loaded or load_data(store, muni)
    d = for_municipality(muni, data.presets())
    d.admit(filters)
    out_dir.mkdir(parents=True, exist_ok=True)
    overview_view = views.overview_view(data, filters, d)
    overview_view.tables["kallor"] = sources(store, muni, data, d)
    compared = overview_view.extra["overview"].change.periods
    manager = DataManager(store, muni)
    version = manager.version()
    fig = views.map_view(
        points,
        data.cube,
        filters,
        MAP_CELL,
        muni,
        d,
        data.coverage,
        data.off_map,
        population=manager.population(version),
    )
    found = manager.repeats(version, filters.end, filters.localities, filters.sources)
    repeated = alerts.repeats_for(found, points, filters, d)
    documents = {
        "oversikt": overview_view.as_json(compared),
        "utveckling": views.trends_view(data, filters, d).as_json(compared),
        "karta": map_document(
            fig, filters, d, camera_evaluations(store, points, data, filters, d), repeated
        ).as_json(),
        "jamforelse": views.peers_view(
            peers.whole_years(store.read("peers")), muni, filters
        ).as_json(),
    }
    promise_views = promise_documents(store, data, muni, filters, d)
    documents["medborgarloftet"] = {
        **views.View("medborgarloftet", filters).as_json(),
        "periods": [v.as_json() for v in promise_views],
        "verdicts": [v for view in promise_views for v in view.verdicts],
        "tables": {
            f"uppfoljning_{i + 1}": views.records(v.tables["uppfoljning"])
            for i, v in enumerate(promise_views)
        },
    }
    written = []
    for name, document in documents.items():
        document["municipality"] = {"code": muni.code, "name": muni.display_name}
        document["disclosure"] = {
            "threshold": d.threshold,
            "detail_minimum": d.detail_minimum,
            "method": (
                "cell-key perturbation (±2) and suppression below the threshold; breakdowns"
                " finer than a month and lists inside a selection only from the detail"
                " minimum, zero shown like a small count there; no time breakdown of"
                " sensitive categories; coverage in whole months"
            ),
        }
        path = out_dir / f"{name}.json"
        path.write_text(json.dumps(document, ensure_ascii=False, indent=1), encoding="utf-8")
        written.append(path)
    return written
