"""Validate and coerce custom field values against their definitions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator

from tidycrm.customfields.choices import FieldType
from tidycrm.customfields.models import CustomFieldDefinition

TEXT_LIMIT = 255
LONG_TEXT_LIMIT = 10_000
_TRUE = {"true", "yes", "1", "y", "on", "ja", "evet"}
_FALSE = {"false", "no", "0", "n", "off", "nein", "hayır", "hayir"}


def coerce(defn: CustomFieldDefinition, value: Any) -> Any:
    """Return the JSON-storable value or raise ValueError with a message about the value."""
    kind = defn.field_type
    if kind in (FieldType.TEXT, FieldType.LONG_TEXT):
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            raise ValueError("must be text.")
        text = str(value).strip()
        limit = defn.max_length or (TEXT_LIMIT if kind == FieldType.TEXT else LONG_TEXT_LIMIT)
        if len(text) > limit:
            raise ValueError(f"is longer than {limit} characters.")
        return text
    if kind == FieldType.INTEGER:
        if isinstance(value, bool):
            raise ValueError("must be a whole number.")
        try:
            number = int(str(value).strip())
        except ValueError as exc:
            raise ValueError("must be a whole number.") from exc
        if abs(number) > 2**53:
            raise ValueError("is too large.")
        return number
    if kind == FieldType.DECIMAL:
        if isinstance(value, bool):
            raise ValueError("must be a number.")
        try:
            amount = Decimal(str(value).strip())
        except InvalidOperation as exc:
            raise ValueError("must be a number.") from exc
        if not amount.is_finite() or abs(amount) >= Decimal(10) ** 15:
            raise ValueError("must be a finite number below 10^15.")
        return str(amount)
    if kind == FieldType.DATE:
        try:
            return dt.date.fromisoformat(str(value).strip()).isoformat()
        except ValueError as exc:
            raise ValueError("must be a date as YYYY-MM-DD.") from exc
    if kind == FieldType.BOOLEAN:
        if isinstance(value, bool):
            return value
        text = str(value).strip().casefold()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise ValueError("must be yes or no.")
    if kind == FieldType.CHOICE:
        if str(value) not in defn.choices:
            raise ValueError(f"must be one of: {', '.join(defn.choices)}.")
        return str(value)
    if kind == FieldType.MULTI_CHOICE:
        items = value if isinstance(value, list) else [v.strip() for v in str(value).split(";")]
        unknown = [str(v) for v in items if str(v) not in defn.choices]
        if unknown:
            raise ValueError(f"has {', '.join(unknown)}; choose from: {', '.join(defn.choices)}.")
        return sorted({str(v) for v in items}, key=defn.choices.index)
    if kind in (FieldType.URL, FieldType.EMAIL):
        text = str(value).strip()
        validator = URLValidator() if kind == FieldType.URL else EmailValidator()
        try:
            validator(text)
        except ValidationError as exc:
            raise ValueError(
                "must be a web address (https://…)."
                if kind == FieldType.URL
                else "must be an e-mail address."
            ) from exc
        return text
    raise ValueError(f"has an unknown field type {kind}.")


def validate_values(
    definitions: list[CustomFieldDefinition], values: dict[str, Any], *, partial: bool = False
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Coerce `values` by key; errors are keyed "custom_fields.<key>"."""
    by_key = {d.key: d for d in definitions}
    cleaned: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for key, value in values.items():
        defn = by_key.get(key)
        if defn is None:
            errors[f"custom_fields.{key}"] = ["is not a defined custom field."]
            continue
        if value is None or value == "" or value == []:
            if defn.required:
                errors[f"custom_fields.{key}"] = ["is required."]
            continue
        try:
            cleaned[key] = coerce(defn, value)
        except ValueError as exc:
            errors[f"custom_fields.{key}"] = [str(exc)]
    if not partial:
        for defn in definitions:
            if (
                defn.required
                and defn.key not in cleaned
                and f"custom_fields.{defn.key}" not in errors
            ):
                errors[f"custom_fields.{defn.key}"] = ["is required."]
    return cleaned, errors
