"""Who may write: sign-in without Streamlit, so every rule here is a plain function or class
a test can call (``lib.app.signin`` holds the thin Streamlit glue).

* Local accounts live in the store (``accounts``), each with a role (analyst or reporter), a
  PBKDF2 hash and a must-change flag; the ``[analyst] password_hash`` secret is a bootstrap
  analyst beside them.
* Failed attempts are counted per account name and per client address in the store, so a
  lockout holds across sessions and server processes; after a few free failures each further
  one locks the name (or the address) for a doubling time.
* A sign-in is bound to the browser that made it: the session keeps a hash of a secret from
  that browser's own cookies and compares it on every run, so someone who learns the session
  id (it appears in upload URLs) and reconnects with it is a viewer.
* OIDC (``st.login``) sign-ins become analysts only for a verified e-mail address on an
  allow-list; without an allow-list nobody does.
* Everything above goes into the audit log (``auth_log``).
"""

from __future__ import annotations

import binascii
import datetime as dt
import hashlib
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import pandas as pd
import sqlalchemy as sa

from lib.passwords import (
    MIN_LENGTH,
    dummy_hash,
    hash_password,
    hash_problem,
    verify_password,
)
from lib.store.store import Store
from lib.store.tables import accounts, auth_log, sign_in_failures

ROLES = ("analyst", "reporter")
IDLE_MINUTES = 30
XSRF_COOKIE = "_streamlit_xsrf"
# Binding of a run that has no browser connection at all (AppTest, bare mode): there is no
# session id anyone could replay.
NO_BROWSER = "no-browser"
UNKNOWN_CLIENT = "okänd"
LOG_EVENTS = (
    "sign_in",
    "failure",
    "locked",
    "refused_locked",
    "sign_out",
    "idle",
    "replay",
    "removed",
    "unavailable",
    "oidc_sign_in",
    "oidc_refused",
    "password_changed",
    "account_created",
    "account_removed",
    "unlocked",
)


class AuthError(Exception):
    """A request refused for a reason the user can fix; ``code`` selects the Swedish text."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Account:
    name: str
    role: str = "analyst"
    service: str | None = None
    must_change: bool = False
    source: str = "local"  # local | bootstrap | oidc

    @property
    def is_analyst(self) -> bool:
        return self.role == "analyst" and not self.must_change


@dataclass(frozen=True)
class Bootstrap:
    """The ``[analyst]`` secret: one analyst whose hash the operator keeps in secrets.toml."""

    name: str
    password_hash: str


@dataclass(frozen=True)
class Policy:
    """After ``free`` failures, each further failure locks for ``first`` seconds, doubling
    up to ``maximum``; a day without failures forgets the count. A client address gets more
    free failures than a name: several people may sit behind one address."""

    free: int = 3
    client_free: int = 10
    first: float = 15.0
    maximum: float = 3600.0
    forget_after: float = 24 * 3600.0

    def lock_seconds(self, failures: int, scope: str) -> float:
        free = self.free if scope == "account" else self.client_free
        if failures <= free:
            return 0.0
        return min(self.maximum, self.first * 2 ** (failures - free - 1))


@dataclass(frozen=True)
class Outcome:
    """The answer to one sign-in attempt. ``code``: ok, wrong, locked, unavailable."""

    code: str
    account: Account | None = None
    wait_seconds: float = 0.0


@dataclass
class SignedIn:
    """What a session keeps about its sign-in."""

    account: Account
    binding: str
    last_seen: float
    extra: dict = field(default_factory=dict)


# --- Binding a session to its browser ----------------------------------------------------------


def xsrf_token(cookie: str | None) -> bytes | None:
    """The random token inside Streamlit's XSRF cookie ("2|mask|masked token|time", the
    format Tornado introduced). The cookie is re-masked on every response, the token stays
    the browser's for as long as it keeps the cookie. None when absent or unreadable.
    tests/test_auth.py checks this against Streamlit's own encoder."""
    if not cookie:
        return None
    value = cookie.strip("\"'")
    parts = value.split("|")
    try:
        if len(parts) == 4 and parts[0] == "2":
            mask = binascii.a2b_hex(parts[1])
            masked = binascii.a2b_hex(parts[2])
            if not mask or not masked:
                return None
            return bytes(b ^ mask[i % len(mask)] for i, b in enumerate(masked))
        if len(parts) == 1 and len(value) >= 32:
            return binascii.a2b_hex(value)
    except (binascii.Error, ValueError):
        return None
    return None


