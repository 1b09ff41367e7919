"""Pipelines of stages, the deals that move through them, and why deals are lost."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from tidycrm.core.models import TimeStampedModel
from tidycrm.deals.choices import ContactRole, DealSource, DealStatus, StageKind


class Pipeline(TimeStampedModel):
    name = models.CharField(max_length=120, unique=True)
    # ISO 4217; new deals in the pipeline take it unless they name their own.
    currency = models.CharField(max_length=3, default="USD")
    position = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(default=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name


class Stage(models.Model):
    pipeline = models.ForeignKey(Pipeline, on_delete=models.CASCADE, related_name="stages")
    name = models.CharField(max_length=120)
    position = models.PositiveIntegerField(default=0)
    # Chance, in percent, that a deal in this stage is won: weights the pipeline value.
    probability = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(max_length=8, choices=StageKind.choices, default=StageKind.OPEN)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["pipeline", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["pipeline", "name"], name="stage_name_once"),
            models.CheckConstraint(
                condition=models.Q(probability__lte=100), name="stage_probability_percent"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class LossReason(models.Model):
    """A managed list, so reports can count why deals are lost."""

    name = models.CharField(max_length=120, unique=True)
    position = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class Deal(TimeStampedModel):
    name = models.CharField(max_length=255)
    amount = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    currency = models.CharField(max_length=3, default="USD")
    expected_close_date = models.DateField(null=True, blank=True)
    pipeline = models.ForeignKey(Pipeline, on_delete=models.PROTECT, related_name="deals")
    stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="deals")
    status = models.CharField(max_length=8, choices=DealStatus.choices, default=DealStatus.OPEN)
    stage_entered_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    company = models.ForeignKey(
        "companies.Company",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deals",
    )
    contacts = models.ManyToManyField(
        "contacts.Contact", through="DealContact", related_name="deals", blank=True
    )
    source = models.CharField(max_length=24, choices=DealSource.choices, blank=True)
    loss_reason = models.ForeignKey(
        LossReason, null=True, blank=True, on_delete=models.PROTECT, related_name="deals"
    )
    loss_note = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)
    # Derived, for the reports (decision 0041). The furthest open stage the deal entered (its
    # position), kept by the deal services; null before it entered any open stage.
    reached_position = models.PositiveIntegerField(null=True, blank=True)
    # Activities linked to the deal, and those of them that reached the person (conversations,
    # meetings, connected calls): kept by the activity services, as contacts' last_activity_at.
    activity_count = models.PositiveIntegerField(default=0)
    conversation_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["stage", "id"], name="deal_stage"),
            models.Index(fields=["owner", "stage", "id"], name="deal_owner_stage"),
            models.Index(fields=["team", "stage", "id"], name="deal_team_stage"),
            models.Index(fields=["pipeline", "status", "id"], name="deal_pipeline_status"),
            models.Index(fields=["status", "closed_at"], name="deal_status_closed"),
            # Every column the dashboard's figures of closed and open deals read, so they are
            # read from the index alone (decision 0041).
            models.Index(
                fields=[
                    "status",
                    "closed_at",
                    "pipeline",
                    "owner",
                    "team",
                    "stage",
                    "currency",
                    "amount",
                    "loss_reason",
                    "created_at",
                    "activity_count",
                    "conversation_count",
                ],
                name="deal_figures",
            ),
            # The funnel: deals of a pipeline created in the period, by reach and status, with
            # the owner and team a user's visibility and the filters ask for.
            models.Index(
                fields=["pipeline", "created_at", "reached_position", "status", "owner", "team"],
                name="deal_funnel",
            ),
            # The forecast: open deals expected to close in a quarter, every column it reads.
            # Not partial: the forecast names open deals by status alone, or SQLite's planner
            # would take `deal_figures` for "status and no close date", table look-ups and all.
            models.Index(
                fields=[
                    "status",
                    "expected_close_date",
                    "currency",
                    "pipeline",
                    "owner",
                    "team",
                    "stage",
                    "created_at",
                    "amount",
                ],
                name="deal_open_forecast",
            ),
            models.Index(fields=["created_at", "id"], name="deal_created"),
            models.Index(fields=["updated_at", "id"], name="deal_updated"),
            models.Index(fields=["owner", "id"], name="deal_owner"),
            models.Index(fields=["team", "id"], name="deal_team"),
        ]

    def __str__(self) -> str:
        return self.name


class DealContact(models.Model):
    """A person on a deal and the part they play in it."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="deal_contacts")
    contact = models.ForeignKey(
        "contacts.Contact", on_delete=models.CASCADE, related_name="deal_roles"
    )
    role = models.CharField(max_length=24, choices=ContactRole.choices, default=ContactRole.OTHER)

    class Meta:
        ordering = ["deal", "id"]
        constraints = [
            models.UniqueConstraint(fields=["deal", "contact"], name="deal_contact_once")
        ]

    def __str__(self) -> str:
        return f"{self.contact_id} on {self.deal_id} ({self.role})"


class StageChange(models.Model):
    """One move of a deal between stages (the first row has no `from_stage`): the history the
    funnel, the sales cycle and the timeline read."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.ForeignKey(
        Stage, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField(default=timezone.now)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["deal", "changed_at", "id"]
        indexes = [
            models.Index(fields=["deal", "changed_at"], name="stagechange_deal"),
            models.Index(fields=["to_stage", "deal"], name="stagechange_to"),
        ]

    def __str__(self) -> str:
        return f"{self.deal_id}: {self.from_stage_id} -> {self.to_stage_id}"


class DealMonth(models.Model):
    """A calendar month (UTC) of deal history and a version that every write to a deal created
    or closed in it moves, in the same transaction. Figures summed per month (the reports'
    monthly rollups) are current while they were built from the month's present version."""

    month = models.DateField(unique=True)  # the first day
    version = models.PositiveBigIntegerField(default=1)

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} v{self.version}"
