"""Re-point every row that refers to merged-away records, and put it back on unmerge.

Nothing here names another app's models: the rows are found through the record model's
`_meta.related_objects` (foreign keys, one-to-ones and many-to-many tables of any app, including
ones added later) and through every model with a generic relation (content type + object id:
tags, change history). A row that would break a uniqueness rule on the survivor (the same tag or
list membership on both records), or that repeats a child value the survivor already has (the
same e-mail twice), is set aside in the ledger instead of moved.

Ledger entries, all JSON:
  moved:   [model label, column, from id, [row pks], {column: value restored on unmerge}]
  removed: serialized rows (django.core.serializers "json" form), re-inserted on unmerge
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.db import IntegrityError, transaction
from django.db.models import ForeignKey, Model, UniqueConstraint

from tidycrm.dedupe.kinds import Kind

OWN_APP = "dedupe"


@dataclass(frozen=True)
class Link:
    """One way rows point at a record: a column of `model` (and a content type for generic)."""

    model: type[Model]
    column: str  # attname: "contact_id", "object_id"
    content_type_column: str = ""
    content_type_id: int = 0

    @property
    def label(self) -> str:
        return self.model._meta.label

    def rows(self, ids: Sequence[int]) -> Any:
        where: dict[str, Any] = {f"{self.column}__in": list(ids)}
        if self.content_type_column:
            where[self.content_type_column] = self.content_type_id
        return self.model._base_manager.filter(**where)


def links(kind: Kind) -> Iterator[Link]:
    """Every column of any model that points at a record of this kind."""
    for rel in kind.model._meta.related_objects:
        related = rel.related_model
        if not isinstance(related, type) or related._meta.app_label == OWN_APP:
            continue
        if rel.many_to_many:
            through = rel.through  # type: ignore[attr-defined]
            for f in through._meta.get_fields():
                if isinstance(f, ForeignKey) and f.related_model is kind.model:
                    yield Link(through, f.attname)
            continue
        if related._meta.label in kind.derived:
            continue
        yield Link(related, rel.field.attname)
    content_type = ContentType.objects.get_for_model(kind.model)
    for model in apps.get_models():
        if model._meta.app_label == OWN_APP:
            continue
        for ct_column, id_column in _generic_columns(model):
            yield Link(model, id_column, ct_column, content_type.pk)


def _generic_columns(model: type[Model]) -> Iterator[tuple[str, str]]:
    """(content type column, object id column) pairs: declared generic foreign keys, or the
    plain content_type + object_id convention (the audit log keeps no GenericForeignKey)."""
    from django.contrib.contenttypes.fields import GenericForeignKey

    found = False
    for f in model._meta.private_fields:
        if isinstance(f, GenericForeignKey):
            found = True
            yield f"{f.ct_field}_id", f.fk_field
    if found:
        return
    names = {f.name: f for f in model._meta.concrete_fields}
    ct = names.get("content_type")
    if ct is not None and ct.related_model is ContentType and "object_id" in names:
        yield "content_type_id", "object_id"


def _unique_sets(link: Link, kind: Kind) -> list[tuple[str, ...]]:
    """Column sets that must stay unique with the link's column, and same-value sets."""
    meta = link.model._meta
    sets: list[tuple[str, ...]] = []
    column_names = {f.attname: f for f in meta.concrete_fields}

    def attnames(names: Sequence[str]) -> tuple[str, ...]:
        return tuple(meta.get_field(n).attname for n in names)  # type: ignore[union-attr]

    for together in meta.unique_together:
        sets.append(attnames(together))
    for constraint in meta.constraints:
        if isinstance(constraint, UniqueConstraint) and constraint.fields:
            sets.append(attnames(constraint.fields))
    field = column_names.get(link.column)
    if field is not None and field.unique:
        sets.append((link.column,))
    same = kind.same_value.get(link.label)
    if same:
        sets.append((link.column, *same))
    return [s for s in sets if link.column in s]


