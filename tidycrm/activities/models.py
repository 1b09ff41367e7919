"""Activities (calls, e-mails, conversations, meetings, notes, tasks), their links to records,
notifications and the settings of reminders and alerts."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from tidycrm.activities.choices import Direction, Kind, NotificationKind, Priority, StaleScope
from tidycrm.core.models import TimeStampedModel


class Outcome(models.Model):
    """A managed list of call and meeting outcomes ("Connected", "Left voicemail", ...)."""

    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.CALL)
    name = models.CharField(max_length=80)
    is_active = models.BooleanField(default=True)
    order = models.PositiveSmallIntegerField(default=0)
    # Counts as reaching the person (for "conversations to close" and speed-to-lead reports).
    is_connected = models.BooleanField(default=False)

    class Meta:
        ordering = ["kind", "order", "name"]
        constraints = [models.UniqueConstraint(fields=["kind", "name"], name="outcome_unique")]

    def __str__(self) -> str:
        return self.name


class Activity(TimeStampedModel):
    kind = models.CharField(max_length=16, choices=Kind.choices)
    subject = models.CharField(max_length=255)
    # Sanitised HTML (nh3) for every kind; plain text is stored escaped.
    body = models.TextField(blank=True)
    # The moment on the timeline: when the call/e-mail/note happened, a meeting's start, a
    # task's creation.
    occurred_at = models.DateTimeField(default=timezone.now)
    # Calls, e-mails, conversations
    direction = models.CharField(max_length=8, choices=Direction.choices, blank=True)
    outcome = models.ForeignKey(
        Outcome, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    duration_seconds = models.PositiveIntegerField(null=True, blank=True)
    # Meetings
    ends_at = models.DateTimeField(null=True, blank=True)
    location = models.CharField(max_length=255, blank=True)
    video_url = models.URLField(max_length=500, blank=True)
    attendees = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    # Tasks
    due_at = models.DateTimeField(null=True, blank=True)
    priority = models.CharField(max_length=8, choices=Priority.choices, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    remind_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Ownership (visibility as for every owned record)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # iCalendar UID: stable in feeds and invitations; an imported event keeps its own.
    ical_uid = models.CharField(max_length=255, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name_plural = "activities"
        indexes = [
            models.Index(fields=["kind", "occurred_at"], name="activity_kind_at"),
            models.Index(fields=["owner", "kind", "occurred_at"], name="activity_owner_kind_at"),
            models.Index(fields=["completed_at"], name="activity_completed"),
            models.Index(
                fields=["assignee", "due_at"],
                condition=Q(kind="task", completed_at__isnull=True),
                name="activity_open_tasks",
            ),
            models.Index(
                fields=["remind_at"],
                condition=Q(kind="task", completed_at__isnull=True, remind_at__isnull=False),
                name="activity_reminders",
            ),
            models.Index(fields=["ical_uid"], condition=~Q(ical_uid=""), name="activity_ical"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.subject}"

    @property
    def is_open_task(self) -> bool:
        return self.kind == Kind.TASK and self.completed_at is None


class ActivityContact(models.Model):
    """An activity's link to a contact; `at` copies `occurred_at` so a contact's timeline is
    one index range scan (contact, at, activity). The reverse names are not hidden ("+"), so
    merging duplicate records moves the links with everything else that points at them.
    No single-column indexes: (record, at, activity) and the unique (activity, record) serve
    every look-up, and each index less makes bulk loads of millions of links faster."""

    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="contact_links", db_index=False
    )
    contact = models.ForeignKey(
        "contacts.Contact", on_delete=models.CASCADE, related_name="activity_links", db_index=False
    )
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["contact", "at", "activity"], name="activity_contact_at")]
        constraints = [
            models.UniqueConstraint(fields=["activity", "contact"], name="activity_contact_once")
        ]

    def __str__(self) -> str:
        return f"activity {self.activity_id} - contact {self.contact_id}"


class ActivityCompany(models.Model):
    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="company_links", db_index=False
    )
    company = models.ForeignKey(
        "companies.Company", on_delete=models.CASCADE, related_name="activity_links", db_index=False
    )
    at = models.DateTimeField()

    class Meta:
        verbose_name_plural = "activity companies"
        indexes = [models.Index(fields=["company", "at", "activity"], name="activity_company_at")]
        constraints = [
            models.UniqueConstraint(fields=["activity", "company"], name="activity_company_once")
        ]

    def __str__(self) -> str:
        return f"activity {self.activity_id} - company {self.company_id}"


class ActivityDeal(models.Model):
    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="deal_links", db_index=False
    )
    deal = models.ForeignKey(
        "deals.Deal", on_delete=models.CASCADE, related_name="activity_links", db_index=False
    )
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["deal", "at", "activity"], name="activity_deal_at")]
        constraints = [
            models.UniqueConstraint(fields=["activity", "deal"], name="activity_deal_once")
        ]

    def __str__(self) -> str:
        return f"activity {self.activity_id} - deal {self.deal_id}"


class Notification(models.Model):
    """One in-app notification. `key` makes producers idempotent: a periodic check that runs
    twice (restart, two workers) inserts the same (user, key) once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=16, choices=NotificationKind.choices)
    key = models.CharField(max_length=200)
    title = models.CharField(max_length=255)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True)
    # The task or meeting it is about, if any (a meeting's e-mail carries its invitation).
    activity = models.ForeignKey(
        Activity, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "created_at", "id"], name="notification_user_at"),
            models.Index(
                fields=["user"], condition=Q(read_at__isnull=True), name="notification_unread"
            ),
            models.Index(
                fields=["created_at"],
                condition=Q(emailed_at__isnull=True),
                name="notification_unsent",
            ),
        ]
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="notification_once")]

    def __str__(self) -> str:
        return self.title


class StaleRule(models.Model):
    """ "Not touched for N days": N per contact lifecycle stage or per deal pipeline stage."""

    scope = models.CharField(max_length=16, choices=StaleScope.choices)
    lifecycle_stage = models.CharField(max_length=24, blank=True)
    stage = models.ForeignKey(
        "deals.Stage", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    days = models.PositiveIntegerField()
    is_active = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["lifecycle_stage"],
                condition=Q(scope="lifecycle"),
                name="stale_rule_lifecycle_once",
            ),
            models.UniqueConstraint(
                fields=["stage"], condition=Q(scope="deal_stage"), name="stale_rule_stage_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.lifecycle_stage}: {self.days} days"


class AlertSettings(models.Model):
    """The organisation's alert settings (one row, created on first read)."""

    lead_sla_minutes = models.PositiveIntegerField(
        default=60, help_text="Speed-to-lead: alert when a new lead has no activity after this."
    )
    # Only leads created in this window are checked: older backlogs are a report, not an alert.
    lead_sla_window_days = models.PositiveIntegerField(default=7)
    due_soon_hours = models.PositiveIntegerField(
        default=24, help_text="A task's 'due' reminder goes out this long before it is due."
    )

    class Meta:
        verbose_name_plural = "alert settings"

    def __str__(self) -> str:
        return "Alert settings"


class CalendarToken(models.Model):
    """The secret in a user's calendar feed URL; only its SHA-256 is stored. Revocable."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_tokens"
    )
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=12)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"calendar {self.prefix}…"
