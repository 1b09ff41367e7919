from __future__ import annotations

import pytest

from tidycrm.core.jobs import (
    JobCancelled,
    advance,
    create_job,
    finish_job,
    request_cancel,
    start_job,
    unfinished_jobs,
)
from tidycrm.core.models import JobStatus

pytestmark = pytest.mark.django_db


def run(job_id: int, rows: int, crash_at: int | None = None) -> list[int]:
    """A resumable unit of work: processes rows after the checkpoint, records each step."""
    job = start_job(job_id)
    processed = []
    for row in range(job.checkpoint.get("next_row", 0), rows):
        if row == crash_at:
            raise RuntimeError("worker killed")
        processed.append(row)
        advance(job_id, done=row + 1, checkpoint={"next_row": row + 1}, total=rows)
    finish_job(job_id, result={"rows": rows})
    return processed


def test_progress_and_resume_after_crash(admin):
    job = create_job("demo", created_by=admin, params={"rows": 10})
    with pytest.raises(RuntimeError):
        run(job.pk, 10, crash_at=6)
    assert [j.pk for j in unfinished_jobs("demo")] == [job.pk]
    assert run(job.pk, 10) == [6, 7, 8, 9]
    job.refresh_from_db()
    assert (job.status, job.done, job.total, job.percent) == (JobStatus.SUCCEEDED, 10, 10, 100.0)
    assert job.rate_per_second is not None and job.seconds_left == 0
    # Running a finished job again does nothing.
    assert start_job(job.pk).status == JobStatus.SUCCEEDED


def test_cancel_stops_work_at_the_next_step():
    job = create_job("demo")
    start_job(job.pk)
    request_cancel(job.pk)
    with pytest.raises(JobCancelled):
        advance(job.pk, done=1)
    finish_job(job.pk, cancelled=True)
    job.refresh_from_db()
    assert job.status == JobStatus.CANCELLED
