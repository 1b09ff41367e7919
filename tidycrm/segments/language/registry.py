"""What a filter can test: a registry of fields per record type.

Each record type ("contact", "deal", "activity", later "ticket") has fields registered by name.
A field is either a column (compiled by its kind's generic rules) or carries its own `build`
function (tags, lists, e-mail addresses, related records). Names not registered can still be
resolved on demand (custom fields: `custom.<key>`), so a new custom field needs no code.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.db.models import Model, Q

if TYPE_CHECKING:
    from tidycrm.segments.language.compiler import Context


class Kind(StrEnum):
    TEXT = "text"
    CHOICE = "choice"
    NUMBER = "number"
    DATE = "date"
    DATETIME = "datetime"
    BOOLEAN = "boolean"
    REFERENCE = "reference"  # an id of another record (owner, team, company)
    TAGS = "tags"  # several values per record: tags, lists, multiple-choice custom fields
    RELATED = "related"  # records of another type that point at this one


OPERATORS: dict[Kind, tuple[str, ...]] = {
    Kind.TEXT: (
        "eq",
        "neq",
        "in",
        "contains",
        "not_contains",
        "starts_with",
        "ends_with",
        "is_empty",
        "is_not_empty",
    ),
    Kind.CHOICE: ("eq", "neq", "in", "not_in", "is_empty", "is_not_empty"),
    Kind.NUMBER: ("eq", "neq", "gt", "gte", "lt", "lte", "between", "is_empty", "is_not_empty"),
    Kind.DATE: (
        "eq",
        "before",
        "after",
        "between",
        "in_last_days",
        "not_in_last_days",
        "is_empty",
        "is_not_empty",
    ),
    Kind.DATETIME: (
        "before",
        "after",
        "between",
        "in_last_days",
        "not_in_last_days",
        "is_empty",
        "is_not_empty",
    ),
    Kind.BOOLEAN: ("eq",),
    Kind.REFERENCE: ("eq", "neq", "in", "not_in", "is_empty", "is_not_empty"),
    Kind.TAGS: ("has", "has_not", "has_any", "has_none"),
    Kind.RELATED: ("exists", "not_exists", "count_gte", "count_lte"),
}

# build(op, value, context) -> Q; `value` has already been checked against the kind.
Builder = Callable[[str, Any, "Context"], Q]


@dataclass(frozen=True)
class Related:
    """Records of `record_type` (`model`) whose `contact_field` points at the contact."""

    record_type: str
    model: type[Model]
    contact_field: str


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str
    kind: Kind
    group: str = "Contact"
    column: str = ""  # lookup path for column fields, e.g. "country", "custom_fields__nps"
    choices: tuple[tuple[str, str], ...] = ()
    nullable: bool = False
    build: Builder | None = None
    by_id: bool = False  # TAGS fields whose values are record ids (lists), not names
    related: Related | None = None
    help: str = ""
    json_number: bool = False  # a number stored inside a JSON column (cast before comparing)

    @property
    def operators(self) -> tuple[str, ...]:
        return OPERATORS[self.kind]


_fields: dict[str, dict[str, FieldSpec]] = {}
_resolvers: dict[str, list[Callable[[str], FieldSpec | None]]] = {}


def register(record_type: str, *specs: FieldSpec) -> None:
    """Add (or replace) fields of a record type."""
    table = _fields.setdefault(record_type, {})
    for spec in specs:
        table[spec.name] = spec


def register_resolver(record_type: str, resolver: Callable[[str], FieldSpec | None]) -> None:
    """Resolve names not registered one by one (e.g. `custom.<key>` from the definitions)."""
    found = _resolvers.setdefault(record_type, [])
    if resolver not in found:
        found.append(resolver)


def lookup(record_type: str, name: str) -> FieldSpec | None:
    spec = _fields.get(record_type, {}).get(name)
    if spec is not None:
        return spec
    for resolver in _resolvers.get(record_type, ()):
        spec = resolver(name)
        if spec is not None:
            return spec
    return None


def fields_for(record_type: str, extra: list[FieldSpec] | None = None) -> list[FieldSpec]:
    """The registered fields of a record type, followed by `extra` (e.g. custom fields)."""
    return [*_fields.get(record_type, {}).values(), *(extra or [])]


def record_types() -> list[str]:
    return list(_fields)
