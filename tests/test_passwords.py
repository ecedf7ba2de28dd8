import hashlib

from lib.passwords import hash_password, verify_password


def test_round_trip_and_wrong_password():
    stored = hash_password("hemligt lösen", iterations=1000)
    assert stored.startswith("pbkdf2_sha256$1000$")
    assert verify_password("hemligt lösen", stored)
    assert not verify_password("fel", stored)


def test_hash_is_standard_pbkdf2_and_salted():
    stored = hash_password("abc", iterations=1000)
    _, iterations, salt, digest = stored.split("$")
    reference = hashlib.pbkdf2_hmac("sha256", b"abc", bytes.fromhex(salt), int(iterations))
    assert digest == reference.hex()
    assert hash_password("abc", iterations=1000) != stored  # a new salt each time


def test_malformed_hashes_never_verify():
    for stored in ("", "plaintext", "md5$1$00$00", "pbkdf2_sha256$x$zz$00"):
        assert not verify_password("plaintext", stored)
