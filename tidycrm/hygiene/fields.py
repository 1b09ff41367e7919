"""Standardising plain fields: text with a length limit, choices, dates, lists of words."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from tidycrm.hygiene.text import clean


def text_field(value: Any, limit: int, *, multiline: bool = False) -> tuple[str, str | None]:
    """Return (clean text, problem or None)."""
    if value is None:
        return "", None
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        return "", "must be text."
    text = str(value)
    if multiline:
        text = "\n".join(clean(line) for line in text.replace("\r\n", "\n").split("\n")).strip()
    else:
        text = clean(text)
    if len(text) > limit:
        return text[:limit], f"is longer than {limit} characters ({len(text)})."
    return text, None


def choice_field(value: Any, allowed: list[str]) -> tuple[str, str | None]:
    text = clean(str(value or "")).lower()
    if not text:
        return "", None
    # "Sales qualified" and "sales-qualified" both mean the stored "sales_qualified".
    for candidate in (text, text.replace(" ", "_").replace("-", "_")):
        if candidate in allowed:
            return candidate, None
    return "", f"'{value}' is not one of: {', '.join(allowed)}."


def date_field(value: Any) -> tuple[dt.date | None, str | None]:
    if value in (None, ""):
        return None, None
    if isinstance(value, dt.date):
        return value, None
    try:
        parsed = dt.date.fromisoformat(str(value).strip())
    except ValueError:
        return None, f"'{value}' is not a date as YYYY-MM-DD."
    if not 1900 <= parsed.year <= dt.date.today().year:
        return None, "is outside the years 1900 to today."
    return parsed, None


def word_list(value: Any, limit: int = 64, most: int = 50) -> tuple[list[str], str | None]:
    if value in (None, ""):
        return [], None
    items = value.split(";") if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
        return [], "must be a list of words."
    words = list(dict.fromkeys(w for w in (clean(i) for i in items) if w))
    if len(words) > most or any(len(w) > limit for w in words):
        return [], f"takes at most {most} entries of up to {limit} characters."
    return words, None


def count_field(value: Any) -> tuple[int, str | None]:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return 0, "must be a whole number."
    if isinstance(value, bool) or not 0 <= number < 2**31:
        return 0, "must be a whole number from 0."
    return number, None


def money_field(value: Any) -> tuple[Decimal, str | None]:
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        return Decimal(0), "must be an amount such as 1250.00."
    if isinstance(value, bool) or not amount.is_finite() or not 0 <= amount < Decimal(10) ** 12:
        return Decimal(0), "must be an amount from 0 below 10^12."
    return amount.quantize(Decimal("0.01")), None
