"""Personal names: clean spacing, sensible casing, splitting a full name; display and sort keys
that suit each script."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from nameparser import HumanName

from tidycrm.hygiene.text import clean, fold

# Scripts whose names are written family name first with no space between the parts.
_FAMILY_FIRST_NO_SPACE = ("HANGUL", "CJK UNIFIED", "HIRAGANA", "KATAKANA")
# Lower-case inside a name ("Pieter van der Berg"), capitalised when they open it.
NAME_PARTICLES = frozenset(
    [
        "van",
        "von",
        "der",
        "den",
        "de",
        "des",
        "del",
        "della",
        "di",
        "da",
        "das",
        "dos",
        "du",
        "la",
        "le",
        "ter",
        "ten",
        "zu",
        "af",
        "av",
        "bin",
        "binti",
    ]
)
_FRENCH_SPEAKING = frozenset(["FR", "BE", "LU", "MC"])
# "Mac" is a prefix only in these surnames; MACHADO and MACY are not Mac-names.
_MAC_NAMES = frozenset(
    [
        "macdonald",
        "macleod",
        "mackenzie",
        "macgregor",
        "macmillan",
        "macarthur",
        "macintyre",
        "mackay",
        "maclean",
        "macneil",
        "macpherson",
        "macaulay",
        "macbeth",
        "maccallum",
        "macdougall",
        "macfarlane",
        "macinnes",
        "mackinnon",
        "maclachlan",
        "macnab",
        "macrae",
        "macdowell",
        "macalister",
        "macnamara",
    ]
)
_TURKISH_LETTERS = frozenset("ıİşŞğĞ")
_KOREAN_TWO_SYLLABLE_FAMILIES = ("남궁", "황보", "제갈", "선우", "독고", "사공", "서문")
_CHINESE_TWO_CHAR_FAMILIES = (
    "欧阳",
    "歐陽",
    "司马",
    "司馬",
    "诸葛",
    "諸葛",
    "上官",
    "东方",
    "東方",
    "皇甫",
    "尉迟",
    "公孙",
    "令狐",
    "慕容",
    "司徒",
    "夏侯",
)
_THAI_HONORIFICS = ("นางสาว", "นาย", "นาง", "ดร.")


@dataclass(frozen=True)
class NameParts:
    honorific: str = ""
    given: str = ""
    middle: str = ""
    family: str = ""
    suffix: str = ""


@lru_cache(maxsize=4096)
def script_of(text: str) -> str:
    """ "east_asian" (Hangul, Han, kana), "thai", or "other", from the first letter."""
    for ch in text:
        if ch.isalpha():
            name = unicodedata.name(ch, "")
            if name.startswith(_FAMILY_FIRST_NO_SPACE):
                return "east_asian"
            if name.startswith("THAI"):
                return "thai"
            return "other"
    return "other"


def clean_name_part(raw: str) -> str:
    return clean(raw)


def _is_turkish(text: str, country: str) -> bool:
    return country.upper() == "TR" or any(ch in _TURKISH_LETTERS for ch in text)


def _lower(text: str, turkish: bool) -> str:
    if turkish:
        text = text.replace("I", "ı").replace("İ", "i")
    return text.lower()


def _upper_first(text: str, turkish: bool) -> str:
    if not text:
        return text
    first = text[0]
    if turkish and first == "i":
        up = "İ"
    elif turkish and first == "ı":
        up = "I"
    else:
        # "ß".upper() is "SS": keep letters whose capital is not a single letter as they are.
        up = first.upper() if len(first.upper()) == 1 else first
    return up + text[1:]


def _case_word(word: str, turkish: bool, first: bool, lead: bool = False) -> str:
    """One already lower-cased word, possibly with hyphens and apostrophes. `first`: it opens
    the full name; `lead`: it opens its part (D'Arcy, D'Angelo, but Giscard d'Estaing)."""
    if "-" in word:
        return "-".join(
            _case_word(part, turkish, first or i > 0, lead)
            for i, part in enumerate(word.split("-"))
        )
    if word in NAME_PARTICLES:
        return _upper_first(word, turkish) if first else word
    for prefix in ("o'", "o’"):
        if word.startswith(prefix) and len(word) > 2:
            return "O" + prefix[1] + _upper_first(word[2:], turkish)
    for prefix in ("d'", "d’"):
        if word.startswith(prefix) and len(word) > 2:
            head = "D" if first or lead else "d"
            return head + prefix[1] + _upper_first(word[2:], turkish)
    if word.startswith("mc") and len(word) > 3:
        return "Mc" + _upper_first(word[2:], turkish)
    if word in _MAC_NAMES:
        return "Mac" + _upper_first(word[3:], turkish)
    if "." in word:
        return ".".join(_upper_first(p, turkish) for p in word.split("."))
    return _upper_first(word, turkish)


def needs_casing(text: str) -> bool:
    """True when every cased letter is lower-case, or every one is upper-case."""
    if text.isascii():  # no ß, no title-case letters: the string methods say the same
        return text.islower() or text.isupper()
    # ß has no everyday capital: "STRAßE" is upper-case writing.
    cased = [ch for ch in text if (ch.isupper() or ch.islower()) and ch != "ß"]
    if not cased:
        return False
    return all(ch.islower() for ch in cased) or all(ch.isupper() for ch in cased)


@lru_cache(maxsize=16384)
def case_name(text: str, *, country: str = "", start: bool = True) -> str:
    """Sensible capitals for a name typed all-lower or ALL-CAPS; mixed case is left alone.

    `start` says whether the text opens the full name (particles are capitalised there only).
    """
    text = clean(text)
    if not needs_casing(text):
        return text
    turkish = _is_turkish(text, country)
    words = _lower(text, turkish).split(" ")
    # D'Arcy, D'Angelo, D'Souza open a family name with a capital; French writes d'Artagnan.
    lead = country.upper() not in _FRENCH_SPEAKING
    return " ".join(
        _case_word(w, turkish, start and i == 0, lead and i == 0) for i, w in enumerate(words)
    )


def _split_east_asian(full: str) -> NameParts:
    if " " in full:
        family, given = full.split(" ", 1)
        return NameParts(given=given, family=family)
    if any(unicodedata.name(ch, "").startswith("HANGUL") for ch in full):
        two = full[:2] in _KOREAN_TWO_SYLLABLE_FAMILIES and len(full) >= 3
        cut = 2 if two else 1
        return (
            NameParts(given=full[cut:], family=full[:cut])
            if len(full) > 1
            else NameParts(family=full)
        )
    if any(unicodedata.name(ch, "").startswith(("HIRAGANA", "KATAKANA")) for ch in full):
        return NameParts(family=full)  # Japanese: the family name's length is not knowable.
    if full[:2] in _CHINESE_TWO_CHAR_FAMILIES and len(full) >= 3:
        return NameParts(given=full[2:], family=full[:2])
    if 2 <= len(full) <= 3:
        return NameParts(given=full[1:], family=full[:1])
    return NameParts(family=full)


def _split_thai(full: str) -> NameParts:
    honorific = ""
    for title in _THAI_HONORIFICS:
        if full.startswith(title):
            honorific, full = title, full[len(title) :].strip()
            break
    given, _, family = full.partition(" ")
    return NameParts(honorific=honorific, given=given, family=family)


@lru_cache(maxsize=16384)
def split_name(raw: str, *, country: str = "", case: bool = True) -> NameParts:
    """A full name into honorific, given, middle, family and suffix.

    "Family, Given" is recognised; Hangul, Han and Thai names keep their characters and their
    order (family first for East Asian names, given first for Thai).
    """
    full = clean(raw)
    if not full:
        return NameParts()
    script = script_of(full)
    if script == "east_asian":
        return _split_east_asian(full)
    if script == "thai":
        return _split_thai(full)
    parsed = HumanName(full)
    parts = NameParts(
        honorific=parsed.title,
        given=parsed.first,
        middle=parsed.middle,
        family=parsed.last,
        suffix=parsed.suffix,
    )
    return case_parts(parts, country=country) if case else parts


@lru_cache(maxsize=16384)
def case_parts(parts: NameParts, *, country: str = "") -> NameParts:
    """Casing per part when the name as a whole was typed all-lower or ALL-CAPS ("Jean DUPONT"
    is a choice, left alone); particles in a family name stay lower-case after a given name."""
    whole = (parts.honorific, parts.given, parts.middle, parts.family, parts.suffix)
    if not needs_casing(" ".join(whole)):
        return parts
    if any(ch in _TURKISH_LETTERS for ch in parts.given + parts.middle + parts.family):
        country = "TR"
    return NameParts(
        honorific=case_name(parts.honorific, country=country),
        given=case_name(parts.given, country=country),
        middle=case_name(parts.middle, country=country, start=False),
        family=case_name(parts.family, country=country, start=not parts.given),
        suffix=parts.suffix if set(parts.suffix) <= set("IVX") else case_name(parts.suffix),
    )


def display_name(given: str, family: str, *, honorific: str = "", suffix: str = "") -> str:
    given, family = clean(given), clean(family)
    if script_of(family + given) == "east_asian":
        core = f"{family}{given}"
    else:
        core = " ".join(part for part in (given, family) if part)
    return " ".join(part for part in (clean(honorific), core, clean(suffix)) if part)


def sort_key(given: str, family: str, fallback: str = "") -> str:
    """Family name first, folded, so lists sort by surname regardless of case and accents."""
    key = " ".join(part for part in (fold(family), fold(given)) if part)
    return (key or fold(fallback))[:255]
