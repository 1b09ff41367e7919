"""Duplicates: the trained matching model, the entry policy, the review queue, merges.

Members and merges name records by id, not by foreign key: one table serves contacts and
companies, and a merged-away record is deleted while its merge still names it (unmerge brings it
back with the same id).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from tidycrm.core.models import TimeStampedModel
from tidycrm.dedupe.choices import (
    EntryAction,
    GroupOrigin,
    GroupStatus,
    RecordKind,
    Survivorship,
)


class MatchingModel(models.Model):
    """The matching model trained on this database's own records (tidycrm.matching's to_dict)."""

    kind = models.CharField(max_length=16, choices=RecordKind.choices, unique=True)
    data = models.JSONField(default=dict)
    record_count = models.PositiveBigIntegerField(default=0)
    trained_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.kind} model ({self.record_count:,} records)"


class DuplicatePolicy(models.Model):
    """What the door does with a likely duplicate, per record kind and channel; an admin sets it."""

    kind = models.CharField(max_length=16, choices=RecordKind.choices)
    channel = models.CharField(max_length=12)
    action = models.CharField(max_length=8, choices=EntryAction.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "channel"], name="duplicate_policy_once")
        ]

    def __str__(self) -> str:
        return f"{self.kind} via {self.channel}: {self.action}"


class DedupeSettings(models.Model):
    """One row: how merges pick surviving values, and the automatic merge threshold."""

    survivorship = models.CharField(
        max_length=12, choices=Survivorship.choices, default=Survivorship.MOST_COMPLETE
    )
    # Channels from most to least trusted, for the "most trusted source" rule.
    trusted_sources = models.JSONField(default=list, blank=True)
    auto_merge_threshold = models.FloatField(default=0.99)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "dedupe settings"

    def __str__(self) -> str:
        return f"survivorship: {self.survivorship}"


class DuplicateGroup(TimeStampedModel):
    """Records the system thinks are one, waiting for review; ranked by confidence."""

    kind = models.CharField(max_length=16, choices=RecordKind.choices)
    status = models.CharField(max_length=12, choices=GroupStatus.choices, default=GroupStatus.OPEN)
    origin = models.CharField(max_length=8, choices=GroupOrigin.choices, default=GroupOrigin.SCAN)
    # The weakest scored link of the group: a group is as sure as its least sure pair.
    confidence = models.FloatField(default=0.0)
    # SHA-1 of the sorted member ids: one open group per set of records.
    member_key = models.CharField(max_length=40)
    scan = models.ForeignKey(
        "core.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-confidence", "id"]
        indexes = [
            models.Index(fields=["kind", "status", "-confidence", "id"], name="dup_group_queue"),
            models.Index(fields=["member_key"], name="dup_group_members"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} group {self.member_key} ({self.confidence:.2f})"


class DuplicateMember(models.Model):
    group = models.ForeignKey(DuplicateGroup, on_delete=models.CASCADE, related_name="members")
    record_id = models.BigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["record_id"], name="dup_member_record")]
        constraints = [
            models.UniqueConstraint(fields=["group", "record_id"], name="dup_member_once")
        ]

    def __str__(self) -> str:
        return f"{self.record_id} in group {self.group_id}"


class DuplicatePair(models.Model):
    """A scored pair inside a group, with the model's explanation."""

    group = models.ForeignKey(DuplicateGroup, on_delete=models.CASCADE, related_name="pairs")
    a = models.BigIntegerField()
    b = models.BigIntegerField()
    probability = models.FloatField()
    # [{"field", "level", "weight", "detail"}, ...] as tidycrm.matching explains the score.
    evidence = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-probability", "id"]

    def __str__(self) -> str:
        return f"{self.a}~{self.b} ({self.probability:.2f})"


class NotDuplicate(models.Model):
    """Two records a person said are different: never proposed together again."""

    kind = models.CharField(max_length=16, choices=RecordKind.choices)
    a = models.BigIntegerField()  # the smaller id
    b = models.BigIntegerField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "a", "b"], name="not_duplicate_once")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.a} is not {self.b}"


class Merge(models.Model):
    """One merge, with everything needed to undo it (see dedupe.merging)."""

    kind = models.CharField(max_length=16, choices=RecordKind.choices)
    survivor_id = models.BigIntegerField()
    merged_ids = models.JSONField(default=list)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    channel = models.CharField(max_length=12, default="ui")
    at = models.DateTimeField(default=timezone.now)
    group = models.ForeignKey(
        DuplicateGroup, null=True, blank=True, on_delete=models.SET_NULL, related_name="merges"
    )
    # The survivor's fields the merge changed: {"field": {"before": b, "after": a}}.
    survivor_changes = models.JSONField(default=dict)
    # Each merged-away record's row, the related rows moved or removed: see dedupe.merging.
    ledger = models.JSONField(default=dict)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["kind", "survivor_id", "-at"], name="merge_survivor")]

    def __str__(self) -> str:
        return f"{self.kind} {self.merged_ids} -> {self.survivor_id}"


class MergedRecord(models.Model):
    """Where a merged-away id went: "already merged" errors and redirects name the survivor."""

    kind = models.CharField(max_length=16, choices=RecordKind.choices)
    record_id = models.BigIntegerField()
    merge = models.ForeignKey(Merge, on_delete=models.CASCADE, related_name="records")

    class Meta:
        indexes = [models.Index(fields=["kind", "record_id"], name="merged_record")]

    def __str__(self) -> str:
        return f"{self.kind} {self.record_id} (merge {self.merge_id})"
