"""Periodic jobs run once per slot, however many workers ask, and survive a failing job."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection

from tidycrm.core import schedule
from tidycrm.core.models import Job, JobStatus


@pytest.fixture
def only(monkeypatch):
    """Run with only the jobs a test registers."""
    monkeypatch.setattr(schedule, "_jobs", {})
    return schedule


T0 = datetime(2026, 5, 4, 12, 0, 10, tzinfo=UTC)


@pytest.mark.django_db
def test_a_job_runs_once_per_slot(only):
    runs: list[datetime] = []
    only.register("count", timedelta(minutes=5), lambda now: {"n": len(runs.append(now) or runs)})
    assert only.run_due(T0) == {"count": {"n": 1}}
    assert only.run_due(T0 + timedelta(minutes=1)) == {}
    assert only.run_due(T0 + timedelta(minutes=5)) == {"count": {"n": 2}}
    row = Job.objects.get(kind="periodic:count")
    assert (row.status, row.result) == (JobStatus.SUCCEEDED, {"n": 2})


@pytest.mark.django_db
def test_a_failing_job_is_recorded_and_others_still_run(only):
    def broken(now):
        raise RuntimeError("boom")

    only.register("a_broken", timedelta(minutes=1), broken)
    only.register("b_fine", timedelta(minutes=1), lambda now: {"ok": 1})
    assert only.run_due(T0) == {"b_fine": {"ok": 1}}
    failed = Job.objects.get(kind="periodic:a_broken")
    assert failed.status == JobStatus.FAILED and "boom" in failed.error


def test_too_frequent_jobs_are_refused(only):
    with pytest.raises(ValueError):
        only.register("busy", timedelta(milliseconds=10), lambda now: {})


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_run_a_slot_once(only):
    runs: list[int] = []
    lock = threading.Lock()

    def work(now):
        with lock:
            runs.append(1)
        return {}

    only.register("race", timedelta(minutes=1), work)
    barrier = threading.Barrier(4)

    def worker():
        barrier.wait()
        try:
            only.run_due(T0)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(runs) == 1
    assert Job.objects.filter(kind="periodic:race").count() == 1
