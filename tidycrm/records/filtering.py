"""Pieces every record list shares: sort orders for keyset paging and custom-field filters."""

from __future__ import annotations

from typing import Any

from django.db.models import Model, Q, QuerySet

from tidycrm.core.exceptions import ValidationFailed
from tidycrm.customfields.choices import FieldType
from tidycrm.customfields.models import CustomFieldDefinition
from tidycrm.customfields.validation import coerce

SORTS: dict[str, list[str]] = {
    "name": ["sort_key", "id"],
    "-name": ["-sort_key", "-id"],
    "created": ["created_at", "id"],
    "-created": ["-created_at", "-id"],
    "updated": ["updated_at", "id"],
    "-updated": ["-updated_at", "-id"],
}


def ordering_for(sort: str | None) -> list[str]:
    if not sort:
        return SORTS["name"]
    if sort not in SORTS:
        raise ValidationFailed({"sort": [f"'{sort}' is not one of: {', '.join(SORTS)}."]})
    return SORTS[sort]


def custom_field_filter[M: Model](
    queryset: QuerySet[M], record_type: str, expressions: list[str]
) -> QuerySet[M]:
    """Apply "key:value" conditions on custom fields, typed by each field's definition."""
    definitions = {d.key: d for d in CustomFieldDefinition.objects.filter(record_type=record_type)}
    for expression in expressions:
        key, sep, raw = expression.partition(":")
        definition = definitions.get(key.strip())
        if not sep or definition is None:
            known = ", ".join(definitions) or "none defined"
            raise ValidationFailed(
                {"cf": [f"'{expression[:60]}' must be key:value with a defined key ({known})."]}
            )
        lookup = f"custom_fields__{definition.key}"
        try:
            if definition.field_type == FieldType.MULTI_CHOICE:
                value: Any = coerce(definition, [raw])[0]
                queryset = queryset.filter(**{f"{lookup}__icontains": f'"{value}"'})
                continue
            value = coerce(definition, raw)
        except ValueError as exc:
            raise ValidationFailed({"cf": [f"{definition.key} {exc}"]}) from exc
        if definition.field_type in (FieldType.TEXT, FieldType.LONG_TEXT):
            queryset = queryset.filter(**{f"{lookup}__iexact": value})
        else:
            queryset = queryset.filter(Q(**{lookup: value}))
    return queryset
