"""Delete uploaded import files whose revert window has passed (run it daily, e.g. from cron)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = __doc__

    def handle(self, *args: Any, **options: Any) -> None:
        from tidycrm.intake.services import purge_files, revert_days

        purged = purge_files()
        self.stdout.write(
            f"Deleted the files of {len(purged)} imports finished more than {revert_days()} "
            "days ago."
        )
