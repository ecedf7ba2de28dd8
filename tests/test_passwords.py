import hashlib

from lib.passwords import (
    MAX_ITERATIONS,
    MIN_ITERATIONS,
    hash_password,
    hash_problem,
    verify_password,
)


def test_round_trip_and_wrong_password():
    stored = hash_password("hemligt lösen", iterations=MIN_ITERATIONS)
    assert stored.startswith(f"pbkdf2_sha256${MIN_ITERATIONS}$")
    assert verify_password("hemligt lösen", stored)
    assert not verify_password("fel", stored)


def test_hash_is_standard_pbkdf2_and_salted():
    stored = hash_password("abc", iterations=MIN_ITERATIONS)
    _, iterations, salt, digest = stored.split("$")
    reference = hashlib.pbkdf2_hmac("sha256", b"abc", bytes.fromhex(salt), int(iterations))
    assert digest == reference.hex()
    assert hash_password("abc", iterations=MIN_ITERATIONS) != stored  # a new salt each time


def test_malformed_hashes_never_verify():
    for stored in ("", "plaintext", "md5$1$00$00", "pbkdf2_sha256$x$zz$00"):
        assert not verify_password("plaintext", stored)
        assert hash_problem(stored) == "malformed"


def test_a_hash_with_too_few_iterations_is_refused_even_with_the_right_password():
    # The attack test signed in with a 1-iteration hash: as good as plain text in secrets.
    for weak in (1, 1000, MIN_ITERATIONS - 1):
        stored = hash_password("rätt lösenord", iterations=weak)
        assert hash_problem(stored) == "too_weak"
        assert not verify_password("rätt lösenord", stored)


def test_a_hash_too_costly_to_check_is_refused_without_computing_it():
    stored = f"pbkdf2_sha256${MAX_ITERATIONS + 1}${'00' * 16}${'00' * 32}"
    assert hash_problem(stored) == "too_costly"
    assert not verify_password("x", stored)  # returns at once instead of hashing for minutes