def move(kind: Kind, survivor_id: int, others: Sequence[int]) -> dict[str, list[Any]]:
    """Re-point every row of `others` to the survivor; returns the ledger to undo it."""
    ledger: dict[str, list[Any]] = {"moved": [], "removed": []}
    for link in links(kind):
        _move_link(kind, link, survivor_id, others, ledger)
    return ledger


def _move_link(
    kind: Kind, link: Link, survivor_id: int, others: Sequence[int], ledger: dict[str, list[Any]]
) -> None:
    sets = _unique_sets(link, kind)
    has_primary = any(f.attname == "is_primary" for f in link.model._meta.concrete_fields)
    if not sets and not has_primary:
        for other in others:
            pks = list(link.rows([other]).values_list("pk", flat=True))
            if pks:
                link.model._base_manager.filter(pk__in=pks).update(**{link.column: survivor_id})
                ledger["moved"].append([link.label, link.column, other, pks, {}])
        return
    taken: set[tuple[Any, ...]] = set()
    columns = sorted({c for s in sets for c in s if c != link.column})
    survivor_primary = False
    for row in link.rows([survivor_id]).values(*columns, *(["is_primary"] if has_primary else [])):
        taken.update(_keys(sets, row, link.column))
        survivor_primary = survivor_primary or bool(row.get("is_primary"))
    for other in others:
        rows = list(link.rows([other]).order_by("pk"))
        moved, primary_off, removed = [], [], []
        for instance in rows:
            values = {c: getattr(instance, c) for c in columns}
            keys = set(_keys(sets, values, link.column))
            if keys & taken:
                removed.append(instance)
                continue
            taken |= keys
            moved.append(instance.pk)
            if has_primary and getattr(instance, "is_primary", False):
                if survivor_primary:
                    primary_off.append(instance.pk)
                survivor_primary = True
        if removed:
            ledger["removed"].append(json.loads(serializers.serialize("json", removed)))
            link.model._base_manager.filter(pk__in=[r.pk for r in removed]).delete()
        plain = [pk for pk in moved if pk not in primary_off]
        if plain:
            link.model._base_manager.filter(pk__in=plain).update(**{link.column: survivor_id})
            ledger["moved"].append([link.label, link.column, other, plain, {}])
        if primary_off:
            link.model._base_manager.filter(pk__in=primary_off).update(
                **{link.column: survivor_id, "is_primary": False}
            )
            ledger["moved"].append(
                [link.label, link.column, other, primary_off, {"is_primary": True}]
            )


def _keys(
    sets: Sequence[tuple[str, ...]], values: dict[str, Any], column: str
) -> Iterator[tuple[Any, ...]]:
    for index, columns in enumerate(sets):
        parts = tuple(values.get(c) for c in columns if c != column)
        if any(p is None or p == "" for p in parts):
            continue  # empty values never collide (NULLs are distinct; blanks are not data)
        yield (index, *parts)


def restore(survivor_id: int, ledger: dict[str, list[Any]]) -> list[str]:
    """Put moved rows back on their records and re-insert the rows set aside; returns notes on
    what could not be restored (a row deleted since the merge, a value taken since)."""
    notes: list[str] = []
    for label, column, other, pks, restored in ledger.get("moved", []):
        model = apps.get_model(label)
        count = model._base_manager.filter(pk__in=pks, **{column: survivor_id}).update(
            **{column: other, **restored}
        )
        if count < len(pks):
            notes.append(
                f"{len(pks) - count} {model._meta.verbose_name_plural} were deleted since."
            )
    for rows in ledger.get("removed", []):
        for item in serializers.deserialize("json", json.dumps(rows)):
            try:
                with transaction.atomic():
                    item.save()
            except IntegrityError:
                notes.append(f"a {item.object._meta.verbose_name} could not be put back.")
    return notes
