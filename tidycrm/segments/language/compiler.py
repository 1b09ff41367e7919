"""Compile a filter (its stored JSON form) into a Django Q, collecting every error at once.

Errors are keyed by the path of the part at fault (`filter.all.1.op`), with a message that names
the field and the problem, so a client or the builder can point at it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import Count, DecimalField, Q
from django.db.models.fields.json import KT
from django.db.models.functions import Cast
from django.db.models.lookups import (
    Exact,
    GreaterThan,
    GreaterThanOrEqual,
    LessThan,
    LessThanOrEqual,
)
from django.utils import timezone

from tidycrm.accounts.models import User
from tidycrm.accounts.selectors import visibility_filter
from tidycrm.core.exceptions import ValidationFailed
from tidycrm.segments.language.registry import FieldSpec, Kind, lookup
from tidycrm.segments.language.schema import MAX_CONDITIONS, MAX_DEPTH

MAX_TEXT = 255
MAX_ITEMS = 500
MAX_DAYS = 36_500
NO_VALUE = {"is_empty", "is_not_empty", "exists", "not_exists"}
LIST_OPS = {"in", "not_in", "has_any", "has_none"}
WHOLE_OPS = {"in_last_days", "not_in_last_days", "count_gte", "count_lte"}


class Invalid(Exception):
    """A problem with one part of a filter; the compiler files it under that part's path."""


@dataclass
class Context:
    """What compiling one filter needs: the time it is compiled at, the user whose visibility
    applies to related records (None: the whole database, for stored memberships)."""

    user: User | None = None
    now: dt.datetime = field(default_factory=timezone.now)
    errors: dict[str, list[str]] = field(default_factory=dict)
    conditions: int = 0

    def fail(self, path: str, message: str) -> None:
        self.errors.setdefault(path, []).append(message)


def compile_filter(
    node: Any, *, user: User | None = None, record_type: str = "contact", path: str = "filter"
) -> Q:
    """The filter as a Q over `record_type`; raises ValidationFailed naming every bad part.

    The Q does not include the user's visibility of the records themselves: selectors AND it.
    """
    context = Context(user=user)
    q = _node(node, record_type, path, context, depth=1)
    if context.errors:
        raise ValidationFailed(context.errors)
    return q


def validate_filter(node: Any, *, record_type: str = "contact") -> None:
    compile_filter(node, record_type=record_type)


def _node(node: Any, record_type: str, path: str, context: Context, depth: int) -> Q:
    if depth > MAX_DEPTH:
        context.fail(path, f"groups are nested deeper than {MAX_DEPTH} levels.")
        return Q()
    if not isinstance(node, dict):
        context.fail(path, "must be a condition {field, op, value} or a group {all|any: [...]}.")
        return Q()
    for combinator in ("all", "any"):
        if combinator in node:
            return _group(node, combinator, record_type, path, context, depth)
    return _condition(node, record_type, path, context, depth)


def _group(
    node: dict[str, Any], combinator: str, record_type: str, path: str, context: Context, depth: int
) -> Q:
    items = node[combinator]
    if set(node) != {combinator}:
        context.fail(path, f"a group has only '{combinator}'; move other keys into a condition.")
    if not isinstance(items, list) or not items:
        context.fail(f"{path}.{combinator}", "must be a non-empty list of filters.")
        return Q()
    result = Q()
    for index, item in enumerate(items):
        q = _node(item, record_type, f"{path}.{combinator}.{index}", context, depth + 1)
        result = result & q if combinator == "all" else result | q
    return result


def _condition(
    node: dict[str, Any], record_type: str, path: str, context: Context, depth: int
) -> Q:
    context.conditions += 1
    if context.conditions == MAX_CONDITIONS + 1:
        context.fail(path, f"a filter has at most {MAX_CONDITIONS} conditions.")
    unknown = set(node) - {"field", "op", "value", "where"}
    if unknown:
        context.fail(path, f"unknown keys {', '.join(sorted(map(str, unknown)))}.")
    name, op = node.get("field"), node.get("op")
    if not isinstance(name, str) or not name:
        context.fail(f"{path}.field", "is required: the name of a field to test.")
        return Q()
    spec = lookup(record_type, name)
    if spec is None:
        context.fail(
            f"{path}.field",
            f"'{name[:100]}' is not a field of a {record_type} you can filter on "
            "(GET /segments/fields lists them).",
        )
        return Q()
    if op not in spec.operators:
        context.fail(
            f"{path}.op",
            f"'{str(op)[:30]}' does not apply to {spec.name} ({spec.kind} field); "
            f"use one of: {', '.join(spec.operators)}.",
        )
        return Q()
    if "where" in node and spec.kind != Kind.RELATED:
        context.fail(f"{path}.where", f"only related records take 'where'; {name} does not.")
    try:
        value = _checked_value(spec, op, node.get("value"))
    except Invalid as exc:
        context.fail(f"{path}.value", f"{spec.name} {exc}")
        return Q()
    try:
        if spec.kind == Kind.RELATED:
            return _related(spec, op, value, node.get("where"), path, context, depth)
        if spec.build is not None:
            return spec.build(op, value, context)
        return column_q(spec, op, value, context)
    except Invalid as exc:
        context.fail(f"{path}.value", f"{spec.name} {exc}")
        return Q()


