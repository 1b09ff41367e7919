"""Name keys for matching: folded, honorifics dropped, German umlaut spellings made equal,
East Asian names split the same way however they were spaced, and nickname roots."""

from __future__ import annotations

from functools import lru_cache

from nicknames import NickNamer

from tidycrm.hygiene.names import NAME_PARTICLES, script_of, split_name
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


def person_name_keys(given: str, family: str, full: str, country: str = "") -> tuple[str, str]:
    """(given key, family key). A full name is split when the parts are unknown; East Asian
    names are split from their unspaced form, so "김민준" and "김 민준" give the same parts
    (when both parts are given, they are trusted: the family name's length is not knowable
    for every script)."""
    if given and family:
        if not (given + family).isascii() and script_of(family) == "east_asian":
            return name_key(given).replace(" ", ""), name_key(family).replace(" ", "")
        return name_key(given), name_key(family)
    if given or family:
        text = family + given
        if text.isascii() or script_of(text) != "east_asian":
            return name_key(given), name_key(family)
        return _split_full(text, country)
    return _split_full(full, country) if full else ("", "")


@lru_cache(maxsize=262144)
def whole_name(given_key: str, family_key: str) -> str:
    """An East Asian name as one unspaced string, family first: "石井知実" typed in one field
    cannot be split (a Japanese family name may have one to three characters), but it is the
    same name as family "石井" and given "知実". Empty for other scripts."""
    text = (family_key + given_key).replace(" ", "")
    if not text or text.isascii() or script_of(text) != "east_asian":
        return ""
    return text


@lru_cache(maxsize=65536)
def _split_full(full: str, country: str) -> tuple[str, str]:
    """A full name's given and family keys: "Family, Given"; East Asian names family first;
    otherwise the last word (with its particles) is the family name."""
    if not full.isascii() and script_of(full) == "east_asian":
        hangul = any("\uac00" <= ch <= "\ud7a3" for ch in full)
        if " " in full.strip() and not hangul:  # a space is meaningful in Han and kana names
            family, _, given = full.strip().partition(" ")
            return name_key(given).replace(" ", ""), name_key(family)
        # Korean spacing varies ("김 민준", "김민준"): split the unspaced form the same way
        parts = split_name("".join(full.split()), country=country, case=False)
        given = " ".join(p for p in (parts.given, parts.middle) if p)
        return name_key(given), name_key(parts.family)
    if "," in full:
        family, _, given = full.partition(",")
        return name_key(given), name_key(family)
    words = name_key(full).split(" ")
    if len(words) < 2:
        return "", words[0]
    cut = len(words) - 1
    while cut > 1 and words[cut - 1] in NAME_PARTICLES:
        cut -= 1
    return " ".join(words[:cut]), " ".join(words[cut:])


@lru_cache(maxsize=262144)
def nickname_roots(given_key: str) -> frozenset[str]:
    """The formal names a given name may stand for, the name itself included (bob -> robert)."""
    first = given_key.split(" ", 1)[0]
    if not first:
        return frozenset()
    return frozenset({first} | _namer().canonicals_of(first))


@lru_cache(maxsize=262144)
def related_names(given_key: str) -> frozenset[str]:
    """The name, the formal names it may stand for and its own nicknames: the table is not
    symmetric ("chris" is listed among the nicknames of "kristin", but "kristin" not among the
    formal names of "chris")."""
    first = given_key.split(" ", 1)[0]
    if not first:
        return frozenset()
    return nickname_roots(first) | _namer().nicknames_of(first)


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
