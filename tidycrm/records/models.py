"""What the door does with a value that is not right, per record type, field and channel."""

from __future__ import annotations

from django.db import models


class PolicyAction(models.TextChoices):
    REJECT = "reject", "Reject the record"
    FLAG = "flag", "Accept as entered and flag"
    FIX = "fix", "Fix what can be fixed (flag the rest)"


class EntryPolicy(models.Model):
    """An administrator's choice overriding the default in `tidycrm.records.policy`."""

    record_type = models.CharField(max_length=16)
    field = models.CharField(max_length=32)
    channel = models.CharField(max_length=16)
    action = models.CharField(max_length=8, choices=PolicyAction.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["record_type", "field", "channel"], name="entry_policy_unique"
            )
        ]
        verbose_name_plural = "entry policies"

    def __str__(self) -> str:
        return f"{self.record_type}.{self.field} via {self.channel}: {self.action}"
