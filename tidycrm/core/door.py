"""The shared mechanics of the one door: a draft of a record's changes, applied in one transaction.

Companies and contacts build a `Draft` with their own standardise/validate steps, then hand it to
`apply_draft`, which persists fields and child collections, bumps the version, and returns the
field-level changes for the audit log. Nothing here knows a concrete model.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Model
from django.utils import timezone

from tidycrm.core.children import child_snapshot, existing_children, replace_children
from tidycrm.core.exceptions import Conflict, ValidationFailed


@dataclass
class ChildSpec:
    model: type[Model]
    parent_field: str
    fields: tuple[str, ...]
    shown: tuple[str, ...]


@dataclass
class Draft:
    fields: dict[str, Any] = field(default_factory=dict)
    children: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    tags: list[str] | None = None
    raw: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def error(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)

    def raise_if_invalid(self) -> None:
        if self.errors:
            raise ValidationFailed(self.errors)


@dataclass
class SaveResult[M: Model]:
    record: M
    created: bool
    changes: dict[str, dict[str, Any]]
    warnings: list[str]


TagSetter = Callable[[Model, list[str]], tuple[list[str], list[str]]]


def check_version(instance: Model, expected_version: int | None) -> None:
    current = getattr(instance, "version", None)
    if expected_version is not None and current != expected_version:
        raise Conflict(
            f"version: the record changed since you loaded it (now version {current}, "
            f"you sent {expected_version}). Reload and try again.",
            field_errors={"version": ["is out of date."]},
        )


def apply_draft(
    instance: Model,
    draft: Draft,
    children: dict[str, ChildSpec],
    set_tags: TagSetter,
    *,
    created: bool,
) -> dict[str, dict[str, Any]]:
    """Write the draft onto `instance` and return {"field": {"before": b, "after": a}}.

    An update that changes nothing writes nothing; one that changes anything (fields, child rows
    or tags) bumps `version` and `updated_at` once.
    """
    changes: dict[str, dict[str, Any]] = {}
    for name, value in draft.fields.items():
        before = None if created else getattr(instance, name)
        if before != value:
            changes[name] = {"before": before, "after": value}
        setattr(instance, name, value)
    if draft.raw:
        raw_input = dict(getattr(instance, "raw_input", {}) or {})
        raw_input.update(draft.raw)
        instance.raw_input = raw_input  # type: ignore[attr-defined]
    if created:
        instance.save()
    for name, rows in draft.children.items():
        spec = children[name]
        before = (
            []
            if created
            else existing_children(spec.model, spec.parent_field, instance, spec.fields)
        )
        old, new = child_snapshot(before, spec.shown), child_snapshot(rows, spec.shown)
        if old != new:
            replace_children(spec.model, spec.parent_field, instance, rows)
            changes[name] = {"before": old, "after": new}
    if draft.tags is not None:
        before_tags, after_tags = set_tags(instance, draft.tags)
        if before_tags != after_tags:
            changes["tags"] = {"before": before_tags, "after": after_tags}
    if not created and (changes or draft.raw):
        if changes:
            instance.version = getattr(instance, "version", 0) + 1  # type: ignore[attr-defined]
            if hasattr(instance, "updated_at"):
                instance.updated_at = timezone.now()
        instance.save()
    return changes


def instance_snapshot(instance: Model, names: list[str]) -> dict[str, Any]:
    return {name: getattr(instance, name) for name in names}


def created_changes(
    draft: Draft, children: Mapping[str, ChildSpec], tags: list[str] | None
) -> dict[str, dict[str, Any]]:
    """What `apply_draft` reports for a new record, for bulk paths that skip it: every field
    given a value, every non-empty child collection, the tags."""
    changes: dict[str, dict[str, Any]] = {
        name: {"before": None, "after": value}
        for name, value in draft.fields.items()
        if value is not None
    }
    for name, rows in draft.children.items():
        shown = child_snapshot(rows, children[name].shown)
        if shown:
            changes[name] = {"before": [], "after": shown}
    if tags:
        changes["tags"] = {"before": [], "after": tags}
    return changes
