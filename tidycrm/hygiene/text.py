"""Text folding for search and sorting: case-, accent- and Turkish-i-insensitive."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Letters that accent-stripping does not reduce to ASCII but people type without the mark.
_FOLD_MAP = str.maketrans(
    {
        "ı": "i",
        "İ": "i",
        "ß": "ss",
        "ẞ": "ss",
        "æ": "ae",
        "Æ": "ae",
        "ø": "o",
        "Ø": "o",
        "đ": "d",
        "Đ": "d",
        "ł": "l",
        "Ł": "l",
        "œ": "oe",
        "Œ": "oe",
        "þ": "th",
        "Þ": "th",
    }
)


def clean(text: str) -> str:
    """NFC, control characters removed, runs of white space collapsed, ends trimmed."""
    if text.isascii() and text.isprintable():
        return " ".join(text.split())
    text = unicodedata.normalize("NFC", text)
    if text.isprintable():  # no Cc or Cf character to remove (most non-ASCII names)
        return " ".join(text.split())
    text = "".join(
        ch for ch in text if unicodedata.category(ch) not in {"Cc", "Cf"} or ch in " \t\n"
    )
    return " ".join(text.split())


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """A search key: İstanbul, istanbul, ISTANBUL and Istanbul all fold to "istanbul".

    Combining marks are removed from Latin, Greek and Cyrillic letters only, so Hangul, Thai and
    Devanagari keep their vowel signs and stay readable as keys.
    """
    if text.isascii():
        return " ".join(clean(text).casefold().split())
    text = clean(text).translate(_FOLD_MAP)
    decomposed = unicodedata.normalize("NFKD", text)
    kept: list[str] = []
    base_is_alphabetic = False
    for ch in decomposed:
        if unicodedata.combining(ch):
            if not base_is_alphabetic:
                kept.append(ch)
            continue
        base_is_alphabetic = (
            ch.isascii()
            or "LATIN" in unicodedata.name(ch, "")
            or any(script in unicodedata.name(ch, "") for script in ("GREEK", "CYRILLIC"))
        )
        kept.append(ch)
    # Compatibility decomposition can produce new spaces (U+00B8 -> " " + cedilla): collapse again.
    return " ".join(unicodedata.normalize("NFC", "".join(kept)).casefold().split())


def tokens(text: str) -> list[str]:
    """Folded words of a text, punctuation treated as a separator (O'Neil -> o, neil, oneil)."""
    return list(_tokens(text))


_ASCII_WORD = re.compile(r"[a-z0-9]+")


# Names, cities and company names repeat across a file's rows: fold each text once.
@lru_cache(maxsize=65536)
def _tokens(text: str) -> tuple[str, ...]:
    folded = fold(text)
    if folded.isascii() and "'" not in folded:  # letters and digits are [a-z0-9] once folded
        return tuple(_ASCII_WORD.findall(folded))
    words: list[str] = []
    current: list[str] = []
    for ch in folded:
        if ch.isalnum() or unicodedata.category(ch).startswith("M"):
            current.append(ch)
        elif current:
            words.append("".join(current))
            current = []
    if current:
        words.append("".join(current))
    joined = "".join(words)
    if len(words) > 1 and "'" in folded and joined not in words:
        words.append(joined)
    return tuple(words)
