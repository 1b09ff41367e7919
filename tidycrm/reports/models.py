"""The stored forecast model: trained by the worker, read by the dashboard (decision 0041)."""

from __future__ import annotations

from django.db import models
from django.db.models import Value
from django.db.models.functions import Coalesce


class ForecastModel(models.Model):
    """The forecast model of one pipeline (none: of all pipelines), with its accuracy on the
    held-back newest closed deals. Trained on every closed deal of the pipeline, whoever owns
    it: the figures a user sees still only count the open deals they may see."""

    pipeline = models.ForeignKey(
        "deals.Pipeline", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    trained_at = models.DateTimeField()
    # Won and lost deals in the pipeline when trained: retraining is due when this grows.
    closed_deals = models.PositiveIntegerField()
    # The newest of them the model learned from (at most forecast.MAX_TRAINING_DEALS).
    training_deals = models.PositiveIntegerField()
    training_examples = models.PositiveIntegerField(default=0)
    # Stage ids, standardisation, coefficients, owner records and prior; null below the
    # minimum of closed deals (the forecast is then the weighted pipeline).
    parameters = models.JSONField(null=True, blank=True)
    held_back_deals = models.PositiveIntegerField(null=True, blank=True)
    held_back_examples = models.PositiveIntegerField(null=True, blank=True)
    accuracy = models.FloatField(null=True, blank=True)
    brier = models.FloatField(null=True, blank=True)
    baseline_brier = models.FloatField(null=True, blank=True)
    auc = models.FloatField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(Coalesce("pipeline", Value(0)), name="forecast_model_once")
        ]

    def __str__(self) -> str:
        return f"forecast model of {self.pipeline or 'all pipelines'} ({self.trained_at:%Y-%m-%d})"


class ClosedMonth(models.Model):
    """Deals closed in a calendar month (UTC) sharing pipeline, owner, team, status, currency
    and loss reason: the dashboard sums these instead of a year of deals (decision 0055).
    The ids are plain columns named as the deal's, so the visibility filter applies as is."""

    month = models.DateField()
    pipeline_id = models.BigIntegerField()
    owner_id = models.BigIntegerField(null=True)
    team_id = models.BigIntegerField(null=True)
    status = models.CharField(max_length=8)
    currency = models.CharField(max_length=3)
    loss_reason_id = models.BigIntegerField(null=True)
    deals = models.PositiveIntegerField()
    amount = models.DecimalField(max_digits=20, decimal_places=2)
    activities = models.PositiveBigIntegerField()
    conversations = models.PositiveBigIntegerField()
    # Won deals: how many took each whole number of days from creation to close.
    cycle_days = models.JSONField(default=dict)

    class Meta:
        indexes = [models.Index(fields=["month"], name="closed_month")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.status} {self.deals}"


class CreatedMonth(models.Model):
    """Deals created in a calendar month (UTC) sharing pipeline, owner, team, status and the
    furthest open stage reached: the funnel's counts (decision 0055)."""

    month = models.DateField()
    pipeline_id = models.BigIntegerField()
    owner_id = models.BigIntegerField(null=True)
    team_id = models.BigIntegerField(null=True)
    status = models.CharField(max_length=8)
    reached_position = models.PositiveIntegerField(null=True)
    deals = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["month"], name="created_month")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.status} {self.deals}"


class BuiltMonth(models.Model):
    """The version of the deals' month (`deals.DealMonth`) the month's rollups were built from:
    they are used only while it is still the month's version."""

    month = models.DateField(unique=True)
    version = models.PositiveBigIntegerField()
    built_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} v{self.version}"
