"""Delete uploaded import files whose revert window has passed, and old export files (run it
daily, e.g. from cron; finished imports and exports also run it)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = __doc__

    def handle(self, *args: Any, **options: Any) -> None:
        from tidycrm.intake.export_jobs import keep_days, purge_exports
        from tidycrm.intake.services import purge_files, revert_days

        purged = purge_files()
        exported = purge_exports()
        self.stdout.write(
            f"Deleted the files of {len(purged)} imports finished more than {revert_days()} "
            f"days ago and {exported} exports older than {keep_days()} days."
        )
