"""Personal data in a free-text field, found before it is stored, as people actually write it:
Swedish personal identity numbers (personnummer and samordningsnummer), phone numbers and
e-mail addresses. EST is about places and situations, never individuals; a note that names
someone cannot be found by a pattern, so the form asks for that in words.

What is found (``tests/test_personal_data.py`` holds the corpus, both directions):

* **Identity numbers**: 10 or 12 digits (``YYMMDD-NNNN``, ``YYYYMMDDNNNN``, ``+`` for 100
  years or older) with any separator people use, before the last four and inside the date
  part (hyphen, en dash, minus, spaces, dots), fullwidth digits, invisible characters
  between the digits, and the date and the last four apart with a few words between
  ("personnummer 850101, sista fyra 1236"). A number counts when its date part is a
  possible birth date (a real day, not in the future; a samordningsnummer's day + 60),
  **with or without a valid check digit**: a typo of a real number is still personal data.
* **Phone numbers**: Swedish (``0`` and 8 to 10 digits), international (``+`` or ``00`` and
  8 to 15 digits, ``+46 (0)70 …``) and ``46 7x …`` without the plus, with spaces, hyphens,
  dots, slashes or brackets between the groups.
* **E-mail addresses**: the usual form, and written to dodge a filter: ``(at)``, ``[at]``,
  ``snabel-a``, spaces around ``@`` and the dots, ``(dot)``/``punkt``.

Dates (``2025-03-05``, ``5/3``, ``05.03.2025``, with a time), times and time spans
(``kl 22.15``, ``08.30–16.00``, ``kl 1430``) and amounts (``12 500 kr``) are set aside
before numbers are read, so they are never taken for a phone or an identity number; street
addresses, postal codes and registration numbers do not have the shape of either.

The checks err on the side of refusing: the reporter can write a number differently. No
function here returns the number found: messages name the field and the kind, never the
value.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata

PROBLEMS = ("personal_number", "phone", "email")

# Every dash, minus and hyphen people (and word processors) write, and every space.
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d\u2043\u02d7"
_SPACES = "\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
_SPACES += "\u202f\u205f\u3000\t"
_TRANSLATE = str.maketrans({**dict.fromkeys(_DASHES, "-"), **dict.fromkeys(_SPACES, " ")})


@functools.cache
def _invisible() -> re.Pattern:
    """Control (Cc), format (Cf: zero-width, soft hyphen, direction marks) and surrogate
    (Cs) characters, all of them: removed from the working copy, so a digit cannot hide
    behind one. Scanned from Python's Unicode database (the planes that hold them)."""
    ranges = [*range(0x10000), *range(0x10000, 0x20000), *range(0xE0000, 0xE1000)]
    found = [c for c in ranges if unicodedata.category(chr(c)) in ("Cc", "Cf", "Cs")]
    return re.compile(character_class(c for c in found if chr(c) != "\n"))


def character_class(codes) -> str:
    """A regular expression's character class of the code points, written as ranges (a
    class of single characters is many times slower to match)."""
    parts: list[list[int]] = []
    for code in sorted(set(codes)):
        if parts and code == parts[-1][1] + 1:
            parts[-1][1] = code
        else:
            parts.append([code, code])
    ranges = (re.escape(chr(a)) + ("" if a == b else "-" + re.escape(chr(b))) for a, b in parts)
    return "[" + "".join(ranges) + "]"


def working_text(text: str) -> str:
    """The text as the checks read it: NFKC (fullwidth digits and letters, ＠), every dash
    as '-', every space as ' ', invisible characters removed."""
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    if not text.isascii():
        text = text.translate(_TRANSLATE)
    if not text.replace("\n", "").isprintable():  # Cc, Cf and Cs are all unprintable
        text = _invisible().sub("", text)
    return text


# --- Set aside before numbers are read: dates, times, amounts -----------------------------------

