"""Pick the benchmark database and start Django against it."""

from __future__ import annotations

import os
import sys
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
RESULTS_DIR = BENCH_DIR / "results"
PG_URL = "postgres://postgres@127.0.0.1:5432/tidycrm_bench"
PASSWORD = "bench-password-42"
ADMIN = "bench-admin"
SALES_USERS = 20


def fixed_hash_seed() -> None:
    """Run this script again with string hashing fixed, unless it already is. Faker builds
    some lists from sets (it_IT's cities), whose order follows the hash seed: without this, one
    seed gave other rows from one run to the next."""
    if os.environ.get("PYTHONHASHSEED") != "0":
        os.environ["PYTHONHASHSEED"] = "0"
        os.execv(sys.executable, [sys.executable, *sys.argv])


def configure(db: str) -> str:
    """Point settings at the bench database; an explicit DATABASE_URL wins. Returns a label."""
    if db == "postgres":
        os.environ.setdefault("DATABASE_URL", PG_URL)
    elif db == "sqlite":
        os.environ.pop("DATABASE_URL", None)
        os.environ.setdefault("TIDYCRM_DATA_DIR", str(BENCH_DIR / "data"))
        # static/ too: whitenoise warns about a missing STATIC_ROOT on every start.
        (Path(os.environ["TIDYCRM_DATA_DIR"]) / "static").mkdir(parents=True, exist_ok=True)
    else:
        raise SystemExit(f"--db must be sqlite or postgres, not {db!r}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tidycrm.settings")
    os.environ.setdefault("DEBUG", "0")
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    return db


def ensure_postgres_database(fresh: bool) -> None:
    """Create (or with fresh, drop and re-create) the database named by DATABASE_URL."""
    import dj_database_url
    import psycopg

    config = dj_database_url.parse(os.environ["DATABASE_URL"])
    name = config["NAME"]
    admin_dsn = (
        f"host={config['HOST'] or '127.0.0.1'} port={config['PORT'] or 5432} "
        f"user={config['USER'] or 'postgres'} dbname=postgres"
    )
    if config.get("PASSWORD"):
        admin_dsn += f" password={config['PASSWORD']}"
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and fresh:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def setup(db: str, *, fresh: bool = False) -> None:
    configure(db)
    if db == "postgres":
        ensure_postgres_database(fresh)
    elif fresh:
        data_dir = Path(os.environ["TIDYCRM_DATA_DIR"])
        for path in data_dir.glob("tidycrm.sqlite3*"):
            path.unlink()
    import django

    django.setup()


def analyze() -> float:
    """Refresh the planner's statistics, as a maintained database has them (the PostgreSQL
    server here runs with autovacuum off, so nothing else would). Returns seconds taken."""
    import time

    from django.db import OperationalError, connection

    began = time.perf_counter()
    for attempt in range(5):
        try:
            with connection.cursor() as cursor:
                if connection.vendor == "sqlite":
                    # Sampled statistics: seconds instead of a full scan of every index.
                    cursor.execute("PRAGMA analysis_limit=2000")
                cursor.execute("ANALYZE")
            break
        except OperationalError:  # SQLite busy with a running load: wait for its batch
            if attempt == 4:
                raise
            time.sleep(5)
    return round(time.perf_counter() - began, 1)
