"""Dynamic segments (saved filters with stored membership), bulk actions and saved views."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from tidycrm.core.models import TimeStampedModel
from tidycrm.segments.choices import BulkKind, BulkStatus, Refresh, Trigger


class Segment(TimeStampedModel):
    name = models.CharField(max_length=120)
    key = models.CharField(max_length=120, unique=True)
    description = models.CharField(max_length=500, blank=True)
    # The filter language's JSON (segments.language); compiled on every use.
    filter = models.JSONField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    refresh_minutes = models.PositiveIntegerField(choices=Refresh.choices, default=Refresh.MANUAL)
    # When the scheduled recompute is due; a queued run for another time is stale and stops.
    next_refresh_at = models.DateTimeField(null=True, blank=True)
    # The stored membership as of the last recompute (the whole database, not one user's view).
    computed_at = models.DateTimeField(null=True, blank=True)
    member_count = models.PositiveIntegerField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["key"]

    def __str__(self) -> str:
        return self.name


class SegmentMember(models.Model):
    """The latest snapshot of a segment's members: a recompute diffs against it."""

    segment = models.ForeignKey(Segment, on_delete=models.CASCADE, related_name="members")
    contact = models.ForeignKey("contacts.Contact", on_delete=models.CASCADE, related_name="+")
    entered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["segment", "contact"], name="segment_member_once")
        ]

    def __str__(self) -> str:
        return f"{self.contact_id} in segment {self.segment_id}"


class SegmentSnapshot(models.Model):
    """One recompute: how many were members, entered and left, and how long it took."""

    segment = models.ForeignKey(Segment, on_delete=models.CASCADE, related_name="snapshots")
    computed_at = models.DateTimeField(default=timezone.now)
    trigger = models.CharField(max_length=12, choices=Trigger.choices)
    members = models.PositiveIntegerField()
    entered = models.PositiveIntegerField()
    left = models.PositiveIntegerField()
    seconds = models.FloatField()

    class Meta:
        ordering = ["-computed_at", "-id"]
        indexes = [models.Index(fields=["segment", "-computed_at"], name="segment_snapshot_at")]

    def __str__(self) -> str:
        return f"segment {self.segment_id} at {self.computed_at:%Y-%m-%d %H:%M}"


class BulkAction(TimeStampedModel):
    """A bulk action and the exact contacts it was asked to act on (fixed at request time)."""

    kind = models.CharField(max_length=20, choices=BulkKind.choices)
    params = models.JSONField(default=dict, blank=True)
    # What the user chose: {"ids": n} | {"list": id} | {"segment": id} | {"filter": {...}}.
    target = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=BulkStatus.choices, default=BulkStatus.QUEUED)
    requested = models.PositiveIntegerField(default=0)
    # {"changed": n, "unchanged": n, "missing": n, ...}: what was done, counted exactly.
    result = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    job = models.ForeignKey(
        "core.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    channel = models.CharField(max_length=12, default="ui")

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.requested} contacts"


class BulkActionItem(models.Model):
    """One contact a bulk action was asked to act on; ids stay even if the contact goes."""

    action = models.ForeignKey(BulkAction, on_delete=models.CASCADE, related_name="items")
    contact_id = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["action", "contact_id"], name="bulk_item_once")
        ]

    def __str__(self) -> str:
        return f"{self.contact_id} in bulk action {self.action_id}"


class SavedView(TimeStampedModel):
    """A user's way of looking at the contacts list: columns, filters and sort."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views"
    )
    name = models.CharField(max_length=120)
    columns = models.JSONField(default=list, blank=True)
    # The contacts list's filter parameters ({"lifecycle_stage": "lead", "tag": "vip", ...}).
    filters = models.JSONField(default=dict, blank=True)
    sort = models.CharField(max_length=16, default="name")
    # Shared with everyone in this team (read-only for them).
    team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="saved_view_name_once")
        ]

    def __str__(self) -> str:
        return self.name