_YEAR4 = r"(?:19|20)\d{2}"
_MONTH = r"(?:0?[1-9]|1[0-2])"
_DAY = r"(?:0?[1-9]|[12]\d|3[01])"
_CLOCK = r"(?:[01]?\d|2[0-3])[:.][0-5]\d(?::[0-5]\d)?"
_SET_ASIDE = [
    # ISO dates, with a time after them, not followed by a last four ('1985-01-01-1236').
    re.compile(
        rf"(?<![\d.\-/]){_YEAR4}([-./]){_MONTH}\1{_DAY}"
        rf"(?:(?:T|\s+(?:kl\.?\s*)?){_CLOCK})?(?![\d])(?!\s*[-+]\s*\d{{4}}(?![\d\-]))"
    ),
    # Day and month first: 5/3, 05.03.2025, 5/3-25, 5/3 2025 (a following group of digits
    # makes it part of a longer number: '08-12 34 56' is a phone number).
    re.compile(
        rf"(?<![\d.\-/]){_DAY}[./\-]{_MONTH}(?:[./\-](?:19|20)?\d{{2}}|\s{_YEAR4})?"
        rf"(?![\d])(?![./\-]\d)(?!\s\d)"
    ),
    # Times and time spans: 22.15, 08:30-16:00, 'kl 1430'.
    re.compile(rf"(?<![\d.:\-/]){_CLOCK}(?:\s*-\s*{_CLOCK})?(?![\d])(?![.:\-/]\d)(?!\s\d)"),
    re.compile(r"\b(?:kl|klockan)\.?\s*(?:[01]\d|2[0-3])[0-5]\d(?!\d)", re.IGNORECASE),
    # Amounts: 12 500 kr, 1.250.000 kronor, 300:-, 40 €.
    re.compile(
        r"(?<![\d.])\d(?:[ .]?\d){0,14}(?:,\d{1,2})?\s?(?::-|€|(?:kr|kronor|sek|euro)(?!\w))",
        re.IGNORECASE,
    ),
]


def _set_aside(text: str) -> str:
    for pattern in _SET_ASIDE:
        text = pattern.sub("§", text)
    return text


# --- Identity numbers --------------------------------------------------------------------------

# The whole number, separators anywhere people put them: '850101-1236', '850101 – 1236',
# '85 01 01-12 36', '19850101 1236', '850101+1236'.
_PERSONAL_NUMBER = re.compile(
    r"(?<!\d)(?P<century>19|20)?(?P<yy>\d{2})[ .\-]?(?P<mm>\d{2})[ .\-]?(?P<dd>\d{2})"
    r"(?: ?(?P<sep>[-+/.]) ?| {1,3})?"
    r"(?P<serial>\d{3}|\d{2} \d)(?P<check>\d)(?!\d)"
)
# The date part and the last four apart, a few words between: 'personnummer 850101, sista
# fyra 1236'. Not across a sentence, at most three words.
_SPLIT = re.compile(
    r"(?<![\d\-])(?P<century>19|20)?(?P<yy>\d{2})(?P<mm>\d{2})(?P<dd>\d{2})(?![\d])"
    r"(?P<gap>[^\d§]{2,30}?)"
    r"(?<![\d\-])(?P<last>\d{4})(?![\d])(?P<after>\s*\S{0,8})"
)
_KEYWORD = re.compile(
    r"person\s?n(?:umme)?r|pers\.?\s?nr|\bpnr\b|samordningsn(?:umme)?r|födelsen(?:umme)?r|"
    r"sista\s+fyra|fyra\s+sista|de\s+fyra\s+sista|id-?nummer|\bpersonnumret",
    re.IGNORECASE,
)
# Words that make four digits something else: a time, an amount, a count, a thing's number.
_NOT_LAST_FOUR_BEFORE = re.compile(
    r"\b(?:kl|klockan|mellan|från|till|efter|före|innan|ca|cirka|runt|år|året|nr|nummer|"
    r"lgh|lägenhet|rum|skåp|buss|linje|port|hus|plats|gata|gatan|väg|vägen|postnummer)"
    r"\.?\s*$",
    re.IGNORECASE,
)
_NOT_LAST_FOUR_AFTER = re.compile(
    r"^\s*(?::-|€|%|(?:kr|kronor|sek|st|stycken|m|meter|km|kg|personer|pers|procent)(?!\w))",
    re.IGNORECASE,
)
_DATE_PART = re.compile(r"(?<!\d)(19|20)?(\d{2})[ .\-]?(\d{2})[ .\-]?(\d{2})(?!\d)")
_SENTENCE_END = re.compile(r"[.!?]\s+[A-ZÅÄÖ]|\n")


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


