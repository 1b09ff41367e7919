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
