"""Migration operations that only some databases need."""

from __future__ import annotations

from typing import Any

from django.db import migrations


def binary_collation(table: str, column: str, max_length: int) -> migrations.RunPython:
    """Give a machine-key column byte-order ("C") collation on PostgreSQL.

    Prefix search compares `token >= w AND token < w || U+FFFF`; under a linguistic collation
    (en_US.UTF-8...) that range is not the set of strings starting with w. SQLite already
    compares bytes.
    """

    def forward(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(
                f'ALTER TABLE "{table}" ALTER COLUMN "{column}" '
                f'TYPE varchar({max_length}) COLLATE "C"'
            )

    def backward(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(
                f'ALTER TABLE "{table}" ALTER COLUMN "{column}" TYPE varchar({max_length})'
            )

    return migrations.RunPython(forward, backward, elidable=False)


def backfill_column(
    schema_editor: Any,
    model: Any,
    source: str,
    target: str,
    compute: Any,
    chunk: int = 5000,
) -> None:
    """Set `target` = compute(`source`) on every row, streaming and with one prepared UPDATE.

    `bulk_update` builds a CASE expression per batch, which takes minutes at a million rows;
    executemany of (value, id) pairs does the same work in seconds.
    """
    table = model._meta.db_table
    sql = f'UPDATE "{table}" SET "{target}" = %s WHERE "id" = %s'  # noqa: S608
    last_id = 0
    with schema_editor.connection.cursor() as cursor:
        while True:
            rows = list(
                model.objects.filter(id__gt=last_id)
                .order_by("id")
                .values_list("id", source)[:chunk]
            )
            if not rows:
                return
            cursor.executemany(sql, [(compute(value or ""), pk) for pk, value in rows])
            last_id = rows[-1][0]


def drop_single_column_indexes(app: str, model: str, columns: tuple[str, ...]) -> Any:
    """RunPython that drops the single-column indexes of foreign keys by name (their state
    says db_index=False), and puts them back in reverse.

    A composite index that begins with the column serves the same look-ups; a plain AlterField
    would make SQLite copy the whole table to drop one index.
    """

    def forward(apps: Any, schema_editor: Any) -> None:
        cls = apps.get_model(app, model)
        for column in columns:
            for name in schema_editor._constraint_names(cls, [column], index=True):
                schema_editor.execute(schema_editor._delete_index_sql(cls, name))

    def backward(apps: Any, schema_editor: Any) -> None:
        cls = apps.get_model(app, model)
        for column in columns:
            field = cls._meta.get_field(column.removesuffix("_id"))
            schema_editor.execute(schema_editor._create_index_sql(cls, fields=[field]))

    return migrations.RunPython(forward, backward)
