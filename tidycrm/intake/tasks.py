"""Background work of imports: tasks take ids and are safe to run again (they resume)."""

from __future__ import annotations

from django.tasks import task


@task()
def run_import_task(import_id: int) -> None:
    from tidycrm.intake.runner import run_import
    from tidycrm.intake.services import purge_files

    run_import(import_id)
    purge_files()  # every finished import also clears the files whose revert window passed


@task()
def preview_task(import_id: int) -> None:
    from tidycrm.intake.services import run_preview

    run_preview(import_id)


@task()
def revert_task(import_id: int) -> None:
    from tidycrm.intake.services import run_revert

    run_revert(import_id)


@task()
def export_task(job_id: int) -> None:
    from tidycrm.intake.export_jobs import purge_exports, run_export

    run_export(job_id)
    purge_exports()  # every finished export also clears the files older than their keep days