def browser_binding(cookies: Mapping[str, str], headers: Mapping[str, str]) -> str | None:
    """A value only the signed-in browser can present: a hash of its XSRF token. NO_BROWSER
    for a run without any browser connection; None when a browser sent no usable token
    (XSRF protection switched off): then a password sign-in cannot be bound and is refused."""
    if not headers:
        return NO_BROWSER
    token = xsrf_token(cookies.get(XSRF_COOKIE))
    if token is None or len(token) < 16:
        return None
    return hashlib.sha256(b"trygghet-session-binding\x00" + token).hexdigest()


def client_address(ip_address: object, headers: Mapping[str, str]) -> str:
    """Who is knocking, for counting failures. A direct connection's own address; from a
    proxy on the same host (Streamlit reports loopback connections as no address) the last
    X-Forwarded-For entry, the one our proxy appended. Earlier entries are the client's own
    claim and are ignored."""
    if isinstance(ip_address, str) and ip_address:
        return ip_address[:64]
    forwarded = headers.get("X-Forwarded-For") or headers.get("X-Real-Ip") or ""
    last = forwarded.split(",")[-1].strip()
    return last[:64] or UNKNOWN_CLIENT


def check_session(
    signed: SignedIn | None, binding: str | None, now: float, idle_seconds: float
) -> str | None:
    """Why a kept sign-in no longer holds ('replay': another browser presents the session;
    'idle': no run for ``idle_seconds``), or None when it does."""
    if signed is None:
        return None
    if binding is None or not _same(signed.binding, binding):
        return "replay"
    if now - signed.last_seen > idle_seconds:
        return "idle"
    return None


def _same(a: str, b: str) -> bool:
    import hmac

    return hmac.compare_digest(a.encode(), b.encode())


# --- OIDC ----------------------------------------------------------------------------------------


def _as_list(value: object) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value]


def oidc_verdict(
    user: Mapping[str, object], allowed_emails: object, allowed_domains: object
) -> tuple[Account | None, str]:
    """An analyst for a verified e-mail address on the allow-list (addresses or domains,
    compared without regard to case); otherwise None and the reason: no_allow_list,
    no_email, unverified or not_allowed."""
    emails = {e.strip().lower() for e in _as_list(allowed_emails) if e.strip()}
    domains = {d.strip().lower().lstrip("@") for d in _as_list(allowed_domains) if d.strip()}
    if not emails and not domains:
        return None, "no_allow_list"
    email = str(user.get("email") or "").strip().lower()
    if "@" not in email:
        return None, "no_email"
    verified = user.get("email_verified")
    if not (verified is True or str(verified).lower() == "true"):
        return None, "unverified"
    if email not in emails and email.rpartition("@")[2] not in domains:
        return None, "not_allowed"
    name = str(user.get("name") or email)
    return Account(name, "analyst", source="oidc"), "ok"


# --- Accounts, throttling and the audit log in the store ----------------------------------------


def _key(name: str) -> str:
    return " ".join(str(name).split()).lower()[:128]


def _iso(seconds: float) -> str:
    return dt.datetime.fromtimestamp(seconds, dt.UTC).isoformat(timespec="seconds")


