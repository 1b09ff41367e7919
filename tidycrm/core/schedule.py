"""Periodic jobs: registered by the apps, run by `tidycrm worker` on a fixed schedule.

Each job runs at most once per slot (its period, counted from the Unix epoch), however many
workers are running and however often they restart. A worker claims the slot in one short
transaction that is serialised across workers (an advisory lock on PostgreSQL, SQLite's write
lock otherwise) and records it on the job's one `Job` row (kind "periodic:<name>"), which also
shows when it last ran and what it did. The work itself must still be idempotent: a worker that
dies mid-run leaves its slot claimed, and the next slot does the work again.
"""

from __future__ import annotations

import logging
import threading
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import close_old_connections, connection, transaction
from django.utils import timezone

from tidycrm.core.models import Job, JobStatus

logger = logging.getLogger(__name__)

KIND_PREFIX = "periodic:"
Work = Callable[[datetime], dict[str, int]]


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    every: timedelta
    work: Work  # takes "now", returns counts for the job's result

    def slot(self, now: datetime) -> int:
        return int(now.timestamp() // self.every.total_seconds())


_jobs: dict[str, PeriodicJob] = {}


def register(name: str, every: timedelta, work: Work) -> None:
    """Add a periodic job (from an AppConfig.ready); the same name again replaces it."""
    if every < timedelta(seconds=1):
        raise ValueError("a periodic job runs at most once a second")
    _jobs[name] = PeriodicJob(name, every, work)


def registered() -> list[PeriodicJob]:
    return sorted(_jobs.values(), key=lambda job: job.name)


def claim(job: PeriodicJob, now: datetime) -> bool:
    """Take the job's current slot; False if this or another worker already took it."""
    slot = job.slot(now)
    kind = KIND_PREFIX + job.name
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [zlib.crc32(kind.encode())])
        row = Job.objects.filter(kind=kind).order_by("pk").first()
        if row is None:
            row = Job(kind=kind, params={"every_seconds": job.every.total_seconds()})
        elif int(row.checkpoint.get("slot", -1)) >= slot:
            return False
        row.checkpoint = {"slot": slot}
        row.status = JobStatus.RUNNING
        row.started_at = timezone.now()
        row.finished_at = None
        row.updated_at = timezone.now()
        row.save()
        return True


def run_due(now: datetime | None = None) -> dict[str, dict[str, int]]:
    """Run every job whose current slot nobody has taken yet; return what each did."""
    now = now or timezone.now()
    done: dict[str, dict[str, int]] = {}
    for job in registered():
        if not claim(job, now):
            continue
        kind = KIND_PREFIX + job.name
        try:
            result = job.work(now)
        except Exception as exc:
            logger.exception("periodic job %s failed", job.name)
            Job.objects.filter(kind=kind).update(
                status=JobStatus.FAILED, error=repr(exc)[:2000], finished_at=timezone.now()
            )
            continue
        Job.objects.filter(kind=kind).update(
            status=JobStatus.SUCCEEDED, result=result, error="", finished_at=timezone.now()
        )
        done[job.name] = result
    return done


def run_forever(stop: threading.Event, tick: float = 30.0) -> None:
    """The worker's scheduler loop: check for due jobs every `tick` seconds until `stop`."""
    while not stop.is_set():
        close_old_connections()
        try:
            run_due()
        except Exception:
            # A database hiccup must not end the loop; the next tick tries again.
            logger.exception("periodic scheduler tick failed")
        finally:
            connection.close()
        stop.wait(tick)


def start_in_background(tick: float = 30.0) -> threading.Event:
    """Start the scheduler loop in a daemon thread; set the returned event to stop it."""
    stop = threading.Event()
    thread = threading.Thread(
        target=run_forever, args=(stop, tick), name="tidycrm-schedule", daemon=True
    )
    thread.start()
    return stop
