"""Activity writes. Every write goes through these functions."""

from tidycrm.activities.services.clean import clean_activity, sanitise_body
from tidycrm.activities.services.write import (
    complete_task,
    delete_activity,
    log_activity,
    update_activity,
)

__all__ = [
    "clean_activity",
    "complete_task",
    "delete_activity",
    "log_activity",
    "sanitise_body",
    "update_activity",
]
