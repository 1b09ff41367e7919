"""The query planner's statistics (row counts and value spreads of tables and indexes).

Both databases choose their plans from statistics gathered by ANALYZE. SQLite never gathers
them by itself, and PostgreSQL's autovacuum does so only some time after large writes (not at
all where it is switched off). Searches in a contact table a large import has just filled then
ran with the plans of an empty table: a first page of results took minutes on PostgreSQL at a
million contacts instead of milliseconds. So statistics are refreshed after an import or a
duplicate scan that wrote many rows, and once a day by the worker.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta

from django.db import DatabaseError, connection

log = logging.getLogger(__name__)
EVERY = timedelta(days=1)
# A batch (an import, a duplicate scan) that wrote at least this many rows refreshes the
# statistics when it ends.
AFTER_ROWS = 10_000
# SQLite samples this many index entries per index (`PRAGMA analysis_limit`): seconds at a
# million contacts instead of a full read of every index.
SQLITE_SAMPLE = 2_000


def refresh_statistics(tables: Sequence[str] = ()) -> None:
    """ANALYZE the whole database, or these tables (sampled on both: PostgreSQL reads 30,000
    rows a table)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"PRAGMA analysis_limit={SQLITE_SAMPLE}")
        if not tables:
            cursor.execute("ANALYZE")
        for table in tables:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")


def refresh_after(rows: int, tables: Sequence[str] = (), *, what: str) -> None:
    """After a batch that wrote `rows` rows, the statistics when there were many. A failure
    here never fails the batch, whose work is done (the daily job refreshes them too)."""
    if rows < AFTER_ROWS:
        return
    try:
        refresh_statistics(tables)
    except DatabaseError:
        log.warning("%s: planner statistics not refreshed", what, exc_info=True)


def refresh_due(now: datetime) -> dict[str, int]:
    """The worker's daily job."""
    refresh_statistics()
    return {"analyzed": 1}
