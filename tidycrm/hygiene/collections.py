"""Standardise lists of labelled e-mails, phones and addresses as they arrive from any channel.

Each function returns the clean rows and errors keyed "<field>.<index>.<part>", and makes sure
exactly one row is primary when there are any.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from tidycrm.hygiene.countries import standardise_country
from tidycrm.hygiene.emails import standardise_email
from tidycrm.hygiene.phones import standardise_phone
from tidycrm.hygiene.text import clean

LABELS = {"work", "home", "mobile", "main", "fax", "billing", "shipping", "other"}
Errors = dict[str, list[str]]
Row = dict[str, Any]


def _rows(value: Any, field: str, key: str, errors: Errors) -> list[Mapping[str, Any]]:
    """Accept a list of objects or of plain strings (taken as `key`)."""
    if value is None:
        return []
    if not isinstance(value, Sequence) or isinstance(value, str | bytes):
        errors[field] = ["must be a list."]
        return []
    rows: list[Mapping[str, Any]] = []
    for i, item in enumerate(value):
        if isinstance(item, str):
            rows.append({key: item})
        elif isinstance(item, Mapping):
            rows.append(item)
        else:
            errors[f"{field}.{i}"] = ["must be an object or a string."]
    return rows


def _label(row: Mapping[str, Any], default: str, where: str, errors: Errors) -> str:
    label = str(row.get("label") or default).strip().lower()
    if label not in LABELS:
        errors[f"{where}.label"] = [f"'{label}' is not one of {', '.join(sorted(LABELS))}."]
    return label


def _one_primary(rows: list[Row]) -> list[Row]:
    if rows and not any(r["is_primary"] for r in rows):
        rows[0]["is_primary"] = True
    seen = False
    for row in rows:
        row["is_primary"] = bool(row["is_primary"]) and not seen
        seen = seen or row["is_primary"]
    return rows


def standardise_emails(value: Any, field: str = "emails") -> tuple[list[Row], Errors]:
    errors: Errors = {}
    out: list[Row] = []
    seen: set[str] = set()
    for i, row in enumerate(_rows(value, field, "address", errors)):
        where = f"{field}.{i}"
        raw = str(row.get("address") or row.get("value") or "")
        if len(raw) > 320:
            errors[f"{where}.address"] = ["is longer than 320 characters."]
            continue
        result = standardise_email(raw)
        if result.value is None:
            errors[f"{where}.address"] = [f"'{clean(raw)[:80]}' {' '.join(result.problems)}"]
            continue
        if result.value.casefold() in seen:
            continue
        seen.add(result.value.casefold())
        out.append(
            {
                "raw": clean(raw),
                "address": result.value,
                "key": result.value.casefold(),
                "label": _label(row, "work", where, errors),
                "is_primary": bool(row.get("is_primary")),
            }
        )
    return _one_primary(out), errors


def standardise_phones(
    value: Any, default_region: str | None, field: str = "phones"
) -> tuple[list[Row], Errors]:
    errors: Errors = {}
    out: list[Row] = []
    seen: set[tuple[str, str]] = set()
    for i, row in enumerate(_rows(value, field, "number", errors)):
        where = f"{field}.{i}"
        raw = clean(str(row.get("number") or row.get("value") or ""))
        if len(raw) > 64:
            errors[f"{where}.number"] = ["is longer than 64 characters."]
            continue
        result = standardise_phone(raw, default_region)
        if result.value is None:
            errors[f"{where}.number"] = [f"'{raw[:40]}' {' '.join(result.problems)}"]
            continue
        extension = result.extras.get("extension", "")[:16]
        if (result.value, extension) in seen:
            continue
        seen.add((result.value, extension))
        out.append(
            {
                "raw": raw,
                "e164": result.value,
                "extension": extension,
                "national_number": result.extras.get("national_number", ""),
                "label": _label(row, "work", where, errors),
                "is_primary": bool(row.get("is_primary")),
            }
        )
    return _one_primary(out), errors


ADDRESS_PARTS = {"street": 255, "street2": 255, "city": 120, "region": 120, "postal_code": 20}


def standardise_addresses(value: Any, field: str = "addresses") -> tuple[list[Row], Errors]:
    errors: Errors = {}
    out: list[Row] = []
    for i, row in enumerate(_rows(value, field, "street", errors)):
        where = f"{field}.{i}"
        clean_row: Row = {
            "raw": {k: str(v) for k, v in row.items() if k in {*ADDRESS_PARTS, "country"} and v}
        }
        for part, limit in ADDRESS_PARTS.items():
            text = clean(str(row.get(part) or ""))
            if len(text) > limit:
                errors[f"{where}.{part}"] = [f"is longer than {limit} characters."]
            clean_row[part] = text
        country_raw = clean(str(row.get("country") or ""))
        clean_row["country"] = ""
        if country_raw:
            country = standardise_country(country_raw)
            if country.value is None:
                errors[f"{where}.country"] = country.problems
            else:
                clean_row["country"] = country.value
        if not any(clean_row[p] for p in (*ADDRESS_PARTS, "country")):
            continue
        clean_row["label"] = _label(row, "work", where, errors)
        clean_row["is_primary"] = bool(row.get("is_primary"))
        out.append(clean_row)
    return _one_primary(out), errors
