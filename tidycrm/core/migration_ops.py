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
