"""Column mapping: suggest a target field for each header, and turn a row into the door's input.

Targets are the contact fields of the door plus flattened ones a spreadsheet has (email, phone,
street, company...). Header names are recognised in English, German, Turkish, French, Spanish and
Korean, and in the export formats of HubSpot, Salesforce, Zoho, Pipedrive, Google Contacts and
Outlook.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from tidycrm.intake.headers import SYNONYMS

CONTACT_FIELDS = (
    "external_id", "given_name", "family_name", "middle_name", "name", "honorific", "suffix",
    "job_title", "department", "industry", "notes", "lifecycle_stage", "lead_status",
    "lead_source", "birthday", "language", "interests", "purchase_count", "total_spend",
    "support_contact_count", "site_visit_count", "email_click_count",
)  # fmt: skip
FLAT_FIELDS = (
    "email", "email_2", "phone", "phone_2", "mobile", "work_phone", "home_phone", "street",
    "street2", "city", "region", "postal_code", "country", "company", "tags", "linkedin",
)  # fmt: skip
TARGETS = (*CONTACT_FIELDS, *FLAT_FIELDS)
ALIASES = {"first_name": "given_name", "last_name": "family_name", "full_name": "name"}
PHONE_LABELS = {
    "phone": "main",
    "phone_2": "other",
    "mobile": "mobile",
    "work_phone": "work",
    "home_phone": "home",
}
IGNORED_PREFIX = "_errors"  # the rejects report's own column
FORMULA_START = ("=", "\uff1d")
FORMULA_CALL = re.compile(r"^[+\-@]\s*[A-Za-z_][A-Za-z0-9_.]*\s*\(")
CUSTOM_PREFIX = "cf:"


def normalise_header(name: str) -> str:
    text = unicodedata.normalize("NFKC", name).casefold().strip().lstrip("\ufeff")
    text = re.sub(r"[\s_]+", " ", text)
    return text.strip(" :*#\"'")


def _squash(text: str) -> str:
    return re.sub(r"[\s\-_./()]+", "", text)


_INDEX: dict[str, str] = {}
for _target, _names in SYNONYMS.items():
    for _name in _names.split("|"):
        _INDEX.setdefault(normalise_header(_name), _target)
        _INDEX.setdefault(_squash(normalise_header(_name)), _target)
for _target in TARGETS:
    _INDEX.setdefault(_target, _target)
for _alias, _target in ALIASES.items():
    _INDEX.setdefault(_alias, _target)


def is_target(value: str) -> bool:
    return value in TARGETS or (value.startswith(CUSTOM_PREFIX) and len(value) > 3)


def suggest_target(header: str, custom_keys: Mapping[str, str] | None = None) -> str | None:
    """The target a header most likely means, or None. `custom_keys`: label/key -> key."""
    norm = normalise_header(header)
    if not norm or norm.startswith(IGNORED_PREFIX):
        return None
    if norm.startswith(CUSTOM_PREFIX) and len(norm) > 3:
        return CUSTOM_PREFIX + norm[3:].strip().replace(" ", "_")
    for candidate in (norm, _squash(norm)):
        if candidate in _INDEX:
            return _INDEX[candidate]
    for prefix in ("person - ", "contact ", "primary ", "mailing ", "person ", "contact - "):
        if norm.startswith(prefix) and norm[len(prefix) :] in _INDEX:
            return _INDEX[norm[len(prefix) :]]
    if custom_keys:
        key = custom_keys.get(norm) or custom_keys.get(_squash(norm))
        if key:
            return CUSTOM_PREFIX + key
    return None


def suggest_mapping(
    header: Sequence[str], custom_keys: Mapping[str, str] | None = None
) -> dict[int, str]:
    """Column index -> target; each target is suggested for its first column only."""
    mapping: dict[int, str] = {}
    used: set[str] = set()
    for index, name in enumerate(header):
        target = suggest_target(name, custom_keys)
        if target and target not in used:
            mapping[index] = target
            used.add(target)
    return mapping


def mapping_from_saved(header: Sequence[str], saved: Mapping[str, str]) -> dict[int, str]:
    """A saved mapping names header texts; apply it to this file's columns."""
    by_name = {normalise_header(k): v for k, v in saved.items()}
    mapping: dict[int, str] = {}
    for index, name in enumerate(header):
        target = by_name.get(normalise_header(name))
        if target and is_target(target):
            mapping[index] = target
    return mapping


