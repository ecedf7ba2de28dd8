"""Deterministic generator of the fictional sample data in ``data/sample/``.

Run ``python -m lib.ingest.sample`` to rewrite the files. The data is invented, but shaped like the
real thing so later pages have something true to find:

* seasonality (more in summer), weekday and night patterns per category;
* concentrations at the station area, the town centre and a school in the main locality,
  the station area being the strongest (the planted hotspot);
* vandalism ("Skadegörelse") really increases in the promise year (+45 %), and reported drug
  crime rises with the drug operations (+55 %), while the total moves little;
* an activity log for the four promises, and three cameras, one installed mid-promise-year
  after which incidents near it fall;
* example targets for the four promises and a second, fictional promise period
  (``promises.csv``, read as a file of promise definitions), which are demo content: the
  real promise (the configuration's) gives no numbers;
* the municipality's own signal reports (EST) for the nine weeks after the incidents end,
  as a file of reports (``reports.csv``), so the reporting pages have something to show.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from lib.config import Municipality, load_municipality
from lib.ingest.importers import to_swedish_csv

# Chosen among the first seeds tried so that, in the promise year against the year before, the
# only categories whose change is significant are the two planted ones: by chance alone about
# one of twenty categories would cross p < 0.05, which would muddle the demonstration.
SEED = 20181003
START, END = dt.date(2017, 10, 1), dt.date(2019, 9, 30)
PROMISE_START = dt.date(2018, 10, 1)
METRES_PER_DEG_LAT = 111_320.0

# Hours 0..23: relative frequency by time-of-day profile.
HOURS = {
    "night": np.array([8, 7, 6, 4, 2, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 4, 5, 6, 7, 8, 9, 9]),
    "day": np.array([1, 1, 1, 1, 1, 2, 4, 6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 6, 5, 4, 3, 2, 1, 1]),
    "evening": np.array([3, 2, 1, 1, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 5, 6, 7, 8, 9, 9, 8, 7, 5, 4]),
}
# Monday..Sunday
WEEKDAYS = {
    "weekend": np.array([0.8, 0.8, 0.85, 0.95, 1.25, 1.5, 1.1]),
    "weekday": np.array([1.1, 1.1, 1.1, 1.1, 1.05, 0.75, 0.7]),
    "flat": np.ones(7),
}


@dataclass(frozen=True)
class CategorySpec:
    name: str
    source: str
    per_year: float
    hours: str
    weekdays: str
    promise_year_factor: float = 1.0  # multiplier from PROMISE_START on
    hotspot_share: float = 0.15  # share placed at the main locality's hot places
    time_known_share: float = 0.95


CATEGORIES = (
    CategorySpec("Stöld", "police", 260, "day", "weekday"),
    CategorySpec("Stöld/inbrott", "police", 95, "night", "flat", hotspot_share=0.05),
    CategorySpec("Skadegörelse", "police", 150, "night", "weekend", 1.45, hotspot_share=0.35),
    CategorySpec("Misshandel", "police", 85, "night", "weekend", hotspot_share=0.35),
    CategorySpec("Olaga hot", "police", 45, "evening", "flat"),
    CategorySpec("Ofredande/förargelse", "police", 30, "evening", "weekend", hotspot_share=0.3),
    CategorySpec("Narkotikabrott", "police", 45, "evening", "flat", 1.55, hotspot_share=0.4),
    CategorySpec("Rattfylleri", "police", 55, "night", "weekend", hotspot_share=0.0),
    CategorySpec("Trafikolycka", "police", 110, "day", "weekday", hotspot_share=0.0),
    CategorySpec("Bedrägeri", "police", 55, "day", "weekday", hotspot_share=0.0),
    CategorySpec("Brand", "police", 30, "evening", "flat", hotspot_share=0.05),
    CategorySpec("Rån", "police", 7, "night", "weekend", hotspot_share=0.4),
    CategorySpec("Sexualbrott", "police", 6, "night", "flat", hotspot_share=0.0),
    CategorySpec(
        "Klotter",
        "municipal_report",
        140,
        "night",
        "weekend",
        hotspot_share=0.4,
        time_known_share=0.2,
    ),
    CategorySpec("Nedskräpning", "municipal_report", 110, "day", "flat", time_known_share=0.2),
    CategorySpec(
        "Otrygg plats",
        "municipal_report",
        55,
        "evening",
        "flat",
        hotspot_share=0.4,
        time_known_share=0.2,
    ),
    CategorySpec(
        "Störande samling",
        "municipal_report",
        60,
        "evening",
        "weekend",
        hotspot_share=0.5,
        time_known_share=0.4,
    ),
    CategorySpec(
        "Misstänkt narkotikahandel",
        "municipal_report",
        25,
        "evening",
        "flat",
        hotspot_share=0.5,
        time_known_share=0.3,
    ),
    CategorySpec(
        "Vårdslös körning",
        "municipal_report",
        60,
        "evening",
        "weekend",
        hotspot_share=0.0,
        time_known_share=0.4,
    ),
    CategorySpec("Ordningsstörning", "security_guard", 150, "night", "weekend", hotspot_share=0.5),
    CategorySpec("Skadegörelse", "security_guard", 55, "night", "weekend", 1.45, hotspot_share=0.5),
)

# Hot places in the main locality, as offsets in metres from its centre: (name, east, north,
# spread in metres, relative weight). The station area is the planted hotspot.
HOT_PLACES = (
    ("Stationsområdet", 230, -140, 70, 0.55),
    ("Centrum", -120, 60, 90, 0.30),
    ("Skolan", -560, -500, 60, 0.15),
)
CAMERAS = (  # id, name, hot place index, installed, radius in metres
    ("K1", "Stationsområdet", 0, dt.date(2019, 3, 1), 200),
    ("K2", "Torget", 1, dt.date(2016, 5, 1), 150),
    ("K3", "Skolgården", 2, dt.date(2019, 1, 15), 100),
)
CAMERA_EFFECT = 0.35  # share of hot-place incidents left near K1 after it is installed

DESCRIPTIONS = {
    "Skadegörelse": ["Krossad ruta i väntkur.", "Sönderslagen belysning.", "Skadad parkbänk."],
    "Klotter": ["Klotter på fasad.", "Klotter i gångtunnel.", "Taggar på elskåp."],
    "Störande samling": ["Grupp ungdomar, hög musik.", "Samling vid kiosk sent på kvällen."],
    "Misshandel": ["Bråk utanför krog.", "Slagsmål vid busshållplats."],
}


def _offset(lat: float, lon: float, east_m: np.ndarray, north_m: np.ndarray):
    return (
        lat + north_m / METRES_PER_DEG_LAT,
        lon + east_m / (METRES_PER_DEG_LAT * np.cos(np.radians(lat))),
    )


def _daily_rate(spec: CategorySpec, days: pd.DatetimeIndex) -> np.ndarray:
    season = 1 + 0.22 * np.cos(2 * np.pi * (days.month.to_numpy() - 7) / 12)
    weekday = WEEKDAYS[spec.weekdays][days.day_of_week.to_numpy()]
    weekday = weekday / WEEKDAYS[spec.weekdays].mean()
    trend = np.where(days.date >= PROMISE_START, spec.promise_year_factor, 1.0)
    return spec.per_year / 365.25 * season * weekday * trend


def _places(rng, spec: CategorySpec, n: int, muni: Municipality, when: np.ndarray):
    """Locality and coordinates for n incidents of one category."""
    locs = muni.localities
    weights = np.array([(loc.population or 1) ** 1.1 for loc in locs], dtype=float)
    pick = rng.choice(len(locs), size=n, p=weights / weights.sum())
    lat = np.array([locs[i].lat for i in pick])
    lon = np.array([locs[i].lon for i in pick])
    spread = np.where(pick == 0, 650.0, 350.0)
    east, north = rng.normal(0, 1, n) * spread, rng.normal(0, 1, n) * spread
    hot = (pick == 0) & (rng.random(n) < spec.hotspot_share)
    place_w = np.array([p[4] for p in HOT_PLACES])
    which = rng.choice(len(HOT_PLACES), size=n, p=place_w / place_w.sum())
    # After camera K1 goes up, some station-area incidents move elsewhere in town.
    k1_after = (which == 0) & (when >= np.datetime64(CAMERAS[0][3]))
    hot &= ~(k1_after & (rng.random(n) > CAMERA_EFFECT))
    for k, (_, dx, dy, sd, _) in enumerate(HOT_PLACES):
        sel = hot & (which == k)
        east[sel] = dx + rng.normal(0, sd, sel.sum())
        north[sel] = dy + rng.normal(0, sd, sel.sum())
    lat, lon = _offset(lat, lon, east, north)
    names = np.array([loc.name for loc in locs])[pick]
    return names, np.round(lat, 5), np.round(lon, 5)


def generate_incidents(muni: Municipality, seed: int = SEED) -> pd.DataFrame:
    days = pd.date_range(START, END, freq="D")
    frames = []
    for k, spec in enumerate(CATEGORIES):
        # Separate streams for counts and for details, so tuning where incidents happen
        # never changes how many there are.
        counts = np.random.default_rng([seed, k, 0]).poisson(_daily_rate(spec, days))
        rng = np.random.default_rng([seed, k, 1])
        when = np.repeat(days.to_numpy(), counts)
        n = len(when)
        hour_p = HOURS[spec.hours] / HOURS[spec.hours].sum()
        hours = rng.choice(24, size=n, p=hour_p)
        minutes = rng.integers(0, 60, size=n)
        time_known = rng.random(n) < spec.time_known_share
        stamp = when + (hours * 60 + minutes).astype("timedelta64[m]")
        stamp = np.where(time_known, stamp, when)
        names, lat, lon = _places(rng, spec, n, muni, when)
        no_coords = rng.random(n) < 0.08
        texts = DESCRIPTIONS.get(spec.name, ["Fiktiv händelse."])
        frames.append(
            pd.DataFrame(
                {
                    "occurred_at": pd.to_datetime(stamp).astype("datetime64[ns]"),
                    "time_known": time_known,
                    "category": spec.name,
                    "locality": names,
                    "lat": np.where(no_coords, np.nan, lat),
                    "lon": np.where(no_coords, np.nan, lon),
                    "source": spec.source,
                    "description": [
                        f"Exempel: {texts[i % len(texts)]}" for i in rng.integers(0, 99, n)
                    ],
                }
            )
        )
    out = pd.concat(frames, ignore_index=True).sort_values("occurred_at", kind="stable")
    out.insert(0, "id", [f"EX-{i:06d}" for i in range(1, len(out) + 1)])
    return out.reset_index(drop=True)


def generate_activities(muni: Municipality) -> pd.DataFrame:
    """A realistic activity log for the four promises of 2018-10-01 to 2019-09-30."""
    main = muni.localities[0].name
    rows = []
    months = pd.date_range("2018-10-01", "2019-09-01", freq="MS")
    hours = [22, 24, 20, 16, 18, 20, 24, 26, 30, 12, 14, 22]  # summer holidays dip in July
    for month, h in zip(months, hours, strict=True):
        rows.append(
            (
                "synlighet",
                "patrol_hours",
                month + pd.Timedelta(days=27),
                "Fotpatrullering",
                h,
                "timmar",
                main,
                "Polisen",
                "Centrum och stationsområdet",
            )
        )
    # Places by the config's locality order; the smallest localities get nothing, visibly.
    place = [loc.name for loc in muni.localities]
    walks = [
        ("2018-10-18", main),
        ("2018-11-22", main),
        ("2019-04-10", place[1]),
        ("2019-05-08", place[3]),
        ("2019-09-05", place[2]),
    ]
    for day, where in walks:
        rows.append(
            (
                "trygghetsvandringar",
                "safety_walks",
                day,
                "Trygghetsvandring",
                1,
                "st",
                where,
                "Polisen och kommunen",
                "Med boende och fastighetsägare",
            )
        )
    meetings = [
        ("2018-11-06", main),
        ("2019-02-12", place[1]),
        ("2019-03-19", place[4]),
        ("2019-09-17", main),
    ]
    for day, where in meetings:
        rows.append(
            (
                "informationsmoten",
                "info_meetings",
                day,
                "Informationsmöte",
                1,
                "st",
                where,
                "Polisen och kommunen",
                "Grannsamverkan och inbrottsskydd",
            )
        )
    operations = [
        ("2018-10-25", False),
        ("2018-12-13", True),
        ("2019-02-07", False),
        ("2019-03-28", True),
        ("2019-05-23", False),
        ("2019-06-27", True),
        ("2019-08-29", False),
    ]
    for day, drugs in operations:
        rows.append(
            (
                "insatser",
                "operations",
                day,
                "Planerad insats",
                1,
                "st",
                main,
                "Polisen",
                "Mot narkotikabrottslighet" if drugs else "Mot brottsaktiva",
            )
        )
        if drugs:
            rows.append(
                (
                    "insatser",
                    "drug_operations",
                    day,
                    "Narkotikainsats",
                    1,
                    "st",
                    main,
                    "Polisen",
                    "Del av planerad insats",
                )
            )
    cols = [
        "promise_id",
        "indicator_id",
        "date",
        "kind",
        "quantity",
        "unit",
        "locality",
        "responsible",
        "note",
    ]
    frame = pd.DataFrame(rows, columns=cols)
    frame["date"] = pd.to_datetime(frame["date"]).astype("datetime64[ns]")
    frame = frame.sort_values(["date", "indicator_id"], kind="stable").reset_index(drop=True)
    frame.insert(0, "id", [f"AKT-{i:03d}" for i in range(1, len(frame) + 1)])
    return frame


def generate_cameras(muni: Municipality) -> pd.DataFrame:
    centre = muni.localities[0]
    rows = []
    for cid, name, place, installed, radius in CAMERAS:
        _, dx, dy, _, _ = HOT_PLACES[place]
        lat, lon = _offset(centre.lat, centre.lon, np.array(dx), np.array(dy))
        rows.append(
            {
                "id": cid,
                "name": name,
                "lat": round(float(lat), 5),
                "lon": round(float(lon), 5),
                "installed_on": pd.Timestamp(installed),
                "radius_m": float(radius),
                "note": "Exempel: fiktiv kamera",
            }
        )
    return pd.DataFrame(rows)


# Fictional reported crimes per 100 000 inhabitants for the peer comparison: a level per
# category around which each municipality and year varies. Not BRÅ's figures.
PEER_CATEGORIES = {
    "Samtliga anmälda brott": 9_500.0,
    "Skadegörelse": 1_300.0,
    "Narkotikabrott": 700.0,
    "Våldsbrott": 950.0,
}
PEER_YEARS = range(2015, 2020)


def generate_peers(muni: Municipality, seed: int = SEED) -> pd.DataFrame:
    """Fictional annual counts for the real municipalities of ``data/regions.toml`` (and the
    county as their sum, the country on its own), 2015–2019: each municipality has its own
    level (log-normal, 15 %), a mild common trend, and Poisson noise on the count."""
    from lib.config import regions

    rng = np.random.default_rng([seed, 7])
    municipalities = [r for r in regions() if r.kind == "municipality"]
    rows = []
    for category, level in PEER_CATEGORIES.items():
        for region in municipalities:
            own = level * rng.lognormal(0.0, 0.15)
            for k, year in enumerate(PEER_YEARS):
                pop = round(region.population * (1 + 0.004 * (year - 2018)))
                rate = own * (1 + 0.02 * (k - 2))
                count = int(rng.poisson(rate * pop / 100_000))
                rows.append((region, year, category, count, pop))
    frame = pd.DataFrame(rows, columns=["region", "year", "category", "count", "population"])
    county = next(r for r in regions() if r.kind == "county")
    country = next(r for r in regions() if r.kind == "country")
    sums = frame.groupby(["year", "category"], as_index=False)[["count", "population"]].sum()
    sums["region"] = [county] * len(sums)
    national = sums.copy()
    national["region"] = [country] * len(national)
    national["population"] = [
        round(country.population * (1 + 0.008 * (y - 2018))) for y in national["year"]
    ]
    national["count"] = [
        int(rng.poisson(PEER_CATEGORIES[c] * 1.35 * p / 100_000))
        for c, p in zip(national["category"], national["population"], strict=True)
    ]
    frame = pd.concat([frame, sums, national], ignore_index=True)
    out = pd.DataFrame(
        {
            "region_code": [r.code for r in frame["region"]],
            "region": [r.name for r in frame["region"]],
            "year": frame["year"].astype(int),
            "period": "helår",
            "category": frame["category"],
            "count": frame["count"].astype(float),
            "rate": (frame["count"] / frame["population"] * 100_000).round(1),
            "population": frame["population"].astype(float),
            "source": "Exempeldata",
        }
    )
    return out


# --- The demo's promise content: example targets and a second promise period -------------------

# Example targets for the configured 2018-2019 promise (the document gives no numbers).
EXAMPLE_TARGETS = {
    "patrol_hours": 240,
    "safety_walks": 4,
    "info_meetings": 3,
    "operations": 6,
    "drug_operations": 2,
}
# The municipality's next promise (BRIEF: drug operations aimed at young people, information
# meetings in all schools, more neighbourhood-watch areas) as short summaries with example
# targets: demo content, no activities recorded for it.
NEXT_PROMISE = (
    dt.date(2019, 11, 28),
    dt.date(2021, 5, 31),
    (
        (
            "narkotika-unga",
            "Polisen genomför insatser mot narkotika riktade mot unga.",
            "police",
            ("youth_drug_operations", "Narkotikainsatser riktade mot unga", 6, "st"),
            ("Narkotikabrott", "Misstänkt narkotikahandel"),
            "Fler insatser ger fler upptäckta narkotikabrott.",
        ),
        (
            "skolmoten",
            "Polisen och kommunen håller informationsmöten i alla skolor.",
            "joint",
            ("school_meetings", "Informationsmöten i skolor", 8, "st"),
            (),
            "Inget enskilt händelsemått: mötena riktar sig till elever och föräldrar.",
        ),
        (
            "grannsamverkan",
            "Fler områden med grannsamverkan.",
            "municipality",
            ("watch_areas", "Nya grannsamverkansområden", 5, "st"),
            ("Stöld/inbrott", "Inbrott"),
            "Grannsamverkan syftar främst till färre inbrott.",
        ),
    ),
)


def generate_promises(muni: Municipality) -> pd.DataFrame:
    """The demo's promise definitions as a file of them (``lib.promises.files``): the
    configured promise with example targets, and the next, fictional period."""
    from lib.i18n import t
    from lib.ingest.promise_files import all_definitions
    from lib.promises.files import HEADERS

    rows = []
    for r in all_definitions(muni).itertuples():
        rows.append(
            (
                r.period_start.date(),
                r.period_end.date(),
                r.number,
                r.promise_id,
                r.text,
                r.responsible,
                r.indicator_id,
                r.indicator_label,
                EXAMPLE_TARGETS.get(r.indicator_id),
                r.unit,
                r.outcome_categories,
                r.outcome_localities,
                r.outcome_note,
            )
        )
    start, end, promises = NEXT_PROMISE
    for number, (pid, text, who, (iid, label, target, unit), cats, note) in enumerate(
        promises, start=1
    ):
        rows.append((start, end, number, pid, text, who, iid, label, target, unit, cats, (), note))
    frame = pd.DataFrame(rows, columns=list(HEADERS))
    frame["period_start"] = frame["period_start"].map(dt.date.isoformat)
    frame["period_end"] = frame["period_end"].map(dt.date.isoformat)
    frame["responsible"] = frame["responsible"].map(lambda c: t(f"promise.responsible_{c}"))
    frame["target"] = frame["target"].map(lambda v: "" if pd.isna(v) else str(int(v)))
    for column in ("outcome_categories", "outcome_localities"):
        frame[column] = frame[column].map(", ".join)
    return frame.rename(columns=HEADERS)


# --- The demo's signal reports (EST) ------------------------------------------------------------

# Nine weeks after the incidents end (the reports continue where the file stops: the
# municipality's reporting moved into the app).
REPORTS_START, REPORTS_END = dt.date(2019, 10, 1), dt.date(2019, 12, 1)
# EST category id: reports a week, time-of-day profile, severity weights (1, 2, 3), service,
# example notes.
REPORT_KINDS = (
    (
        "klotter",
        2.6,
        "night",
        (0.7, 0.3, 0.0),
        "Gata och park",
        ("Klotter på elskåp.", "Taggar i gångtunneln."),
    ),
    (
        "nedskrapning",
        1.6,
        "day",
        (0.9, 0.1, 0.0),
        "Gata och park",
        ("Nedskräpat vid återvinningen.",),
    ),
    (
        "trasig_belysning",
        1.2,
        "evening",
        (0.5, 0.5, 0.0),
        "Gata och park",
        ("Två lampor släckta längs gångvägen.",),
    ),
    (
        "skymd_plats",
        0.7,
        "evening",
        (0.4, 0.6, 0.0),
        "Fastighet",
        ("Igenvuxet buskage vid cykelvägen.",),
    ),
    (
        "storande_grupp",
        1.1,
        "evening",
        (0.4, 0.5, 0.1),
        "Fritid",
        ("Grupp med hög musik sent på kvällen.",),
    ),
    (
        "narkotika",
        0.5,
        "evening",
        (0.2, 0.6, 0.2),
        "Fritid",
        ("Misstänkt langning vid busshållplatsen.",),
    ),
    ("skadegorelse", 1.2, "night", (0.5, 0.4, 0.1), "Fastighet", ("Krossad ruta i väntkuren.",)),
)
SERVICES_REPORTERS = {
    "Gata och park": "Exempelrapportör gata",
    "Fastighet": "Exempelrapportör fastighet",
    "Fritid": "Exempelrapportör fritid",
}


def generate_reports(muni: Municipality, seed: int = SEED) -> pd.DataFrame:
    """Fictional reports as a file of reports (``lib.est.files``): pins around the main
    locality's hot places (repeated signals at the station), some at a named place or only a
    locality, the older ones handled. Labelled as examples in every note and reporter."""
    from lib.est.files import HEADERS
    from lib.est.vocabulary import category_by_id, load_categories
    from lib.i18n import t

    labels = {c.id: c.label for c in category_by_id(load_categories()).values()}
    days = pd.date_range(REPORTS_START, REPORTS_END, freq="D")
    rows = []
    for k, (category, per_week, profile, severity, service, notes) in enumerate(REPORT_KINDS):
        rng = np.random.default_rng([seed, 100 + k])
        counts = rng.poisson(per_week / 7 * WEEKDAYS["weekend"][days.day_of_week.to_numpy()])
        when = np.repeat(days.to_numpy(), counts)
        n = len(when)
        spec = CategorySpec(category, "municipal_report", 0, profile, "flat", hotspot_share=0.6)
        _names, lat, lon = _places(rng, spec, n, muni, when)
        hours = rng.choice(24, size=n, p=HOURS[profile] / HOURS[profile].sum())
        minutes = rng.integers(0, 60, size=n)
        stamps = when + (hours * 60 + minutes).astype("timedelta64[m]")
        how = rng.random(n)  # a pin (most), a named place, or only the locality
        for i in range(n):
            place, plat, plon = "", lat[i], lon[i]
            if how[i] > 0.9:
                place, plat, plon = _names[i], "", ""
            elif how[i] > 0.8 and muni.report_places:
                place, plat, plon = muni.report_places[i % len(muni.report_places)].name, "", ""
            rows.append(
                {
                    "occurred_at": pd.Timestamp(stamps[i]),
                    "category": labels[category],
                    "severity": int(rng.choice(3, p=severity)) + 1,
                    "place": place,
                    "lat": plat,
                    "lon": plon,
                    "note": f"Exempel: {notes[i % len(notes)]}",
                    "service": service,
                    "reporter": SERVICES_REPORTERS[service],
                }
            )
    frame = pd.DataFrame(rows).sort_values("occurred_at", kind="stable").reset_index(drop=True)
    age = (pd.Timestamp(REPORTS_END) - frame["occurred_at"]).dt.days
    rng = np.random.default_rng([seed, 200])
    handled = rng.choice(["done", "closed", "assessed"], size=len(frame), p=[0.7, 0.15, 0.15])
    fresh = rng.choice(["new", "assessed"], size=len(frame), p=[0.6, 0.4])
    frame["status"] = [
        t(f"status.{h if a > 14 else f}") for h, f, a in zip(handled, fresh, age, strict=True)
    ]
    frame.insert(0, "id", [f"EXR-{i:04d}" for i in range(1, len(frame) + 1)])
    frame["occurred_at"] = frame["occurred_at"].dt.strftime("%Y-%m-%d %H:%M")
    for column in ("lat", "lon"):
        frame[column] = [v if v == "" else f"{v:.5f}".replace(".", ",") for v in frame[column]]
    return frame.rename(columns=HEADERS)[list(HEADERS.values())]


def sample_bytes(muni: Municipality) -> dict[str, bytes]:
    """Every sample file's content, as the files hold it."""
    from lib.ingest.importers import excel_csv_bytes

    return {
        "incidents": to_swedish_csv(generate_incidents(muni), "incidents"),
        "activities": to_swedish_csv(generate_activities(muni), "activities"),
        "cameras": to_swedish_csv(generate_cameras(muni), "cameras"),
        "peers": to_swedish_csv(generate_peers(muni), "peers"),
        "promises": excel_csv_bytes(generate_promises(muni)),
        "reports": excel_csv_bytes(generate_reports(muni)),
    }


def write_sample_files(muni: Municipality | None = None) -> dict[str, Path]:
    muni = muni or load_municipality()
    for kind, data in sample_bytes(muni).items():
        path = muni.sample_files[kind]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return dict(muni.sample_files)


if __name__ == "__main__":
    for kind, path in write_sample_files().items():
        print(f"{kind}: {path}")
