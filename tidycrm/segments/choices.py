from django.db import models


class Refresh(models.IntegerChoices):
    """How often a segment's stored membership is recomputed (0: only when asked)."""

    MANUAL = 0, "Only when asked"
    HOURLY = 60, "Every hour"
    DAILY = 1440, "Every day"


class Trigger(models.TextChoices):
    MANUAL = "manual", "Asked for"
    SCHEDULE = "schedule", "Schedule"


class BulkKind(models.TextChoices):
    TAG = "tag", "Add tags"
    UNTAG = "untag", "Remove tags"
    ADD_TO_LIST = "add_to_list", "Add to a list"
    REMOVE_FROM_LIST = "remove_from_list", "Remove from a list"
    CHANGE_OWNER = "change_owner", "Change owner"
    SET_FIELD = "set_field", "Set a field"
    EXPORT = "export", "Export"
    DELETE = "delete", "Delete"


class BulkStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"
