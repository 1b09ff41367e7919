"""Which record survives a merge, and whose value each field keeps, by the admin's rule."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model

from tidycrm.audit.choices import Action
from tidycrm.audit.models import ChangeRecord
from tidycrm.dedupe.choices import Survivorship
from tidycrm.dedupe.kinds import Kind
from tidycrm.dedupe.models import DedupeSettings

IDENTIFIERS = {"external_id"}


def current_settings() -> DedupeSettings:
    found = DedupeSettings.objects.order_by("pk").first()
    return found if found is not None else DedupeSettings()


def is_empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def group_value(record: Model, columns: Sequence[str]) -> tuple[Any, ...]:
    return tuple(getattr(record, c) for c in columns)


def completeness(kind: Kind, record: Model) -> int:
    filled = sum(not is_empty(getattr(record, columns[0])) for columns in kind.groups.values())
    return filled + len(getattr(record, "custom_fields", None) or {})


def _source_channels(kind: Kind, records: Sequence[Model]) -> dict[int, str]:
    """The channel each record came in through, from its creation's audit record."""
    content_type = ContentType.objects.get_for_model(kind.model)
    rows = ChangeRecord.objects.filter(
        content_type=content_type,
        object_id__in=[r.pk for r in records],
        action=Action.CREATE,
    ).values_list("object_id", "channel")
    return dict(rows)


def ranked(kind: Kind, records: Sequence[Model], rule: str, trusted: Sequence[str]) -> list[Model]:
    """The records, the one whose values come first first."""
    if rule == Survivorship.MOST_RECENT:
        return sorted(records, key=lambda r: (getattr(r, "updated_at"), -r.pk), reverse=True)  # noqa: B009
    if rule == Survivorship.MOST_COMPLETE:
        return sorted(records, key=lambda r: (-completeness(kind, r), r.pk))
    if rule == Survivorship.MOST_TRUSTED:
        channels = _source_channels(kind, records)
        order = list(trusted)

        def rank(record: Model) -> tuple[int, int]:
            channel = channels.get(record.pk, "")
            return (order.index(channel) if channel in order else len(order), record.pk)

        return sorted(records, key=rank)
    return sorted(records, key=lambda r: r.pk)  # manual: the oldest record, its own values


def proposal(
    kind: Kind, records: Sequence[Model], survivor_id: int | None = None
) -> tuple[int, dict[str, int]]:
    """The survivor's id and, per field group and custom field, the record whose value wins."""
    config = current_settings()
    order = ranked(kind, records, config.survivorship, config.trusted_sources)
    survivor = next((r for r in order if r.pk == survivor_id), order[0])
    if config.survivorship == Survivorship.MANUAL:
        order = [survivor]  # a person picks every other value
    choices: dict[str, int] = {}
    for label, columns in kind.groups.items():
        # The survivor keeps its own identifier; the others' become aliases of it.
        first = [survivor, *order] if label in IDENTIFIERS else order
        source = next((r for r in first if not is_empty(getattr(r, columns[0]))), survivor)
        choices[label] = source.pk
    for key in custom_keys(records):
        source = next(
            (r for r in order if not is_empty((r.custom_fields or {}).get(key))),  # type: ignore[attr-defined]
            survivor,
        )
        choices[f"custom:{key}"] = source.pk
    return survivor.pk, choices


def custom_keys(records: Sequence[Model]) -> list[str]:
    keys: dict[str, None] = {}
    for record in records:
        for key in getattr(record, "custom_fields", None) or {}:
            keys[key] = None
    return list(keys)


def differing(kind: Kind, records: Sequence[Model]) -> set[str]:
    """The field groups (and custom fields) whose values are not the same on every record."""
    found = {
        label
        for label, columns in kind.groups.items()
        if len({repr(group_value(r, columns)) for r in records}) > 1
    }
    for key in custom_keys(records):
        values = {repr((getattr(r, "custom_fields", None) or {}).get(key)) for r in records}
        if len(values) > 1:
            found.add(f"custom:{key}")
    return found


def chosen_values(
    kind: Kind, records: Mapping[int, Model], choices: Mapping[str, int]
) -> dict[str, Any]:
    """Column values for the survivor from the chosen records (custom fields as one dict)."""
    values: dict[str, Any] = {}
    custom: dict[str, Any] = {}
    for label, source_id in choices.items():
        source = records[source_id]
        if label.startswith("custom:"):
            key = label.removeprefix("custom:")
            value = (getattr(source, "custom_fields", None) or {}).get(key)
            if not is_empty(value):
                custom[key] = value
        else:
            for column in kind.groups[label]:
                values[column] = getattr(source, column)
    if hasattr(kind.model, "custom_fields"):
        values["custom_fields"] = custom
    return values
