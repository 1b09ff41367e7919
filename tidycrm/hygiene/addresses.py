"""Postal addresses in structured fields: spacing and case, street types written the way each
country's post office writes them, postal codes checked against each country's format."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from tidycrm.hygiene.names import case_name, needs_casing
from tidycrm.hygiene.text import clean

# Street-type words and their standard abbreviation, per country (USPS Publication 28 for US,
# Royal Mail usage for GB, common Turkish postal usage for TR).
_STREET_TYPES: dict[str, dict[str, str]] = {
    "US": {
        "street": "St",
        "st.": "St",
        "avenue": "Ave",
        "ave.": "Ave",
        "av": "Ave",
        "boulevard": "Blvd",
        "blvd.": "Blvd",
        "road": "Rd",
        "rd.": "Rd",
        "drive": "Dr",
        "dr.": "Dr",
        "lane": "Ln",
        "court": "Ct",
        "place": "Pl",
        "square": "Sq",
        "parkway": "Pkwy",
        "highway": "Hwy",
        "terrace": "Ter",
        "circle": "Cir",
        "suite": "Ste",
        "apartment": "Apt",
        "north": "N",
        "south": "S",
        "east": "E",
        "west": "W",
        "northeast": "NE",
        "northwest": "NW",
        "southeast": "SE",
        "southwest": "SW",
        "ne": "NE",
        "nw": "NW",
        "se": "SE",
        "sw": "SW",
    },
    "GB": {
        "road": "Rd",
        "rd.": "Rd",
        "street": "St",
        "st.": "St",
        "avenue": "Ave",
        "lane": "Ln",
        "drive": "Dr",
        "place": "Pl",
        "square": "Sq",
        "court": "Ct",
        "crescent": "Cres",
        "terrace": "Ter",
        "gardens": "Gdns",
    },
    "TR": {
        "caddesi": "Cd.",
        "cad.": "Cd.",
        "cad": "Cd.",
        "cd": "Cd.",
        "sokak": "Sk.",
        "sokağı": "Sk.",
        "sok.": "Sk.",
        "sok": "Sk.",
        "sk": "Sk.",
        "mahallesi": "Mah.",
        "mah": "Mah.",
        "mh.": "Mah.",
        "bulvarı": "Blv.",
        "bulvari": "Blv.",
        "blv": "Blv.",
        "blvd.": "Blv.",
    },
}
# Words written the same wherever they stand: compass points and unit designators. Any other
# street type is abbreviated only as the street's suffix, its last one ("88 Court Square" is
# "88 Court Sq", "10 Park Avenue" "10 Park Ave").
_ANYWHERE = frozenset(
    ["north", "south", "east", "west", "northeast", "northwest", "southeast", "southwest"]
) | frozenset(["ne", "nw", "se", "sw", "suite", "apartment"])
# Countries whose street types are suffixes; in Turkey every part of an address has its type
# ("Moda Mah. Bahariye Cd.").
_SUFFIX_ONLY = frozenset(["US", "GB"])
# A house number with a letter: "221B" in English-speaking countries.
_HOUSE_LETTER = re.compile(r"^(\d+)([a-z])$")

# German: "-straße" / "-strasse" / "-str" at the end of a word, or as a word of its own.
_DE_STREET = re.compile(r"(?i)(\w?)(?:stra(?:ß|ss)e|str\.?)(?=\s|,|$)")


def _de_street(found: re.Match[str]) -> str:
    # Joined to the name it is "Hauptstr."; a word of its own it is "Berliner Str.". Opening
    # the name it is part of the name ("Straße des 17. Juni") and stays as written.
    if not found.group(1) and found.start() == 0:
        return found.group(0)
    return found.group(1) + ("str." if found.group(1) else "Str.")


# Postal-code formats: (pattern on the upper-cased code, canonical formatter).
_POSTAL = {
    "US": re.compile(r"^(\d{5})(?:[- ]?(\d{4}))?$"),
    "GB": re.compile(r"^([A-Z]{1,2}\d[A-Z\d]?) ?(\d[A-Z]{2})$"),
    "CA": re.compile(r"^([ABCEGHJ-NPRSTVXY]\d[A-Z]) ?(\d[A-Z]\d)$"),
    "NL": re.compile(r"^(\d{4}) ?([A-Z]{2})$"),
    "JP": re.compile(r"^(\d{3})-?(\d{4})$"),
    "BR": re.compile(r"^(\d{5})-?(\d{3})$"),
    "PL": re.compile(r"^(\d{2})-?(\d{3})$"),
    "PT": re.compile(r"^(\d{4})-?(\d{3})$"),
    "SE": re.compile(r"^(\d{3}) ?(\d{2})$"),
    "IE": re.compile(r"^([AC-FHKNPRTV-Y]\d{2}|D6W) ?([\dAC-FHKNPRTV-Y]{4})$"),
}
_SEPARATOR = {"US": "-", "GB": " ", "CA": " ", "NL": " ", "JP": "-", "BR": "-", "PL": "-"}
_SEPARATOR.update({"PT": "-", "SE": " ", "IE": " "})
_DIGITS = {
    "DE": 5, "TR": 5, "KR": 5, "TH": 5, "FR": 5, "ES": 5, "IT": 5, "FI": 5, "MX": 5, "MY": 5,
    "ID": 5, "AT": 4, "CH": 4, "BE": 4, "DK": 4, "NO": 4, "AU": 4, "NZ": 4, "ZA": 4, "HU": 4,
    "CN": 6, "IN": 6, "RU": 6, "SG": 6, "VN": 6,
}  # fmt: skip


@dataclass(frozen=True)
class Address:
    street: str = ""
    street2: str = ""
    city: str = ""
    region: str = ""
    postal_code: str = ""
    country: str = ""
    problems: dict[str, str] = field(default_factory=dict)


@lru_cache(maxsize=8192)
def standardise_street(text: str, country: str) -> str:
    """Spacing, case (only for all-lower or ALL-CAPS input) and the country's abbreviations."""
    text = clean(text)
    if not text:
        return text
    if needs_casing(text):
        text = case_name(text, country=country)
    country = country.upper()
    if country in ("DE", "AT", "CH"):
        return _DE_STREET.sub(_de_street, text)
    table = _STREET_TYPES.get(country)
    if not table:
        return text
    words = text.split(" ")
    cores = [word.rstrip(",") for word in words]
    keys = [
        core.lower() if country != "TR" else core.replace("I", "ı").replace("İ", "i").lower()
        for core in cores
    ]
    suffix = None
    if country in _SUFFIX_ONLY:
        types = [i for i, key in enumerate(keys) if key in table and key not in _ANYWHERE]
        suffix = types[-1] if types else None
    out = []
    for i, (word, core, key) in enumerate(zip(words, cores, keys, strict=True)):
        tail = word[len(core) :]
        if suffix is not None and key not in _ANYWHERE and i != suffix:
            standard = core
        else:
            standard = table.get(key, core)
        if country in _SUFFIX_ONLY and _HOUSE_LETTER.match(standard):
            standard = standard.upper()
        out.append(standard + tail)
    return " ".join(out)


