"""The one vocabulary of sales activities: each CRM process has exactly one code."""

from django.db import models


class Kind(models.TextChoices):
    CALL = "call", "Call"
    EMAIL = "email", "E-mail"
    CONVERSATION = "conversation", "Conversation"
    MEETING = "meeting", "Meeting"
    NOTE = "note", "Note"
    TASK = "task", "Task"


class Direction(models.TextChoices):
    INBOUND = "inbound", "Inbound"
    OUTBOUND = "outbound", "Outbound"


class Priority(models.TextChoices):
    LOW = "low", "Low"
    NORMAL = "normal", "Normal"
    HIGH = "high", "High"


# Which optional fields each kind uses; the services refuse the others with a field error.
KIND_FIELDS: dict[str, frozenset[str]] = {
    Kind.CALL: frozenset({"direction", "outcome_id", "duration_seconds"}),
    Kind.EMAIL: frozenset({"direction"}),
    Kind.CONVERSATION: frozenset({"direction", "duration_seconds"}),
    Kind.MEETING: frozenset({"ends_at", "location", "video_url", "attendee_ids", "outcome_id"}),
    Kind.NOTE: frozenset(),
    Kind.TASK: frozenset({"due_at", "priority", "assignee_id", "remind_at"}),
}


class NotificationKind(models.TextChoices):
    TASK_DUE = "task_due", "Task due"
    TASK_OVERDUE = "task_overdue", "Task overdue"
    TASK_REMINDER = "task_reminder", "Reminder"
    TASK_ASSIGNED = "task_assigned", "Task assigned"
    STALE = "stale", "Not touched"
    LEAD_SLA = "lead_sla", "Lead not contacted in time"
    MEETING = "meeting", "Meeting invitation"


class StaleScope(models.TextChoices):
    LIFECYCLE = "lifecycle", "Contact lifecycle stage"
    DEAL_STAGE = "deal_stage", "Deal pipeline stage"
