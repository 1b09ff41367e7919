"""A file on its way in: its mapping, its jobs, the ledger of what it wrote, its rejects."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from tidycrm.core.models import TimeStampedModel
from tidycrm.intake.choices import Mode, RecordAction, Stage


class ImportMapping(TimeStampedModel):
    """A named mapping (header text -> target) and default values, reusable on other files."""

    name = models.CharField(max_length=120, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    columns = models.JSONField(default=dict, blank=True)
    defaults = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Import(TimeStampedModel):
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    file_name = models.CharField(max_length=255)
    stored_path = models.CharField(max_length=1024)
    size = models.PositiveBigIntegerField(default=0)
    kind = models.CharField(max_length=8)  # csv | xlsx
    encoding = models.CharField(max_length=32, blank=True)
    delimiter = models.CharField(max_length=4, blank=True)
    header = models.JSONField(default=list)
    estimated_rows = models.PositiveBigIntegerField(null=True, blank=True)
    # {"<column index>": "<target>"}
    mapping = models.JSONField(default=dict, blank=True)
    defaults = models.JSONField(default=dict, blank=True)
    mode = models.CharField(max_length=8, choices=Mode.choices, default=Mode.UPSERT)
    match = models.JSONField(default=list, blank=True)
    skip_invalid = models.BooleanField(default=True)
    stage = models.CharField(max_length=12, choices=Stage.choices, default=Stage.UPLOADED)
    preview = models.JSONField(default=dict, blank=True)
    job = models.ForeignKey(
        "core.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    preview_job = models.ForeignKey(
        "core.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revert_job = models.ForeignKey(
        "core.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # When the uploaded file was deleted (the revert window had passed): see purge_files.
    file_deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Import #{self.pk} {self.file_name}"


class ImportRecord(models.Model):
    """One write of an import: enough to undo it (the before-values of an update)."""

    batch = models.ForeignKey(Import, on_delete=models.CASCADE, related_name="records")
    row_number = models.PositiveBigIntegerField()
    action = models.CharField(max_length=8, choices=RecordAction.choices)
    contact = models.ForeignKey(
        "contacts.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    company = models.ForeignKey(
        "companies.Company", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    before = models.JSONField(default=dict, blank=True)
    reverted = models.BooleanField(default=False)

    class Meta:
        indexes = [models.Index(fields=["batch", "reverted", "id"], name="import_record_todo")]

    def __str__(self) -> str:
        return f"{self.action} row {self.row_number}"


class ImportReject(models.Model):
    """A row the import did not take: the original cells and the reason per field."""

    batch = models.ForeignKey(Import, on_delete=models.CASCADE, related_name="rejects")
    row_number = models.PositiveBigIntegerField()
    values = models.JSONField(default=list)
    errors = models.JSONField(default=dict)

    class Meta:
        ordering = ["row_number"]

    def __str__(self) -> str:
        return f"row {self.row_number}"
