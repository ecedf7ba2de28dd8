"""Several municipalities in one deployment (issue 15.3): which municipalities it serves, which
one a viewer is looking at, and who may write to which.

- ``TRYGGHET_KOMMUNER`` lists the municipalities a deployment serves (names, codes or TOML
  paths, comma-separated, as TRYGGHET_KOMMUN takes them); the configured TRYGGHET_KOMMUN is
  always served and is the default. A viewer picks one with ``?kommun=<code>``.
- The ``[kommuner]`` section of the secrets maps a signed-in name (a local account's name, an
  OIDC address or the bootstrap analyst's name; any case) to the municipalities it may write
  to and see exactly: four-digit codes, a county's two digits for all of the county's
  municipalities (a county analyst), or ``"*"``. Anyone not listed may write only to the
  deployment's own municipality.
- The command line runs on the server, for whoever holds the store's credentials: without a
  ``[kommuner]`` section it may write anywhere; with one, its user (``--user`` or the login
  name) is held to the same rule.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path

from lib.config import load_municipality

ALL = "*"


def served(environ: Mapping[str, str] = os.environ) -> dict[str, str | None]:
    """Municipality code -> the selector that loads its configuration; the default (the
    configured municipality, selector None) first."""
    found: dict[str, str | None] = {load_municipality().code: None}
    for selector in environ.get("TRYGGHET_KOMMUNER", "").split(","):
        selector = selector.strip()
        if selector:
            found.setdefault(load_municipality(selector).code, selector)
    return found


def chosen(requested: str | None, serving: dict[str, str | None]) -> str:
    """The municipality in view: the requested code when the deployment serves it, else the
    default. An unknown code in a link falls back quietly."""
    code = (requested or "").strip()
    return code if code in serving else next(iter(serving))


def allowed(name: str | None, code: str, policy: Mapping | None, home: str) -> bool:
    """May ``name`` write to (and see exact figures of) municipality ``code``? ``policy`` is
    the ``[kommuner]`` section, ``home`` the deployment's own municipality."""
    if not name:
        return False
    listed = {str(k).strip().casefold(): v for k, v in (policy or {}).items()}
    patterns = listed.get(name.strip().casefold())
    if patterns is None:
        return code == home
    if isinstance(patterns, str):
        patterns = [patterns]
    return any(_matches(str(p).strip(), code) for p in patterns)


def _matches(pattern: str, code: str) -> bool:
    if pattern == ALL:
        return True
    if len(pattern) == 2 and pattern.isdigit():  # a county: all its municipalities
        return code.startswith(pattern)
    return pattern.zfill(4) == code


def secrets_policy(path: Path | None = None) -> Mapping | None:
    """The ``[kommuner]`` section of the secrets file the app reads (``.streamlit/
    secrets.toml`` where the command runs, or TRYGGHET_SECRETS), for the command line;
    None when there is no such file or section."""
    path = path or Path(os.environ.get("TRYGGHET_SECRETS", ".streamlit/secrets.toml"))
    if not path.is_file():
        return None
    with path.open("rb") as fh:
        return tomllib.load(fh).get("kommuner")


def cli_allowed(name: str, code: str, policy: Mapping | None) -> bool:
    """The command line's rule: anywhere without a policy, else as in the app."""
    return policy is None or allowed(name, code, policy, load_municipality().code)
