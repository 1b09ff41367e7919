"""Personal names: clean spacing and order; display and sort keys that suit each script."""

from __future__ import annotations

import unicodedata

from tidycrm.hygiene.text import clean, fold

# Scripts whose names are written family name first with no space between the parts.
_FAMILY_FIRST_NO_SPACE = ("HANGUL", "CJK UNIFIED", "HIRAGANA", "KATAKANA")


def script_of(text: str) -> str:
    for ch in text:
        if ch.isalpha():
            name = unicodedata.name(ch, "")
            for script in _FAMILY_FIRST_NO_SPACE:
                if name.startswith(script):
                    return "east_asian"
            return "other"
    return "other"


def clean_name_part(raw: str) -> str:
    return clean(raw)


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