@lru_cache(maxsize=8192)
def standardise_postal_code(text: str, country: str) -> tuple[str, str | None]:
    """(canonical code, problem or None). Unknown countries only get spacing and upper case."""
    code = " ".join(clean(text).upper().split())
    if not code:
        return "", None
    country = country.upper()
    pattern = _POSTAL.get(country)
    if pattern is not None:
        found = pattern.match(code) or pattern.match(code.replace(" ", "").replace("-", ""))
        if found is None:
            return code, f"'{code}' is not a postal code of the form used in {country}."
        return _SEPARATOR[country].join(p for p in found.groups() if p), None
    digits = _DIGITS.get(country)
    if digits is not None:
        bare = code.replace(" ", "")
        if not (bare.isascii() and bare.isdigit() and len(bare) == digits):
            return code, f"'{code}' is not a postal code of {digits} digits as used in {country}."
        return bare, None
    return code, None


# Words inside place names written in lower case: "Frankfurt am Main", "Stratford-upon-Avon".
_PLACE_PARTICLES = frozenset(
    ["am", "an", "im", "upon", "on", "sur", "en", "de", "la", "le", "les", "del", "der", "of"]
)


def standardise_city(text: str, country: str = "") -> str:
    """Capitals for a place typed all-lower or ALL-CAPS; mixed case is left as typed."""
    text = clean(text)
    if not needs_casing(text):
        return text
    cased = case_name(text, country=country)
    words = re.split(r"([ -])", cased)
    return "".join(
        word.lower() if i > 0 and word.lower() in _PLACE_PARTICLES else word
        for i, word in enumerate(words)
    )


def standardise_address(
    *,
    street: str = "",
    street2: str = "",
    city: str = "",
    region: str = "",
    postal_code: str = "",
    country: str = "",
) -> Address:
    """Every part standardised for `country` (ISO alpha-2, already resolved); postal-code
    problems are reported, never raised."""
    problems: dict[str, str] = {}
    code, problem = standardise_postal_code(postal_code, country)
    if problem:
        problems["postal_code"] = problem
    return Address(
        street=standardise_street(street, country),
        street2=standardise_street(street2, country),
        city=standardise_city(city, country),
        region=clean(region) if len(clean(region)) <= 3 else case_name(region, country=country),
        postal_code=code,
        country=country,
        problems=problems,
    )
