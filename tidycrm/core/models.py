"""Base models shared by every app, and the Job that tracks long-running work."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


class Job(TimeStampedModel):
    """Long user-visible work (import, scan, erasure, export) with progress the UI and CLI show."""

    kind = models.CharField(max_length=64)
    status = models.CharField(max_length=16, choices=JobStatus.choices, default=JobStatus.QUEUED)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    params = models.JSONField(default=dict, blank=True)
    total = models.PositiveBigIntegerField(null=True, blank=True)
    done = models.PositiveBigIntegerField(default=0)
    # Where a restarted job resumes; meaning is the job kind's own (row number, last id...).
    checkpoint = models.JSONField(default=dict, blank=True)
    result = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    cancel_requested = models.BooleanField(default=False)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.status})"

    @property
    def percent(self) -> float | None:
        if not self.total:
            return None
        return min(100.0, 100.0 * self.done / self.total)

    @property
    def rate_per_second(self) -> float | None:
        if not self.started_at or not self.done:
            return None
        end = self.finished_at or timezone.now()
        seconds = (end - self.started_at).total_seconds()
        return self.done / seconds if seconds > 0 else None

    @property
    def seconds_left(self) -> float | None:
        rate = self.rate_per_second
        if not rate or self.total is None:
            return None
        return max(0.0, (self.total - self.done) / rate)


class Label(models.TextChoices):
    WORK = "work", "Work"
    HOME = "home", "Home"
    MOBILE = "mobile", "Mobile"
    MAIN = "main", "Main"
    FAX = "fax", "Fax"
    BILLING = "billing", "Billing"
    SHIPPING = "shipping", "Shipping"
    OTHER = "other", "Other"


class PhoneBase(models.Model):
    """A labelled phone number: raw input kept beside the E.164 form."""

    label = models.CharField(max_length=16, choices=Label.choices, default=Label.WORK)
    raw = models.CharField(max_length=64)
    e164 = models.CharField(max_length=20, blank=True, db_index=True)
    extension = models.CharField(max_length=16, blank=True)
    # National significant number, for search by the digits people type.
    national_number = models.CharField(max_length=20, blank=True, db_index=True)
    # "mobile", "fixed", "toll_free", ... as the numbering plan says; empty when not parseable.
    number_type = models.CharField(max_length=16, blank=True)
    is_primary = models.BooleanField(default=False)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        number = self.e164 or self.raw
        return f"{number} x{self.extension}" if self.extension else number


class AddressBase(models.Model):
    """A labelled postal address in structured fields; `raw` keeps what was entered."""

    label = models.CharField(max_length=16, choices=Label.choices, default=Label.WORK)
    street = models.CharField(max_length=255, blank=True)
    street2 = models.CharField(max_length=255, blank=True)
    city = models.CharField(max_length=120, blank=True)
    region = models.CharField(max_length=120, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    country = models.CharField(max_length=2, blank=True)
    raw = models.JSONField(default=dict, blank=True)
    is_primary = models.BooleanField(default=False)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        parts = [
            self.street,
            self.street2,
            f"{self.postal_code} {self.city}".strip(),
            self.region,
            self.country,
        ]
        return ", ".join(p for p in parts if p)


class SearchTokenBase(models.Model):
    """One folded word of a record (name, e-mail, phone digits); prefix search walks its index."""

    token = models.CharField(max_length=64)

    class Meta:
        abstract = True
