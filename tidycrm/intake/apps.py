from datetime import datetime, timedelta

from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "tidycrm.intake"
    label = "intake"
    verbose_name = "Import"

    def ready(self) -> None:
        from tidycrm.core import schedule

        schedule.register("purge-import-files", timedelta(hours=6), _purge)


def _purge(now: datetime) -> dict[str, int]:
    """Uploaded files past their revert window and export files past their keep days."""
    from tidycrm.intake.export_jobs import purge_exports
    from tidycrm.intake.services import purge_files

    return {"imports": len(purge_files(now)), "exports": purge_exports(now)}
