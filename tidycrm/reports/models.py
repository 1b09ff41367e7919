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
