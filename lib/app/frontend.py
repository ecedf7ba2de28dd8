"""The words of Streamlit's own frontend in Swedish (Streamlit has no setting for them): one
constant script, built from the catalogue, that puts the Swedish in as elements appear.
"""

from __future__ import annotations

import functools

import streamlit as st

from lib.i18n import t

# Streamlit's frontend speaks English. These are its words that a viewer meets, on screen or
# read out by a screen reader, with the catalogue key of each one's Swedish: attribute values
# (aria-label, aria-valuetext, title, placeholder) and an element's whole text, matched whole
# (labels for attributes, texts for texts) or by a pattern with one part kept (both).
# tests/browser/test_swedish_frontend.py looks for the Swedish on real pages, so it fails when
# Streamlit changes a word.
FRONTEND_LABELS = {
    "App pages": "frontend.app_pages",
    "Sidebar": "frontend.sidebar",
    "Collapse sidebar": "frontend.collapse_sidebar",
    "Expand sidebar": "frontend.expand_sidebar",
    "Main menu": "frontend.main_menu",
    "Link to heading": "frontend.link_to_heading",
    "Open": "frontend.open",
    "Close": "frontend.close",
    "Clear value": "frontend.clear_value",
    "Clear all": "frontend.clear_all",
    "Choose an option": "frontend.choose_option",
    "Search": "frontend.search",
    "Download as CSV": "frontend.download_csv",
    "Show/hide columns": "frontend.show_hide_columns",
    "Fullscreen": "frontend.fullscreen",
    "Close fullscreen": "frontend.close_fullscreen",
    "Show password": "frontend.show_password",
    "Hide password": "frontend.hide_password",
    "Choose date": "frontend.choose_date",
    "Choose date range": "frontend.choose_date_range",
    "Previous month": "frontend.previous_month",
    "Next month": "frontend.next_month",
    "Previous": "frontend.previous",
    "Next": "frontend.next",
    "year": "frontend.year",
    "month": "frontend.month",
    "day": "frontend.day",
    "Stop": "frontend.stop",
    "progress": "frontend.progress",
    "streamlit_folium.st_folium": "frontend.map_frame",
}
FRONTEND_PATTERNS = {
    r"^Help for (.+)$": "frontend.help_for",
    r"^(.+) start date$": "frontend.start_date",
    r"^(.+) end date$": "frontend.end_date",
    r"^year, (.+)$": "frontend.year_of",
    r"^month, (.+)$": "frontend.month_of",
    r"^day, (.+)$": "frontend.day_of",
    r"^Choose date, (.+)$": "frontend.choose_date_in",
    r"^Choose date range, (.+)$": "frontend.choose_date_range_in",
    # The file uploader's limit line, "50MB per file • CSV, TXT, …" (two text nodes, read
    # together); the data page's own hint beside it names the types in Swedish.
    r"^(\d+(?:\.\d+)?\s?[KMG]B) per file(?: • .*)?$": "frontend.per_file",
}
FRONTEND_TEXTS = {
    "Page not found": "notfound.title",
    "The page that you have requested does not seem to exist. Running the app's main page.": (
        "notfound.text"
    ),
    "Skip to main content": "frontend.skip_to_main",
    "Use arrow keys to navigate dates. Enter to select. Escape to close.": "frontend.date_keys",
    "No results": "frontend.no_results",
    "Running...": "frontend.running",
    "Connecting": "frontend.connecting",
    "Please wait...": "frontend.please_wait",
    "Connection error": "frontend.connection_error",
    "Stop": "frontend.stop",
    "yyyy": "frontend.yyyy",
    "Drag and drop file here": "frontend.drop_file",
    "Drag and drop files here": "frontend.drop_file",
}
FRONTEND_SCRIPT = """<script>
document.documentElement.lang = "sv";
if (!window.trygghetSwedish) {
  window.trygghetSwedish = true;
  const labels = LABELS, patterns = PATTERNS, texts = TEXTS;
  const attrs = ["aria-label", "aria-valuetext", "title", "placeholder"];
  const swedish = (value, table = labels) => {
    if (table[value] !== undefined) return table[value];
    for (const [source, words] of patterns) {
      const found = value.match(new RegExp(source));
      if (found) return words.replace("{}", found[1]);
    }
    return undefined;
  };
  const label = (e, attr) => {
    const value = e.getAttribute(attr);
    const words = value === null ? undefined : swedish(value);
    if (words !== undefined && words !== value) e.setAttribute(attr, words);
  };
  const text = (e) => {
    // The text nodes themselves change (React keeps their references and may set them
    // again). An element of several text nodes ("50MB per file", " • CSV") is read as one
    // text; the Swedish goes into the first node, the others are emptied.
    const nodes = [...e.childNodes];
    if (!nodes.length || nodes.some((n) => n.nodeType !== 3)) return;
    const value = nodes.map((n) => n.nodeValue).join("").trim();
    const words = value ? swedish(value, texts) : undefined;
    if (words === undefined || words === value) return;
    nodes[0].nodeValue = words;
    for (const n of nodes.slice(1)) n.nodeValue = "";
  };
  const sweep = (root) => {
    for (const attr of attrs) {
      if (root.hasAttribute(attr)) label(root, attr);
      for (const e of root.querySelectorAll("[" + attr + "]")) label(e, attr);
    }
    text(root);
    for (const e of root.querySelectorAll("*")) text(e);
  };
  new MutationObserver((records) => {
    for (const r of records) {
      if (r.type === "attributes") label(r.target, r.attributeName);
      else if (r.type === "characterData") {
        if (r.target.parentElement) text(r.target.parentElement);
      }
      else for (const n of r.addedNodes) {
        if (n.nodeType === 1) sweep(n);
        else if (n.parentElement) text(n.parentElement);
      }
    }
  }).observe(document.body, {
    subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: attrs,
  });
  sweep(document.body);
}
</script>"""


def month_patterns() -> list[list[str]]:
    """The date field's month segment as a screen reader hears it ("06 – June": the field is
    pinned to American English), as patterns that keep the number and put in the Swedish
    month name."""
    from babel.dates import get_month_names

    english, swedish = get_month_names("wide", locale="en"), get_month_names("wide", locale="sv")
    return [[rf"^(\d+) – {english[m]}$", f"{{}} – {swedish[m]}"] for m in range(1, 13)]


def swedish_frontend() -> None:
    """The words of Streamlit's own frontend in Swedish, and the document's language
    (lang="en" would make screen readers read Swedish with English rules): one constant
    script whose words all come from the catalogue (nothing from data) puts the Swedish in
    as the elements appear. React keeps an attribute or text it has not changed itself, and
    puts its English back only when it changes the value, which the script sees again."""
    st.html(_frontend_script(), unsafe_allow_javascript=True)


@functools.cache
def _frontend_script() -> str:
    """The script, built once per process (it is the same for every run and session)."""
    import json

    def words(table: dict[str, str]) -> str:
        return json.dumps({k: t(v) for k, v in table.items()}, ensure_ascii=False)

    patterns = [[k, t(v, part="{}")] for k, v in FRONTEND_PATTERNS.items()] + month_patterns()
    script = FRONTEND_SCRIPT
    for name, value in (
        ("LABELS", words(FRONTEND_LABELS)),
        ("PATTERNS", json.dumps(patterns, ensure_ascii=False)),
        ("TEXTS", words(FRONTEND_TEXTS)),
    ):
        script = script.replace(name, value, 1)
    return script
