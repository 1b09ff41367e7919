"""The filter language as typed API shapes, so the OpenAPI document describes it exactly."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from annotated_types import MaxLen, MinLen
from pydantic import Discriminator, Field, Tag

from tidycrm.core.api import InputSchema, SafeJson, Text

MAX_CONDITIONS = 50
MAX_DEPTH = 6

Operator = Literal[
    "eq",
    "neq",
    "in",
    "not_in",
    "contains",
    "not_contains",
    "starts_with",
    "ends_with",
    "gt",
    "gte",
    "lt",
    "lte",
    "between",
    "before",
    "after",
    "in_last_days",
    "not_in_last_days",
    "is_empty",
    "is_not_empty",
    "has",
    "has_not",
    "has_any",
    "has_none",
    "exists",
    "not_exists",
    "count_gte",
    "count_lte",
]

VALUE_HELP = (
    "Depends on the field's type and the operator (GET /segments/fields lists both): text or a "
    "choice for eq/neq/contains/starts_with/ends_with; a list for in/not_in/has_any/has_none; "
    "a number for gt/gte/lt/lte and count_gte/count_lte; [low, high] for between; an ISO date or "
    "date-time for before/after; a number of days for in_last_days/not_in_last_days; a tag name "
    "or list id for has/has_not; true/false for a yes/no field; nothing for is_empty, "
    "is_not_empty, exists and not_exists."
)


class Condition(InputSchema):
    """One test on a field of the record (or on its related records, with `where`)."""

    field: Annotated[Text, MinLen(1), MaxLen(100)] = Field(
        description="A field name from GET /segments/fields, e.g. `country`, `custom.nps`, "
        "`tag`, `list`, `deals`."
    )
    op: Operator
    value: SafeJson = Field(None, description=VALUE_HELP)
    where: FilterNode | None = Field(
        None, description="For related records (exists, not_exists, count_*): their filter."
    )


class AllOf(InputSchema):
    """Every filter holds (AND)."""

    all: Annotated[list[FilterNode], MinLen(1), MaxLen(MAX_CONDITIONS)]


class AnyOf(InputSchema):
    """At least one filter holds (OR)."""

    any: Annotated[list[FilterNode], MinLen(1), MaxLen(MAX_CONDITIONS)]


def _node_kind(value: Any) -> str:
    if isinstance(value, dict):
        if "all" in value:
            return "all"
        if "any" in value:
            return "any"
    elif isinstance(value, AllOf | AnyOf):
        return "all" if isinstance(value, AllOf) else "any"
    return "condition"


FilterNode = Annotated[
    Annotated[Condition, Tag("condition")]
    | Annotated[AllOf, Tag("all")]
    | Annotated[AnyOf, Tag("any")],
    Discriminator(_node_kind),
]

Condition.model_rebuild()
AllOf.model_rebuild()
AnyOf.model_rebuild()


def as_json(node: Condition | AllOf | AnyOf) -> dict[str, Any]:
    """The stored form of a parsed filter (what compile_filter reads)."""
    return node.model_dump(mode="json", exclude_none=True)
