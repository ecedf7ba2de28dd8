"""Fetching crime key figures from Kolada's open API (no key needed), for an analyst who
has network; the answer is stored through the ordinary import, so it is logged, undoable and
available offline afterwards."""

from __future__ import annotations

import urllib.error
import urllib.request

from lib.config import regions
from lib.ingest.formats import KOLADA_KPIS

API = "https://api.kolada.se/v2/data/kpi/{kpi}/municipality/{codes}/year/{years}"
CRIME_KPIS = tuple(KOLADA_KPIS)  # the ids and their categories live in lib.ingest.formats
TIMEOUT_S = 10


class KoladaUnavailable(Exception):
    """No answer from Kolada (no network, blocked, or an error page)."""


def kolada_code(code: str) -> str:
    """Kolada writes the country as 0000 and counties with four digits (0018)."""
    return code.zfill(4)


def url(kpi: str, years: list[int]) -> str:
    codes = ",".join(kolada_code(r.code) for r in regions())
    return API.format(kpi=kpi, codes=codes, years=",".join(str(y) for y in years))


def fetch(kpi: str, years: list[int], opener=None) -> bytes:
    """The JSON for one KPI and the years, for every region in ``data/regions.toml``."""
    opener = opener or urllib.request.urlopen
    try:
        with opener(url(kpi, years), timeout=TIMEOUT_S) as response:
            if getattr(response, "status", 200) != 200:
                raise KoladaUnavailable(f"HTTP {response.status}")
            return response.read()
    except (urllib.error.URLError, OSError, TimeoutError) as exc:
        raise KoladaUnavailable(str(exc)) from exc
