"""Replace a record's child rows (e-mails, phones, addresses) and describe the change."""

from __future__ import annotations

from typing import Any

from django.db.models import Model


def child_snapshot(rows: list[dict[str, Any]], shown: tuple[str, ...]) -> list[str]:
    """A readable, comparable summary of child rows for the audit log."""
    # A list, not a generator, inside join: this runs for every child row of an import.
    return [
        " ".join([str(value) for part in shown if (value := row.get(part))]).strip()
        + (" (primary)" if row.get("is_primary") else "")
        for row in rows
    ]


def replace_children(
    model: type[Model], parent_field: str, parent: Model, rows: list[dict[str, Any]]
) -> None:
    model._default_manager.filter(**{parent_field: parent}).delete()
    model._default_manager.bulk_create([model(**{parent_field: parent}, **row) for row in rows])


def existing_children(
    model: type[Model], parent_field: str, parent: Model, fields: tuple[str, ...]
) -> list[dict[str, Any]]:
    return list(
        model._default_manager.filter(**{parent_field: parent})
        .order_by("-is_primary", "id")
        .values(*fields)
    )
