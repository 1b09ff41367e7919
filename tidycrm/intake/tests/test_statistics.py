"""Planner statistics: refreshed after a large import and by the worker's daily job."""

from __future__ import annotations

import pytest
from django.db import connection

from tidycrm.contacts.models import Contact
from tidycrm.contacts.services import save_contact
from tidycrm.core import planner, schedule

pytestmark = pytest.mark.django_db
TABLE = Contact._meta.db_table


def _counted_rows() -> int | None:
    """The contacts the planner believes there are (None: never analyzed)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [TABLE])
            tuples = cursor.fetchone()[0]
            return None if tuples < 0 else int(tuples)
        cursor.execute("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
        if not cursor.fetchone()[0]:
            return None
        cursor.execute("SELECT stat FROM sqlite_stat1 WHERE tbl = %s", [TABLE])
        row = cursor.fetchone()
        return int(row[0].split()[0]) if row else None


def _forget() -> None:
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
            if cursor.fetchone()[0]:
                cursor.execute("DELETE FROM sqlite_stat1 WHERE tbl = %s", [TABLE])


def test_daily_job_refreshes_statistics(admin):
    _forget()
    for i in range(4):
        save_contact({"given_name": f"Ann{i}"}, actor=admin, channel="ui")
    job = next(j for j in schedule.registered() if j.name == "refresh-planner-statistics")
    assert job.every == planner.EVERY
    assert job.work(None) == {"analyzed": 1}  # type: ignore[arg-type]
    assert _counted_rows() == 4


def test_a_large_import_refreshes_statistics(admin, run_file, monkeypatch):
    _forget()
    monkeypatch.setattr(planner, "AFTER_ROWS", 3)
    rows = "".join(f"P{i},Pat{i},Lee,pat{i}@example.com\n" for i in range(3))
    imp = run_file("people.csv", "external_id,first_name,last_name,email\n" + rows, admin)
    assert imp.job.result["created"] == 3
    assert _counted_rows() == 3


def test_a_small_import_leaves_them(admin, run_file):
    _forget()
    before = _counted_rows()
    imp = run_file("people.csv", "external_id,first_name,last_name\nS1,Sam,Lee\n", admin)
    assert imp.job.result["created"] == 1
    assert _counted_rows() == before
