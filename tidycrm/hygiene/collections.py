"""Standardise lists of labelled e-mails, phones and addresses as they arrive from any channel.

Each function returns the clean rows, errors keyed "<field>.<index>.<part>" (input the door can
never accept: not a list, too long, an unknown label), and issues for the entry policy to decide
on (a value that is not right, or one rewritten to its standard form). A value with a problem is
kept as entered in its row, so "accept and flag" can store it. Exactly one row is primary.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from tidycrm.hygiene.addresses import (
    standardise_city,
    standardise_postal_code,
    standardise_street,
)
from tidycrm.hygiene.countries import standardise_country
from tidycrm.hygiene.emails import standardise_email
from tidycrm.hygiene.phones import digits, standardise_phone
from tidycrm.hygiene.result import Issue
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


def standardise_emails(value: Any, field: str = "emails") -> tuple[list[Row], Errors, list[Issue]]:
    errors: Errors = {}
    issues: list[Issue] = []
    out: list[Row] = []
    seen: set[str] = set()
    for i, row in enumerate(_rows(value, field, "address", errors)):
        where = f"{field}.{i}"
        raw = clean(str(row.get("address") or row.get("value") or ""))
        if not raw:
            continue
        if len(raw) > 320:
            errors[f"{where}.address"] = ["is longer than 320 characters."]
            continue
        result = standardise_email(raw)
        address = result.value or raw
        key = address.casefold()
        if key in seen:
            continue
        seen.add(key)
        path = f"{where}.address"
        if result.value is None:
            issues.append(Issue(path, "email", f"'{raw[:80]}' {' '.join(result.problems)}"))
        if result.extras.get("role"):
            issues.append(Issue(path, "email_role", "is a role address, not a person's."))
        if result.extras.get("free_mail"):
            issues.append(Issue(path, "email_free_mail", "is at a free-mail provider."))
        out.append(
            {
                "raw": raw,
                "address": address,
                "key": key if result.value else "",
                "match_key": result.extras.get("match_key", ""),
                "label": _label(row, "work", where, errors),
                "is_primary": bool(row.get("is_primary")),
            }
        )
    return _one_primary(out), errors, issues


def standardise_phones(
    value: Any, default_region: str | None, field: str = "phones"
) -> tuple[list[Row], Errors, list[Issue]]:
    errors: Errors = {}
    issues: list[Issue] = []
    out: list[Row] = []
    seen: set[tuple[str, str]] = set()
    for i, row in enumerate(_rows(value, field, "number", errors)):
        where = f"{field}.{i}"
        raw = clean(str(row.get("number") or row.get("value") or ""))
        if not raw:
            continue
        if len(raw) > 64:
            errors[f"{where}.number"] = ["is longer than 64 characters."]
            continue
        result = standardise_phone(raw, default_region, display=False)
        extension = result.extras.get("extension", "")[:16]
        identity = (result.value or raw, extension)
        if identity in seen:
            continue
        seen.add(identity)
        if result.value is None:
            issues.append(
                Issue(f"{where}.number", "phone", f"'{raw[:40]}' {' '.join(result.problems)}")
            )
        out.append(
            {
                "raw": raw,
                "e164": result.value or "",
                "extension": extension,
                "national_number": result.extras.get("national_number") or digits(raw)[:20],
                "number_type": result.extras.get("type", ""),
                "label": _label(row, "work", where, errors),
                "is_primary": bool(row.get("is_primary")),
            }
        )
    return _one_primary(out), errors, issues


ADDRESS_PARTS = {"street": 255, "street2": 255, "city": 120, "region": 120, "postal_code": 20}


def _address_part(
    clean_row: Row, part: str, value: str, where: str, check: str, issues: list[Issue]
) -> None:
    """Store the standard form of a part; report the rewrite when it is more than spacing."""
    entered = clean_row[part]
    clean_row[part] = value
    if value != entered:
        issues.append(
            Issue(
                f"{where}.{part}",
                check,
                f"'{entered}' is written '{value}'.",
                before=entered,
                after=value,
                row=clean_row,
                part=part,
            )
        )


def standardise_addresses(
    value: Any, field: str = "addresses"
) -> tuple[list[Row], Errors, list[Issue]]:
    errors: Errors = {}
    issues: list[Issue] = []
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
            clean_row[part] = text[:limit]
        country_raw = clean(str(row.get("country") or ""))
        clean_row["country"] = ""
        if country_raw:
            country = standardise_country(country_raw)
            if country.value is None:
                issues.append(Issue(f"{where}.country", "country", " ".join(country.problems)))
            else:
                clean_row["country"] = country.value
        if not any(clean_row[p] for p in (*ADDRESS_PARTS, "country")):
            continue
        code = clean_row["country"]
        for part in ("street", "street2"):
            standard = standardise_street(clean_row[part], code)[:255]
            _address_part(clean_row, part, standard, where, "street", issues)
        city = standardise_city(clean_row["city"], code)
        _address_part(clean_row, "city", city, where, "street", issues)
        postal, problem = standardise_postal_code(clean_row["postal_code"], code)
        if problem:
            issues.append(Issue(f"{where}.postal_code", "postal_code", problem))
        elif postal.replace(" ", "") != clean_row["postal_code"].upper().replace(" ", ""):
            _address_part(clean_row, "postal_code", postal[:20], where, "postal_code", issues)
        else:
            clean_row["postal_code"] = postal[:20]
        clean_row["label"] = _label(row, "work", where, errors)
        clean_row["is_primary"] = bool(row.get("is_primary"))
        out.append(clean_row)
    return _one_primary(out), errors, issues