class Accounts:
    """Accounts, failure counters and the audit log of one store."""

    def __init__(self, store: Store, policy: Policy | None = None, clock: Callable = time.time):
        self.store = store
        self.policy = policy or Policy()
        self.clock = clock

    # accounts

    def has_accounts(self) -> bool:
        with self.store.engine.connect() as conn:
            return conn.execute(sa.select(sa.func.count()).select_from(accounts)).scalar_one() > 0

    def find(self, name: str) -> tuple[Account, str] | None:
        """The account and its stored hash, by name in any case."""
        with self.store.engine.connect() as conn:
            row = conn.execute(sa.select(accounts).where(accounts.c.name_key == _key(name))).first()
        if row is None:
            return None
        account = Account(row.name, row.role, row.service, bool(row.must_change))
        return account, row.password_hash

    def list(self) -> pd.DataFrame:
        columns = [accounts.c.name, accounts.c.role, accounts.c.service, accounts.c.must_change]
        columns += [accounts.c.created_at, accounts.c.created_by, accounts.c.changed_at]
        with self.store.engine.connect() as conn:
            return pd.read_sql_query(sa.select(*columns).order_by(accounts.c.name_key), conn)

    def create(
        self,
        name: str,
        role: str,
        password: str,
        by: str,
        service: str | None = None,
        must_change: bool = True,
    ) -> Account:
        name = " ".join(str(name).split())
        if not name or len(name) > 128:
            raise AuthError("bad_name")
        if role not in ROLES:
            raise AuthError("bad_role")
        _check_new_password(password)
        with self.store.writing() as conn:
            exists = conn.execute(
                sa.select(accounts.c.name).where(accounts.c.name_key == _key(name))
            ).first()
            if exists is not None:
                raise AuthError("name_taken")
            conn.execute(
                accounts.insert().values(
                    name_key=_key(name),
                    name=name,
                    role=role,
                    service=(service or "").strip() or None,
                    password_hash=hash_password(password),
                    must_change=must_change,
                    created_at=_iso(self.clock()),
                    created_by=by,
                )
            )
        self.log("account_created", name, detail=f"{role} ({by})")
        return Account(name, role, service, must_change)

    def remove(self, name: str, by: str) -> None:
        with self.store.writing() as conn:
            gone = conn.execute(sa.delete(accounts).where(accounts.c.name_key == _key(name)))
        if gone.rowcount == 0:
            raise AuthError("unknown_account")
        self.log("account_removed", name, detail=by)

    def change_password(self, name: str, old: str, new: str, client: str) -> None:
        """The account's own change (the first sign-in's, or later): the old password is
        asked again, so a session left open cannot be used to take the account over."""
        found = self.find(name)
        if found is None or not verify_password(old, found[1]):
            self.log("failure", name, client, "password change")
            self._failed(name, client)
            raise AuthError("wrong_old_password")
        if new == old:
            raise AuthError("same_password")
        _check_new_password(new)
        with self.store.writing() as conn:
            conn.execute(
                accounts.update()
                .where(accounts.c.name_key == _key(name))
                .values(
                    password_hash=hash_password(new),
                    must_change=False,
                    changed_at=_iso(self.clock()),
                )
            )
        self.log("password_changed", name, client)

    # failures

    def wait_seconds(self, name: str, client: str) -> float:
        """How long this name or this client is still locked out (0 when neither is)."""
        now = self.clock()
        keys = [("account", _key(name)), ("client", client)]
        with self.store.engine.connect() as conn:
            rows = conn.execute(
                sa.select(sign_in_failures.c.locked_until).where(
                    sa.or_(
                        *(
                            sa.and_(sign_in_failures.c.scope == s, sign_in_failures.c.key == k)
                            for s, k in keys
                        )
                    )
                )
            ).scalars()
            return max([0.0, *(until - now for until in rows)])

    def _failed(self, name: str, client: str) -> float:
        """Count one failure for the name and the client; returns the lock it starts."""
        now = self.clock()
        longest = 0.0
        with self.store.writing() as conn:
            for scope, key in (("account", _key(name)), ("client", client)):
                where = sa.and_(sign_in_failures.c.scope == scope, sign_in_failures.c.key == key)
                row = conn.execute(sa.select(sign_in_failures).where(where)).first()
                failures = 1
                if row is not None and now - row.last_failure < self.policy.forget_after:
                    failures = row.failures + 1
                lock = self.policy.lock_seconds(failures, scope)
                values = dict(failures=failures, last_failure=now, locked_until=now + lock)
                if row is None:
                    conn.execute(sign_in_failures.insert().values(scope=scope, key=key, **values))
                else:
                    conn.execute(sign_in_failures.update().where(where).values(**values))
                if lock:
                    self._log(conn, "locked", name, client, f"{scope} {failures} {lock:.0f} s")
                longest = max(longest, lock)
        return longest

    def _clear(self, name: str) -> None:
        """A right password forgets the name's failures (not the client's: one good
        account must not reset the count of an address guessing others)."""
        with self.store.writing() as conn:
            conn.execute(
                sa.delete(sign_in_failures).where(
                    sign_in_failures.c.scope == "account", sign_in_failures.c.key == _key(name)
                )
            )

    def unlock(self, name: str, by: str) -> None:
        """An analyst lifts a name's lockout (a colleague who mistyped too often)."""
        self._clear(name)
        self.log("unlocked", name, detail=by)

    # the sign-in itself

    def sign_in(
        self, name: str, password: str, client: str, bootstrap: Bootstrap | None = None
    ) -> Outcome:
        """Check one attempt. An empty name means the bootstrap analyst (when configured);
        a locked name or client is refused without looking at the password."""
        name = " ".join(str(name).split())[:128]
        if not name and bootstrap is not None:
            name = bootstrap.name
        wait = self.wait_seconds(name, client)
        if wait > 0:
            self.log("refused_locked", name, client, f"{wait:.0f} s")
            return Outcome("locked", wait_seconds=wait)
        account, stored = self._candidate(name, bootstrap)
        if stored is not None and hash_problem(stored) is not None:
            # The operator's configuration is at fault, not the user: say so in the log.
            self.log("unavailable", name, client, f"hash {hash_problem(stored)}")
            return Outcome("unavailable")
        if not verify_password(password, stored or dummy_hash()) or account is None:
            self.log("failure", name, client)
            lock = self._failed(name, client)
            return Outcome("locked" if lock else "wrong", wait_seconds=lock)
        self._clear(name)
        self.log("sign_in", account.name, client, account.source)
        return Outcome("ok", account)

    def _candidate(self, name: str, bootstrap: Bootstrap | None) -> tuple[Account | None, str]:
        found = self.find(name)
        if found is not None:
            return found
        if bootstrap is not None and _key(name) == _key(bootstrap.name):
            return Account(bootstrap.name, "analyst", source="bootstrap"), bootstrap.password_hash
        return None, None

    # the audit log

    def log(
        self, event: str, account: str | None = None, client: str | None = None, detail=None
    ) -> None:
        with self.store.writing() as conn:
            self._log(conn, event, account, client, detail)

    def _log(self, conn, event: str, account, client, detail) -> None:
        conn.execute(
            auth_log.insert().values(
                at=_iso(self.clock()),
                event=event,
                account=(account or None) and str(account)[:128],
                client=(client or None) and str(client)[:64],
                detail=(detail or None) and str(detail)[:256],
            )
        )

    def log_frame(self, limit: int = 500) -> pd.DataFrame:
        """The latest entries of the audit log, newest first."""
        with self.store.engine.connect() as conn:
            query = sa.select(auth_log).order_by(auth_log.c.id.desc()).limit(limit)
            return pd.read_sql_query(query, conn)


def _check_new_password(password: str) -> None:
    if len(password) < MIN_LENGTH:
        raise AuthError("password_too_short")


def bootstrap_from(section: Mapping[str, object] | None, default_name: str) -> Bootstrap | None:
    """The ``[analyst]`` secret as a bootstrap account, or None when it has no hash."""
    if not section or not section.get("password_hash"):
        return None
    return Bootstrap(str(section.get("name") or default_name), str(section["password_hash"]))


def idle_seconds(section: Mapping[str, object] | None, environ: Mapping[str, str]) -> float:
    """``[analyst] idle_minutes`` in the secrets, else TRYGGHET_IDLE_MINUTES, else 30."""
    value = (section or {}).get("idle_minutes") or environ.get("TRYGGHET_IDLE_MINUTES")
    try:
        minutes = float(value) if value is not None else IDLE_MINUTES
    except (TypeError, ValueError):
        minutes = IDLE_MINUTES
    return max(1.0, minutes) * 60.0
