"""Background work of dedupe: tasks take ids and are safe to run again (a scan resumes)."""

from __future__ import annotations

from django.tasks import task


@task()
def scan_task(job_id: int) -> None:
    from tidycrm.dedupe.services.scan import run_scan

    run_scan(job_id)
