"""The query planner's statistics (row counts and value spreads of tables and indexes).

Both databases choose their plans from statistics gathered by ANALYZE. SQLite never gathers
them by itself, and PostgreSQL's autovacuum does so only some time after large writes (not at
all where it is switched off). Searches in a contact table a large import has just filled then
ran with the plans of an empty table: a first page of results took minutes on PostgreSQL at a
million contacts instead of milliseconds. So statistics are refreshed after an import that
wrote many rows, and once a day by the worker.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import connection

EVERY = timedelta(days=1)
# An import that wrote at least this many records refreshes the statistics when it ends.
AFTER_ROWS = 10_000
# SQLite samples this many index entries per index (`PRAGMA analysis_limit`): seconds at a
# million contacts instead of a full read of every index.
SQLITE_SAMPLE = 2_000


def refresh_statistics() -> None:
    """ANALYZE the whole database (sampled on both: PostgreSQL reads 30,000 rows a table)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"PRAGMA analysis_limit={SQLITE_SAMPLE}")
        cursor.execute("ANALYZE")


def refresh_due(now: datetime) -> dict[str, int]:
    """The worker's daily job."""
    refresh_statistics()
    return {"analyzed": 1}
