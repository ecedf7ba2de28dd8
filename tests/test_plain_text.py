"""Strings from data never render as Markdown where Streamlit would render it (captions and
st.table cells): a link, an image or a directive in a file shows as its characters."""

from __future__ import annotations

import re

import pandas as pd

from lib.app.widgets import plain, plain_table
from lib.ingest.loading import import_bytes
from lib.store.store import Store
from tests.test_pages import assert_ok

HOSTILE = "![spår](http://127.0.0.1:9/x.png) [länk](http://127.0.0.1:9) **fet** :red[röd] $x$"


def test_every_markdown_character_is_escaped():
    text = plain(HOSTILE)
    # No unescaped Markdown character is left: each is preceded by a backslash.
    assert not re.search(r"(?<!\\)[!\[\]()*:$]", text), text
    # Removing the escapes gives the original text back: nothing is lost.
    assert re.sub(r"\\(.)", r"\1", text) == HOSTILE


def test_tables_escape_cells_headers_and_index():
    frame = pd.DataFrame({"**Ort**": ["[a](b)"], "n": [3]}, index=["_x_"])
    table = plain_table(frame)
    assert list(table.columns) == [r"\*\*Ort\*\*", "n"]
    assert table.iloc[0, 0] == r"\[a\]\(b\)" and table.iloc[0, 1] == 3
    assert list(table.index) == [r"\_x\_"]


def test_a_peer_file_source_with_markdown_shows_as_text(open_app, muni, tmp_path, monkeypatch):
    at = open_app("pages/jamforelse.py")
    store = Store()
    header = "kommunkod;kommun;år;period;brott;antal;per 100 000 inv.;folkmängd;källa"
    rows = [header] + [
        f"{code};{name};2025;helår;Samtliga anmälda brott;{n};;{pop};{HOSTILE}"
        for code, name, n, pop in [
            ("1861", "Hallsberg", 1700, 16000),
            ("1881", "Kumla", 2300, 21800),
            ("1814", "Lekeberg", 760, 8200),
            ("1884", "Nora", 1000, 10800),
        ]
    ]
    outcome = import_bytes(store, "\n".join(rows).encode(), "peers", muni, "fientlig.csv")
    assert outcome.ok, outcome.messages
    at.run()
    at.selectbox(key="ar").set_value(2025).run()
    assert_ok(at)
    sources = next(c.value for c in at.caption if c.value.startswith("Källa"))
    assert plain(HOSTILE) in sources and "![" not in sources
