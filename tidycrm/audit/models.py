"""Field-level change records: who changed what, when, through which channel."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from tidycrm.audit.choices import Action, Channel


class ChangeRecord(models.Model):
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.BigIntegerField()
    object_repr = models.CharField(max_length=255, blank=True)
    action = models.CharField(max_length=8, choices=Action.choices)
    channel = models.CharField(max_length=12, choices=Channel.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    # {"field": {"before": ..., "after": ...}}; child collections appear as lists.
    changes = models.JSONField(default=dict)
    # Where the data came from: {"file": "...", "row": 12, "external_id": "..."}.
    source = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["content_type", "object_id", "-at"], name="audit_object_at")
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.object_repr} via {self.channel}"