# -- values ----------------------------------------------------------------------------------


def _checked_value(spec: FieldSpec, op: str, value: Any) -> Any:
    if op in NO_VALUE:
        if value is not None:
            raise Invalid(f"takes no value with '{op}'.")
        return None
    if value is None:
        raise Invalid(f"needs a value with '{op}'.")
    if op in LIST_OPS:
        if not isinstance(value, list) or not value:
            raise Invalid(f"needs a non-empty list of values with '{op}'.")
        if len(value) > MAX_ITEMS:
            raise Invalid(f"takes at most {MAX_ITEMS} values.")
        return [_one(spec, op, v) for v in value]
    if op == "between":
        if not isinstance(value, list) or len(value) != 2:
            raise Invalid("needs [low, high] with 'between'.")
        low, high = (_one(spec, op, v) for v in value)
        if low > high:
            raise Invalid("needs low <= high with 'between'.")
        return (low, high)
    if op in WHOLE_OPS:
        return _whole(value, op)
    return _one(spec, op, value)


def _whole(value: Any, op: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_DAYS:
        raise Invalid(f"needs a whole number from 0 to {MAX_DAYS} with '{op}'.")
    return value


def _one(spec: FieldSpec, op: str, value: Any) -> Any:
    kind = spec.kind
    if kind in (Kind.TEXT, Kind.CHOICE) or (kind == Kind.TAGS and not spec.by_id):
        if not isinstance(value, str):
            raise Invalid(f"takes text; got {_shown(value)}.")
        if len(value) > MAX_TEXT or "\x00" in value:
            raise Invalid(f"takes text of at most {MAX_TEXT} characters.")
        if kind == Kind.CHOICE and spec.choices:
            allowed = [c for c, _ in spec.choices]
            if value not in allowed:
                raise Invalid(f"takes one of {', '.join(allowed)}; got {_shown(value)}.")
        return value
    if kind == Kind.NUMBER:
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise Invalid(f"takes a number; got {_shown(value)}.")
        try:
            number = Decimal(str(value))
        except InvalidOperation as exc:
            raise Invalid(f"takes a number; got {_shown(value)}.") from exc
        if not number.is_finite() or abs(number) >= Decimal(10) ** 15:
            raise Invalid("takes a finite number below 10^15.")
        return number
    if kind in (Kind.DATE, Kind.DATETIME):
        return _moment(kind, value)
    if kind == Kind.BOOLEAN:
        if not isinstance(value, bool):
            raise Invalid(f"takes true or false; got {_shown(value)}.")
        return value
    if kind in (Kind.REFERENCE, Kind.TAGS):
        if kind == Kind.REFERENCE and (
            isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**63
        ):
            raise Invalid(f"takes a record id (a positive whole number); got {_shown(value)}.")
        return value
    return value


def _moment(kind: Kind, value: Any) -> dt.date | dt.datetime:
    if not isinstance(value, str):
        raise Invalid(f"takes an ISO date (YYYY-MM-DD); got {_shown(value)}.")
    try:
        if kind == Kind.DATE or len(value) <= 10:
            day = dt.date.fromisoformat(value)
            return day if kind == Kind.DATE else _start_of(day)
        moment = dt.datetime.fromisoformat(value)
    except ValueError as exc:
        raise Invalid(f"takes an ISO date or date-time; got {_shown(value)}.") from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment


def _start_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=dt.UTC)


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


# -- columns ---------------------------------------------------------------------------------


