"""Set-based inserts for the bulk door without model instances or the ORM's SQL compiler.

Building a model instance per row and compiling `bulk_create` cost more than the database work
itself at import scale. These writers take plain values, fill missing columns with the model's
own defaults, convert them as the ORM does (`get_db_prep_save` for JSON, dates, decimals) and
insert with one prepared statement (SQLite) or COPY (PostgreSQL).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.db import connection
from django.db.models import Field, Model

from tidycrm.core.jsonable import jsonable

# Column types whose Python value the ORM converts before it reaches the driver.
_CONVERTED = {"JSONField", "DateField", "DateTimeField", "DecimalField", "TimeField", "UUIDField"}


class Table:
    """The concrete columns of a model (primary key apart) and how to fill and convert them."""

    def __init__(self, model: type[Model], *, with_pk: bool = False) -> None:
        meta = model._meta
        self.model = model
        self.name = meta.db_table
        self.pk = str(meta.pk.column)
        self.fields: list[Field[Any, Any]] = [
            f for f in meta.concrete_fields if with_pk or not f.primary_key
        ]
        self.attnames: list[str] = [f.attname for f in self.fields]
        self.columns: list[str] = [str(f.column) for f in self.fields]
        self.converters: list[Callable[[Any], Any] | None] = [
            _converter(f) if f.get_internal_type() in _CONVERTED else None for f in self.fields
        ]
        self.converted = [
            (i, self.attnames[i], convert)
            for i, convert in enumerate(self.converters)
            if convert is not None
        ]

    def defaults(self) -> tuple[dict[str, Any], dict[str, Any]]:
        """Each column's default as a new instance would hold it (callables such as
        `timezone.now` and `list` called once per batch), and its database value."""
        python = {f.attname: f.get_default() for f in self.fields}
        db = {
            name: value if convert is None else convert(value)
            for (name, value), convert in zip(python.items(), self.converters, strict=True)
        }
        return python, db

    def row(
        self, values: dict[str, Any], defaults: tuple[dict[str, Any], dict[str, Any]]
    ) -> tuple[list[Any], tuple[Any, ...]]:
        """One row: given values over the defaults, as Python values and as database values."""
        python_defaults, db_defaults = defaults
        python = [values[n] if n in values else python_defaults[n] for n in self.attnames]
        db = python.copy()
        for i, name, convert in self.converted:
            db[i] = convert(python[i]) if name in values else db_defaults[name]
        return python, tuple(db)


def _converter(f: Field[Any, Any]) -> Callable[[Any], Any]:
    if f.get_internal_type() == "JSONField" and f.encoder is None:  # type: ignore[attr-defined]
        # JSON text is what the ORM stores on SQLite, and what COPY parses into jsonb on
        # PostgreSQL: one json.dumps, as JSONField itself calls it.
        return json_text
    return lambda value: f.get_db_prep_save(value, connection)


def json_text(value: Any) -> Any:
    """A JSON column's database value; None stays NULL, as the ORM writes it."""
    if value is None:
        return None
    if not value and type(value) in (list, dict):
        return "[]" if type(value) is list else "{}"
    return _encode(value)


def _json_default(value: Any) -> Any:
    """What `jsonable` makes of values JSON has no type for."""
    if isinstance(value, set | frozenset):
        return list(value)
    converted = jsonable(value)
    if converted is value:
        raise TypeError(f"{type(value).__name__} is not JSON serialisable")
    return converted


# one encoder for every value: json.dumps with `default` builds a new one per call
_encode = json.JSONEncoder(default=_json_default).encode


def insert(table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Insert rows of database values: COPY on PostgreSQL, one prepared statement on SQLite."""
    if not rows:
        return
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    name = connection.ops.quote_name(table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {name} ({quoted}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {name} ({quoted}) VALUES ({marks})", rows)  # noqa: S608


def insert_ignoring_conflicts(
    table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> None:
    """Insert, skipping rows that break a unique constraint (as bulk_create(ignore_conflicts))."""
    rows = list(rows)
    if not rows:
        return
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    name = connection.ops.quote_name(table)
    marks = ", ".join(["%s"] * len(columns))
    verb, tail = ("INSERT", " ON CONFLICT DO NOTHING")
    if connection.vendor == "sqlite":
        verb, tail = "INSERT OR IGNORE", ""
    with connection.cursor() as cursor:
        cursor.executemany(f"{verb} INTO {name} ({quoted}) VALUES ({marks}){tail}", rows)


def insert_with_ids(table: Table, rows: Sequence[Sequence[Any]]) -> list[int]:
    """Insert rows (columns as `table.columns`) and return their new ids in row order.

    PostgreSQL: ids are reserved from the column's sequence first, then the rows are copied in
    with them. SQLite: one prepared statement; the write lock is held for the whole transaction,
    so the ids are the consecutive run ending at last_insert_rowid(), checked by a count.
    """
    if not rows:
        return []
    n = len(rows)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table.name, table.pk, n],
            )
            ids = [r[0] for r in cursor.fetchall()]
            insert(
                table.name,
                [table.pk, *table.columns],
                [(i, *r) for i, r in zip(ids, rows, strict=True)],
            )
            return ids
        insert(table.name, table.columns, rows)
        cursor.execute("SELECT last_insert_rowid()")
        last = cursor.fetchone()[0]
        first = last - n + 1
        name, pk = connection.ops.quote_name(table.name), connection.ops.quote_name(table.pk)
        cursor.execute(
            f"SELECT count(*) FROM {name} WHERE {pk} BETWEEN %s AND %s",  # noqa: S608
            [first, last],
        )
        if cursor.fetchone()[0] != n:
            raise RuntimeError(f"{table.name}: new ids are not one consecutive run")
        return list(range(first, last + 1))
