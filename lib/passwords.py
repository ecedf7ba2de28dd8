"""Passwords, kept only as salted PBKDF2-HMAC-SHA256 hashes: the bootstrap analyst's in
Streamlit's secrets, the individual accounts' in the store."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from functools import cache

ALGORITHM = "pbkdf2_sha256"
ITERATIONS = 600_000  # OWASP's 2023 recommendation for PBKDF2-HMAC-SHA256
# A hash with fewer iterations is refused (a 1-iteration hash is as good as plain text to
# anyone who reads the secrets file); one with more than MAX_ITERATIONS too, so a hash cannot
# make every sign-in attempt cost the server minutes.
MIN_ITERATIONS = 100_000
MAX_ITERATIONS = 10_000_000
MIN_LENGTH = 12  # characters of a new password


def hash_password(password: str, iterations: int = ITERATIONS) -> str:
    salt = secrets.token_hex(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), bytes.fromhex(salt), iterations)
    return f"{ALGORITHM}${iterations}${salt}${digest.hex()}"


def hash_problem(stored: str) -> str | None:
    """Why a stored hash cannot be used ('malformed', 'too_weak', 'too_costly'), or None."""
    try:
        algorithm, iterations, salt, expected = str(stored).split("$")
        bytes.fromhex(salt), bytes.fromhex(expected)
        count = int(iterations)
    except (ValueError, TypeError):
        return "malformed"
    if algorithm != ALGORITHM or not salt or not expected:
        return "malformed"
    if count < MIN_ITERATIONS:
        return "too_weak"
    if count > MAX_ITERATIONS:
        return "too_costly"
    return None


def verify_password(password: str, stored: str) -> bool:
    """Constant-time check of a password against a stored hash; False for a malformed hash
    and for one outside the accepted iteration counts (``hash_problem``)."""
    if hash_problem(stored) is not None:
        return False
    _, iterations, salt, expected = stored.split("$")
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), bytes.fromhex(salt), int(iterations))
    return hmac.compare_digest(digest.hex(), expected)


@cache
def dummy_hash() -> str:
    """Checked instead when the account does not exist, so a wrong name costs as long as a
    wrong password and the time taken tells nobody which names exist."""
    return hash_password(secrets.token_hex(16))


def temporary_password() -> str:
    """A random first password for a new account, to be changed at the first sign-in."""
    return secrets.token_urlsafe(12)
