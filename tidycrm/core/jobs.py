"""Long user-visible work: create a Job, report progress, honour cancellation, resume after a crash.

A task runs `job_id`-keyed work in steps, calling `advance()` with a checkpoint after each durable
step, so a restarted worker continues from the last checkpoint instead of starting over.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from tidycrm.core.models import Job, JobStatus

FINISHED = (JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED)


class JobCancelled(Exception):
    """Raised inside the work when someone asked the job to stop."""


def create_job(
    kind: str,
    *,
    created_by: Any = None,
    params: dict[str, Any] | None = None,
    total: int | None = None,
) -> Job:
    return Job.objects.create(
        kind=kind,
        created_by=created_by if getattr(created_by, "pk", None) else None,
        params=params or {},
        total=total,
    )


def start_job(job_id: int) -> Job:
    """Mark a job running; a job already finished is returned unchanged (tasks are idempotent)."""
    with transaction.atomic():
        job = Job.objects.select_for_update().get(pk=job_id)
        if job.status in FINISHED:
            return job
        if job.cancel_requested:
            _finish(job, JobStatus.CANCELLED)
            return job
        job.status = JobStatus.RUNNING
        job.started_at = job.started_at or timezone.now()
        job.save(update_fields=["status", "started_at", "updated_at"])
        return job


def advance(
    job_id: int, *, done: int, checkpoint: dict[str, Any] | None = None, total: int | None = None
) -> None:
    """Record progress (and where to resume); raise JobCancelled if a stop was requested."""
    fields: dict[str, Any] = {"done": done, "updated_at": timezone.now()}
    if checkpoint is not None:
        fields["checkpoint"] = checkpoint
    if total is not None:
        fields["total"] = total
    Job.objects.filter(pk=job_id).update(**fields)
    if Job.objects.filter(pk=job_id, cancel_requested=True).exists():
        raise JobCancelled


def add_progress(job_id: int, count: int) -> None:
    Job.objects.filter(pk=job_id).update(done=F("done") + count, updated_at=timezone.now())


def request_cancel(job_id: int) -> None:
    Job.objects.filter(pk=job_id).exclude(status__in=FINISHED).update(cancel_requested=True)


def finish_job(
    job_id: int, *, result: dict[str, Any] | None = None, error: str = "", cancelled: bool = False
) -> Job:
    job = Job.objects.get(pk=job_id)
    if result is not None:
        job.result = result
    job.error = error
    status = (
        JobStatus.CANCELLED if cancelled else JobStatus.FAILED if error else JobStatus.SUCCEEDED
    )
    _finish(job, status)
    return job


def _finish(job: Job, status: JobStatus) -> None:
    job.status = status
    job.finished_at = timezone.now()
    job.save()


def unfinished_jobs(kind: str | None = None) -> list[Job]:
    """Jobs a restarted worker should pick up again: queued or left running by a crash."""
    jobs = Job.objects.filter(status__in=(JobStatus.QUEUED, JobStatus.RUNNING))
    if kind:
        jobs = jobs.filter(kind=kind)
    return list(jobs.order_by("created_at"))
