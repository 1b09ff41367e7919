"""Demo duplicates: scan the demo contacts and companies so the review queue has groups, and
merge the surest one so that "Undo merge" can be tried on its survivor."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from tidycrm.core.exceptions import DomainError
from tidycrm.dedupe.choices import RecordKind
from tidycrm.dedupe.selectors import open_groups
from tidycrm.dedupe.services.queue import merge_group
from tidycrm.dedupe.services.scan import run_scan, start_scan

if TYPE_CHECKING:
    from tidycrm.accounts.models import User


def load(seed: int, users: dict[str, User], progress: Callable[..., Any]) -> dict[str, int]:
    """Scans run as the system (every record); returns the counts made."""
    counts = {"duplicate_groups": 0, "merges": 0}
    for kind in (RecordKind.CONTACT, RecordKind.COMPANY):
        job = run_scan(start_scan(kind, actor=None, inline=True).pk)
        counts["duplicate_groups"] += int(job.result.get("groups_added", 0))
        progress(f"duplicate scan of {kind} records", 1, 1)
    surest = open_groups(RecordKind.CONTACT).first()
    if surest is not None:
        try:
            merge_group(surest, actor=None, channel="system")
        except DomainError:
            pass  # left for review: the demo stays usable without its sample merge
        else:
            counts["merges"] = 1
    return counts