def column_q(spec: FieldSpec, op: str, value: Any, context: Context) -> Q:
    """The generic rules for a column field of any kind."""
    column = spec.column or spec.name
    if spec.json_number and op not in NO_VALUE:
        return _json_number(column, op, value)
    if op == "eq":
        if spec.kind == Kind.TEXT:
            return Q(**{f"{column}__iexact": value})
        if spec.kind == Kind.DATE and spec.column.startswith("custom_fields__"):
            return Q(**{column: value.isoformat()})
        return Q(**{column: value})
    if op == "neq":
        lookup_name = f"{column}__iexact" if spec.kind == Kind.TEXT else column
        return ~Q(**{lookup_name: value}) | _empty(spec, column)
    if op == "in":
        return Q(**{f"{column}__in": value})
    if op == "not_in":
        return ~Q(**{f"{column}__in": value}) | _empty(spec, column)
    if op in ("contains", "starts_with", "ends_with"):
        suffix = {"contains": "icontains", "starts_with": "istartswith", "ends_with": "iendswith"}
        return Q(**{f"{column}__{suffix[op]}": value})
    if op == "not_contains":
        return ~Q(**{f"{column}__icontains": value}) | _empty(spec, column)
    if op in ("gt", "gte", "lt", "lte"):
        return Q(**{f"{column}__{op}": value})
    if op == "between":
        low, high = value
        if spec.kind == Kind.DATETIME:
            return Q(**{f"{column}__gte": low, f"{column}__lt": _next_day(high)})
        return Q(**{f"{column}__gte": _stored(spec, low), f"{column}__lte": _stored(spec, high)})
    if op == "before":
        return Q(**{f"{column}__lt": _stored(spec, value)})
    if op == "after":
        bound = _next_day(value) if spec.kind == Kind.DATETIME else value
        if spec.kind == Kind.DATETIME:
            return Q(**{f"{column}__gte": bound})
        return Q(**{f"{column}__gt": _stored(spec, bound)})
    if op in ("in_last_days", "not_in_last_days"):
        since: Any = context.now - dt.timedelta(days=value)
        if spec.kind == Kind.DATE:
            since = _stored(spec, since.date())
        recent = Q(**{f"{column}__gte": since})
        return recent if op == "in_last_days" else ~recent | _empty(spec, column)
    if op == "is_empty":
        return _empty(spec, column)
    if op == "is_not_empty":
        return ~_empty(spec, column)
    raise Invalid(f"cannot be tested with '{op}'.")


def _stored(spec: FieldSpec, value: Any) -> Any:
    """Dates inside a JSON column are ISO text, compared as text."""
    if spec.column.startswith("custom_fields__") and isinstance(value, dt.date):
        return value.isoformat()
    return value


def _next_day(value: dt.datetime) -> dt.datetime:
    """`after 2026-05-01` means from the next day on; a full date-time is taken as given."""
    if value.time() == dt.time.min:
        return value + dt.timedelta(days=1)
    return value


def _empty(spec: FieldSpec, column: str) -> Q:
    if column.startswith("custom_fields__"):
        return ~Q(custom_fields__has_key=column.removeprefix("custom_fields__"))
    if spec.kind in (Kind.TEXT, Kind.CHOICE) and not spec.nullable:
        return Q(**{column: ""})
    return Q(**{f"{column}__isnull": True})


def _json_number(column: str, op: str, value: Any) -> Q:
    """A number inside the JSON column, compared as a number on both databases."""
    key = column.removeprefix("custom_fields__")
    number = Cast(KT(f"custom_fields__{key}"), DecimalField(max_digits=30, decimal_places=10))
    lookups = {
        "eq": Exact,
        "gt": GreaterThan,
        "gte": GreaterThanOrEqual,
        "lt": LessThan,
        "lte": LessThanOrEqual,
    }
    present = Q(custom_fields__has_key=key)
    if op == "between":
        low, high = value
        return present & Q(GreaterThanOrEqual(number, low)) & Q(LessThanOrEqual(number, high))
    if op == "neq":
        return ~(present & Q(Exact(number, value)))
    return present & Q(lookups[op](number, value))


# -- related records -------------------------------------------------------------------------


def _related(
    spec: FieldSpec,
    op: str,
    value: Any,
    where: Any,
    path: str,
    context: Context,
    depth: int,
) -> Q:
    related = spec.related
    assert related is not None
    records = related.model._default_manager.all()
    if where is not None:
        records = records.filter(
            _node(where, related.record_type, f"{path}.where", context, depth + 1)
        )
    if context.user is not None and _has_owner(related.model):
        records = records.filter(visibility_filter(context.user))
    link = related.contact_field
    records = records.filter(**{f"{link}__isnull": False})
    if op in ("exists", "not_exists"):
        found = Q(pk__in=records.order_by().values(link))
        return found if op == "exists" else ~found
    counted = records.order_by().values(link).annotate(n=Count("pk"))
    if op == "count_gte":
        if value == 0:
            return Q()
        return Q(pk__in=counted.filter(n__gte=value).values(link))
    return ~Q(pk__in=counted.filter(n__gt=value).values(link))


def _has_owner(model: Any) -> bool:
    names = {f.name for f in model._meta.get_fields()}
    return {"owner", "team"} <= names
