"""Personal data in a free-text note, found before it is stored: Swedish personal identity
numbers (personnummer and samordningsnummer, with a valid check digit), phone numbers and
e-mail addresses. EST is about places and situations, never individuals; a note that names
someone cannot be found by a pattern, so the form asks for that in words.

The checks err on the side of refusing: a number that only looks like a phone number is
refused too, and the reporter can write it differently. A ten- or twelve-digit number whose
check digit is wrong is no personal identity number (it may still be refused as a phone
number when it starts like one).
"""

from __future__ import annotations

import re

# 10 or 12 digits, YYMMDD or YYYYMMDD, an optional '-' or '+' before the last four.
PERSONAL_NUMBER = re.compile(
    r"(?<![\d])(?:(?:19|20)?(\d{2})(\d{2})(\d{2})\s?[-+]?\s?(\d{3})(\d))(?![\d])"
)
# +46, 0046 or a leading 0, then 6 to 11 more digits with spaces, hyphens or a slash between.
PHONE = re.compile(r"(?<![\d+])(?:\+\s?46|0046|0)[\s\-/()]*\d(?:[\s\-/()]*\d){5,10}(?![\d])")
EMAIL = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+", re.UNICODE)

PROBLEMS = ("personal_number", "phone", "email")


def luhn_ok(digits: str) -> bool:
    """The Luhn check over all of ``digits`` (the last one being the check digit)."""
    total = 0
    for i, char in enumerate(reversed(digits)):
        n = int(char)
        if i % 2 == 1:
            n *= 2
            if n > 9:
                n -= 9
        total += n
    return total % 10 == 0


def is_personal_number(year: str, month: str, day: str, serial: str, check: str) -> bool:
    """A real-looking personnummer or samordningsnummer (day + 60) with a valid check digit."""
    m, d = int(month), int(day)
    if not 1 <= m <= 12:
        return False
    if not (1 <= d <= 31 or 61 <= d <= 91):
        return False
    return luhn_ok(year + month + day + serial + check)


def find_personal_numbers(text: str) -> list[str]:
    return [
        match.group(0)
        for match in PERSONAL_NUMBER.finditer(text)
        if is_personal_number(*match.groups())
    ]


def find_phone_numbers(text: str) -> list[str]:
    return [match.group(0) for match in PHONE.finditer(text)]


def find_emails(text: str) -> list[str]:
    return [match.group(0) for match in EMAIL.finditer(text)]


def problems(text: str | None) -> list[str]:
    """Which kinds of personal data the text holds, in the order of ``PROBLEMS`` (empty when
    none was found)."""
    if not text:
        return []
    found = []
    if find_personal_numbers(text):
        found.append("personal_number")
    if find_phone_numbers(text):
        found.append("phone")
    if find_emails(text):
        found.append("email")
    return found