def possible_birth_date(year: str, month: str, day: str, century: str | None = None) -> bool:
    """A day someone alive could be born on: a real date (a samordningsnummer's day is the
    day + 60), not in the future, at most 130 years ago. Without the century, either
    century will do."""
    m, d = int(month), int(day)
    if d > 60:
        d -= 60
    today = dt.date.today()
    centuries = [int(century)] if century else [19, 20]
    for hundreds in centuries:
        try:
            born = dt.date(hundreds * 100 + int(year), m, d)
        except ValueError:
            continue
        if born <= today and today.year - born.year <= 130:
            return True
    return False


def is_personal_number(year: str, month: str, day: str, serial: str, check: str) -> bool:
    """A real-looking personnummer or samordningsnummer (day + 60) with a valid check digit
    (the strict test; ``problems`` also refuses a wrong check digit, see the module)."""
    return possible_birth_date(year, month, day) and luhn_ok(year + month + day + serial + check)


def _whole_numbers(text: str) -> list[tuple[str, tuple[int, int], bool]]:
    """(the ten digits, where, written as one) of every identity number written whole;
    written as one: the date part's digits together and set off from the last four
    ('090512-1234'), the shape of an identity number rather than of a phone number."""
    found = []
    for match in _PERSONAL_NUMBER.finditer(text):
        g = match.groupdict()
        if g["sep"] == "/" and g["century"]:
            continue  # '2025/03/05 1234' style: a date, not a number
        if possible_birth_date(g["yy"], g["mm"], g["dd"], g["century"]):
            ten = g["yy"] + g["mm"] + g["dd"] + g["serial"].replace(" ", "") + g["check"]
            date_part = match.group(0)[: match.end("dd") - match.start()]
            shaped = date_part.isdigit() and match.end("dd") < match.start("serial")
            found.append((ten, match.span(), shaped))
    return found


def _split_numbers(text: str) -> bool:
    """An identity number whose date part and last four are apart, with words between."""
    for match in _SPLIT.finditer(text):
        g = match.groupdict()
        if not possible_birth_date(g["yy"], g["mm"], g["dd"], g["century"]):
            continue
        gap = g["gap"]
        if _SENTENCE_END.search(gap) or len(re.findall(r"[^\W\d_]+", gap)) > 3:
            continue
        named = _KEYWORD.search(text[max(0, match.start() - 30) : match.end()])
        if not named:
            year_like = 1900 <= int(g["last"]) <= 2099
            if (
                year_like
                or _NOT_LAST_FOUR_BEFORE.search(gap)
                or _NOT_LAST_FOUR_AFTER.match(g["after"])
            ):
                continue
        return True
    return False


def _named_numbers(text: str) -> bool:
    """After a word such as 'personnummer', a possible date part (6 or 8 digits, however
    written) and four digits of their own, in either order, within 60 characters."""
    for keyword in _KEYWORD.finditer(text):
        window = text[keyword.end() : keyword.end() + 60]
        dates = [
            d for d in _DATE_PART.finditer(window) if possible_birth_date(d[2], d[3], d[4], d[1])
        ]
        fours = re.finditer(r"(?<!\d)(?:\d{4}|\d{2} \d{2})(?!\d)", window)
        if dates and any(not any(_overlap(f.span(), d.span()) for d in dates) for f in fours):
            return True
    return False


# --- Phone numbers -----------------------------------------------------------------------------

# A run of digit groups with at most three separator characters between them.
_RUN = re.compile(r"\+?\d(?:[ ().\-/]{0,3}\d)*")
_GROUP = re.compile(r"\d+")


def _phone_spans(text: str) -> list[tuple[int, int]]:
    """Where phone numbers are, in the text with dates and times set aside. A number may
    start at any group of a run that follows a space or a bracket ('Storgatan 5 070-…'), not
    after a decimal point ('59.0652 15.1080' is a position)."""
    spans = []
    for run in _RUN.finditer(text):
        body = run.group(0)
        groups = list(_GROUP.finditer(body))
        for i, first in enumerate(groups):
            before = body[groups[i - 1].end() : first.start()] if i else ""
            if i and not re.search(r"[ (]", before):
                continue
            span = _phone_from(groups, i, body.startswith("+") and i == 0)
            if span is not None:
                spans.append((run.start() + first.start(), run.start() + span))
                break
    return spans


