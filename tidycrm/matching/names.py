"""Name keys for matching: folded, honorifics dropped, German umlaut spellings made equal,
East Asian names split the same way however they were spaced, and nickname roots."""

from __future__ import annotations

from functools import lru_cache

from nicknames import NickNamer

from tidycrm.hygiene.names import script_of, split_name
from tidycrm.hygiene.text import tokens

# Titles people put in name fields; they say nothing about who the person is.
HONORIFICS = frozenset(
    {"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "professor", "sir", "madam", "dame", "lord"}
    | {"lady", "rev", "sra", "srta", "mme", "mlle", "herr", "frau", "dipl", "ing", "bay", "bayan"}
    | {"sayin", "sn"}
)
# After folding, "ü" and "ue" (Müller, Mueller, Muller) meet on the single vowel.
_UMLAUT_PAIRS = (("ae", "a"), ("oe", "o"), ("ue", "u"))


@lru_cache(maxsize=1)
def _namer() -> NickNamer:
    return NickNamer()


@lru_cache(maxsize=262144)
def name_key(text: str) -> str:
    """Folded words without honorifics or punctuation, umlaut spellings collapsed."""
    words = [w for w in tokens(text) if w not in HONORIFICS]
    key = " ".join(words)
    if key.isascii():
        for long, short in _UMLAUT_PAIRS:
            key = key.replace(long, short)
    return key


@lru_cache(maxsize=262144)
def person_name_keys(given: str, family: str, full: str, country: str = "") -> tuple[str, str]:
    """(given key, family key). A full name is split when the parts are unknown; East Asian
    names are split from their unspaced form, so "김민준" and "김 민준" give the same parts
    (when both parts are given, they are trusted: the family name's length is not knowable
    for every script)."""
    if given and family:
        if script_of(family + given) == "east_asian":  # spacing inside a part is noise
            return name_key(given).replace(" ", ""), name_key(family).replace(" ", "")
        return name_key(given), name_key(family)
    if full and not (given or family):
        joined = full
    elif script_of(family + given) == "east_asian":
        joined = family + given
    else:
        return name_key(given), name_key(family)
    if script_of(joined) == "east_asian":
        joined = "".join(joined.split())
    parts = split_name(joined, country=country, case=False)
    given_part = " ".join(p for p in (parts.given, parts.middle) if p)
    return name_key(given_part), name_key(parts.family)


@lru_cache(maxsize=262144)
def nickname_roots(given_key: str) -> frozenset[str]:
    """The formal names a given name may stand for, the name itself included (bob -> robert)."""
    first = given_key.split(" ", 1)[0]
    if not first:
        return frozenset()
    return frozenset({first} | _namer().canonicals_of(first))


@lru_cache(maxsize=262144)
def are_nicknames(a: str, b: str) -> bool:
    """Bob and Robert, Liz and Elizabeth, Bobby and Rob: one is a nickname of the other, or
    both are nicknames of one formal name."""
    first_a, first_b = a.split(" ", 1)[0], b.split(" ", 1)[0]
    if not first_a or not first_b or first_a == first_b:
        return False
    return bool(nickname_roots(first_a) & nickname_roots(first_b))


@lru_cache(maxsize=262144)
def phonetic(key: str) -> str:
    """Double-metaphone-like code of a Latin-script name (NYSIIS); the key itself otherwise."""
    import jellyfish

    if not key:
        return ""
    if not key.isascii():
        return key.replace(" ", "")
    return jellyfish.nysiis(key.replace(" ", ""))
