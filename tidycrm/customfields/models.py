"""Typed custom field definitions; values live in a JSON column on each record."""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models

from tidycrm.customfields.choices import FieldType, RecordType

key_validator = RegexValidator(
    r"^[a-z][a-z0-9_]{0,62}$",
    "Use lower-case letters, digits and underscores, starting with a letter.",
)


class CustomFieldDefinition(models.Model):
    record_type = models.CharField(max_length=16, choices=RecordType.choices)
    key = models.CharField(max_length=63, validators=[key_validator])
    label = models.CharField(max_length=120)
    field_type = models.CharField(max_length=16, choices=FieldType.choices)
    choices = models.JSONField(default=list, blank=True)
    required = models.BooleanField(default=False)
    help_text = models.CharField(max_length=255, blank=True)
    max_length = models.PositiveIntegerField(null=True, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["record_type", "position", "label"]
        constraints = [
            models.UniqueConstraint(fields=["record_type", "key"], name="customfield_unique_key")
        ]

    def __str__(self) -> str:
        return f"{self.record_type}.{self.key}"