def _phone_from(groups: list[re.Match], first: int, plus: bool) -> int | None:
    """The end of a phone number made of the groups from ``first`` on, if some are one."""
    digits = ""
    for group in groups[first : first + 18]:
        digits += group.group(0)
        if _is_phone(digits, plus):
            return group.end()
        if len(digits) > 17:
            return None
    return None


def _is_phone(digits: str, plus: bool) -> bool:
    if plus:
        return digits[0] != "0" and 8 <= len(digits) <= 15
    if digits.startswith("00"):
        return digits[2:3] not in ("", "0") and 10 <= len(digits) <= 17
    if digits.startswith("0"):
        return digits[1:2] != "0" and 8 <= len(digits) <= 10
    # A Swedish mobile number with the country code but without the plus: 46 70 123 45 67.
    return len(digits) == 11 and digits.startswith("467") and digits[3] in "02369"


# --- E-mail addresses --------------------------------------------------------------------------

_EMAIL = re.compile(
    r"(?<![\w.+\-])[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)*\.[^\W\d_]{2,24}(?![\w])", re.UNICODE
)
_OPEN, _CLOSE = r"[\(\[\{<]", r"[\)\]\}>]"
_AT = rf"(?:\s*@\s*|\s*{_OPEN}\s*(?:at|snabel-?a)\s*{_CLOSE}\s*|\s+(?:at|snabel-?a)\s+)"
_DOT = rf"(?:\s*\.\s*|\s*{_OPEN}\s*(?:dot|punkt)\s*{_CLOSE}\s*|\s+(?:dot|punkt)\s+)"
_LABEL = r"[^\W_](?:[\w\-]*[^\W_])?"
_LOOSE_EMAIL = re.compile(
    rf"(?<![\w.])[\w+\-]+(?:\s?\.\s?[\w+\-]+)*{_AT}(?P<domain>{_LABEL}(?:{_DOT}{_LABEL})*)"
    rf"{_DOT}(?P<tld>[^\W\d_]{{2,24}})(?![\w])",
    re.IGNORECASE,
)
# Top-level domains an address written loosely ('kommun . se', 'x (at) y punkt se') must end
# in: the loose form would otherwise read 'träffas @ torget. Se karta' as an address.
_TLDS = {
    "se", "nu", "com", "org", "net", "eu", "info", "io", "biz", "dk", "no", "fi", "is", "de",
    "uk", "fr", "es", "it", "nl", "pl", "ee", "me", "co", "gov", "edu", "app", "dev", "email",
    "mail", "online", "us", "ch", "at", "be",
}  # fmt: skip


def _emails(text: str) -> bool:
    if _EMAIL.search(text):
        return True
    for match in _LOOSE_EMAIL.finditer(text):
        tld = match.group("tld")
        if tld.lower() in _TLDS and (tld.islower() or tld.isupper()):
            return True
    return False


# --- The check ---------------------------------------------------------------------------------


def find(text: str | None) -> list[str]:
    """Which kinds of personal data the text holds, in the order of ``PROBLEMS`` (empty when
    none was found). Ten digits together that make a possible date and a phone number count
    as a phone number when their check digit is wrong (0701234567 is a mobile number whose
    first six digits happen to make a date), and as an identity number when it is right or
    when they are written as one ('090512-1234')."""
    if not text:
        return []
    work = working_text(text)
    aside = _set_aside(work)
    phones = _phone_spans(aside)
    numbers = [
        span
        for ten, span, shaped in _whole_numbers(aside)
        if luhn_ok(ten) or shaped or not any(_overlap(span, p) for p in phones)
    ]
    phones = [p for p in phones if not any(_overlap(p, n) for n in numbers)]
    found = []
    if numbers or _split_numbers(aside) or _named_numbers(work):
        found.append("personal_number")
    if phones:
        found.append("phone")
    if _emails(work):
        found.append("email")
    return found


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def problems(text: str | None) -> list[str]:
    """The kinds of personal data in ``text`` (``find``); the name the reports module has
    always used."""
    return find(text)
