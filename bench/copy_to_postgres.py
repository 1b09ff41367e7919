"""Copy the SQLite bench database into PostgreSQL, table by table, with COPY.

Loading 1,000,000 contacts through the door takes tens of minutes per database; the SQLite bench
database already holds them, standardised and audited by the door. This makes the PostgreSQL
bench database hold the same rows in a few minutes: it migrates PostgreSQL to exactly the
migrations applied in SQLite, copies every table's rows (foreign-key triggers off during the copy,
as pg_restore does), moves the identity sequences past the copied ids and runs VACUUM (ANALYZE).

    .venv/bin/python bench/copy_to_postgres.py [--fresh] [--source PATH]

`--source` copies another SQLite database than the bench base (DATABASE_URL names the target).
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import BENCH_DIR, setup

BATCH = 20_000


def applied_migrations(source: sqlite3.Connection) -> dict[str, str]:
    """The last applied migration of each app, in application order."""
    last: dict[str, str] = {}
    for app, name in source.execute("SELECT app, name FROM django_migrations ORDER BY id"):
        last[app] = name
    return last


def target_columns(target: Any, table: str) -> set[str]:
    query = "SELECT column_name FROM information_schema.columns WHERE table_name = %s"
    return {row[0] for row in target.execute(query, [table])}


def copy_table(source: sqlite3.Connection, target: Any, table: str) -> int:
    wanted = target_columns(target, table)
    columns = [
        row[1] for row in source.execute(f'PRAGMA table_info("{table}")') if row[1] in wanted
    ]
    if not columns:
        return 0
    names = ", ".join(f'"{c}"' for c in columns)
    rows = 0
    cursor = source.execute(f'SELECT {names} FROM "{table}"')
    with target.cursor() as out, out.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
        while batch := cursor.fetchmany(BATCH):
            for row in batch:
                copy.write_row(row)
            rows += len(batch)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fresh", action="store_true", help="drop the PostgreSQL bench db first")
    parser.add_argument("--source", type=Path, default=BENCH_DIR / "data" / "tidycrm.sqlite3")
    args = parser.parse_args()
    source = sqlite3.connect(args.source)
    setup("postgres", fresh=args.fresh)

    from django.core.management import call_command
    from django.db import connection

    started = time.monotonic()
    for app, name in applied_migrations(source).items():
        call_command("migrate", app, name, verbosity=0)
    tables = [
        row[0]
        for row in source.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "AND name != 'django_migrations' ORDER BY name"
        )
    ]
    connection.ensure_connection()
    pg = connection.connection
    pg.execute("SET session_replication_role = replica")  # no FK triggers while copying
    # Empty every table first, in one statement: truncating one table at a time would, through
    # CASCADE, empty the tables copied before it that refer to it.
    pg.execute("TRUNCATE " + ", ".join(f'"{table}"' for table in tables) + " CASCADE")
    for table in tables:
        t0 = time.monotonic()
        count = copy_table(source, pg, table)
        if count:
            print(f"{table}: {count:,} rows in {time.monotonic() - t0:.1f} s", flush=True)
        if "id" not in target_columns(pg, table):
            continue
        has_id = pg.execute("SELECT pg_get_serial_sequence(%s, 'id')", [f'"{table}"']).fetchone()
        if has_id and has_id[0]:
            pg.execute(
                f'SELECT setval(%s, COALESCE((SELECT max(id) FROM "{table}"), 0) + 1, false)',
                [has_id[0]],
            )
    pg.execute("SET session_replication_role = origin")
    pg.commit()
    pg.autocommit = True
    pg.execute("VACUUM (ANALYZE)")
    print(f"copied {len(tables)} tables in {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