def check_mapping(mapping: Mapping[int, str], width: int) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    seen: dict[str, int] = {}
    for index, target in mapping.items():
        where = f"mapping.{index}"
        if not 0 <= index < width:
            errors[where] = [f"column {index} does not exist; the file has {width} columns."]
        elif not is_target(target):
            errors[where] = [f"'{target[:60]}' is not a field an import can fill."]
        elif target in seen:
            errors[where] = [f"'{target}' is already mapped from column {seen[target]}."]
        else:
            seen[target] = index
    if not mapping:
        errors["mapping"] = ["no column is mapped to a field."]
    return errors


@dataclass
class RowInput:
    data: dict[str, Any] = field(default_factory=dict)
    company: str = ""
    errors: dict[str, list[str]] = field(default_factory=dict)


def cell_value(raw: str) -> tuple[str, str]:
    """The text of a cell, or a problem when it holds a spreadsheet formula.

    A leading apostrophe before a formula character is a spreadsheet's own escape (and what the
    export writes): it is removed and the rest kept as text.
    """
    value = raw.strip()
    if value.startswith("'") and value[1:].lstrip()[:1] in ("=", "+", "-", "@", "\uff1d"):
        return value[1:], ""
    if value.startswith(FORMULA_START) or FORMULA_CALL.match(value):
        return "", (
            "looks like a spreadsheet formula; formulas are not imported. "
            "Put an apostrophe (') before it to keep it as text."
        )
    return value, ""


def build_input(
    values: Sequence[str], mapping: Mapping[int, str], defaults: Mapping[str, str]
) -> RowInput:
    """The door's input for one row (contact fields, e-mails, phones, address, tags, custom)."""
    out = RowInput()
    flat: dict[str, str] = {}
    for index, target in mapping.items():
        raw = values[index] if index < len(values) else ""
        value, problem = cell_value(raw)
        if problem:
            out.errors.setdefault(_error_key(target), []).append(problem)
        if value:
            flat[target] = value
    for target, value in defaults.items():
        if value and not flat.get(target):
            flat[target] = value
    data = out.data
    for name in CONTACT_FIELDS:
        if name in flat:
            data[name] = flat[name]
    emails = [
        {"address": flat[k], "label": label}
        for k, label in (("email", "work"), ("email_2", "home"))
        if k in flat
    ]
    if emails:
        data["emails"] = emails
    phones = [{"number": flat[k], "label": label} for k, label in PHONE_LABELS.items() if k in flat]
    if phones:
        data["phones"] = phones
    for name in ("city", "region", "country"):
        if name in flat:
            data[name] = flat[name]
    if any(k in flat for k in ("street", "street2", "postal_code")):
        data["addresses"] = [
            {
                "label": "work",
                **{
                    k: flat.get(k, "")
                    for k in ("street", "street2", "city", "region", "postal_code", "country")
                },
            }
        ]
    if "tags" in flat:
        data["tags"] = [t.strip() for t in re.split(r"[,;]", flat["tags"]) if t.strip()]
    if "linkedin" in flat:
        data["social_profiles"] = [{"network": "linkedin", "url": flat["linkedin"]}]
    custom = {k[3:]: v for k, v in flat.items() if k.startswith(CUSTOM_PREFIX)}
    if custom:
        data["custom_fields"] = custom
    out.company = flat.get("company", "")
    return out


def _error_key(target: str) -> str:
    return {
        "email": "emails.0.address",
        "first_name": "given_name",
        "last_name": "family_name",
    }.get(target, target)
