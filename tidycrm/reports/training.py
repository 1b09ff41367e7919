"""The stored forecast models: trained by the worker on a schedule, read by the dashboard.

Training reads up to 20,000 closed deals and their stage history and fits twice (held back,
then all): seconds at a large CRM, so it is no part of a page view (decision 0041). The
periodic job retrains a pipeline's model when it has none, when its closed deals grew by a
tenth since, or once a day when any deal closed since. A dashboard asking for a model that was
never trained trains it once, there and then.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone

from tidycrm.deals.choices import DealStatus
from tidycrm.deals.models import Deal, Pipeline
from tidycrm.reports.learning import Accuracy, Model, Trained, learn
from tidycrm.reports.models import ForecastModel

EVERY = dt.timedelta(hours=1)
GROWTH = 0.1  # retrain when the closed deals grew by this share
MAX_AGE = dt.timedelta(days=1)  # ... or when this old and any deal closed since


def _of(pipeline_id: int | None) -> dict[str, Any]:
    """The lookup of one pipeline's model; none is the model of all pipelines."""
    return {"pipeline__isnull": True} if pipeline_id is None else {"pipeline_id": pipeline_id}


def train(pipeline_id: int | None, now: dt.datetime | None = None) -> ForecastModel:
    """Train the pipeline's model (none: all pipelines) and store it in place of the old one."""
    trained = learn(pipeline_id)
    acc = trained.held_back
    values = {
        "trained_at": now or timezone.now(),
        "closed_deals": trained.closed_deals,
        "training_deals": trained.training_deals,
        "training_examples": trained.examples,
        "parameters": trained.model.parameters() if trained.model else None,
        "held_back_deals": acc.deals if acc else None,
        "held_back_examples": acc.examples if acc else None,
        "accuracy": acc.accuracy if acc else None,
        "brier": acc.brier if acc else None,
        "baseline_brier": acc.baseline_brier if acc else None,
        "auc": acc.auc if acc else None,
    }
    try:
        with transaction.atomic():
            stored, _ = ForecastModel.objects.update_or_create(**_of(pipeline_id), defaults=values)
    except IntegrityError:  # another process stored it at the same moment: keep ours
        ForecastModel.objects.filter(**_of(pipeline_id)).update(**values)
        stored = ForecastModel.objects.get(**_of(pipeline_id))
    return stored


def as_trained(stored: ForecastModel) -> Trained:
    held_back = None
    if stored.held_back_deals is not None:
        held_back = Accuracy(
            deals=stored.held_back_deals,
            examples=stored.held_back_examples or 0,
            accuracy=stored.accuracy or 0.0,
            brier=stored.brier or 0.0,
            baseline_brier=stored.baseline_brier or 0.0,
            auc=stored.auc,
        )
    return Trained(
        model=Model.from_parameters(stored.parameters) if stored.parameters else None,
        held_back=held_back,
        closed_deals=stored.closed_deals,
        training_deals=stored.training_deals,
        examples=stored.training_examples,
        trained_at=stored.trained_at,
    )


def current_model(pipeline_id: int | None) -> Trained:
    """The stored model of the pipeline (none: all pipelines); trained now if it never was."""
    stored = ForecastModel.objects.filter(**_of(pipeline_id)).first()
    if stored is None:
        stored = train(pipeline_id)
    return as_trained(stored)


def is_due(stored: ForecastModel | None, closed: int, now: dt.datetime) -> bool:
    if stored is None:
        return True
    if closed - stored.closed_deals >= max(1, GROWTH * stored.closed_deals):
        return True
    return closed != stored.closed_deals and now - stored.trained_at >= MAX_AGE


def retrain_due(now: dt.datetime) -> dict[str, int]:
    """The periodic job: retrain every model that is due (see the module's note)."""
    closed = dict(
        Deal.objects.filter(status__in=[DealStatus.WON, DealStatus.LOST])
        .values("pipeline_id")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("pipeline_id", "n")
    )
    counts: dict[int | None, int] = {
        pk: closed.get(pk, 0) for pk in Pipeline.objects.values_list("pk", flat=True)
    }
    counts[None] = sum(closed.values())
    stored = {m.pipeline_id: m for m in ForecastModel.objects.all()}
    trained = 0
    for pipeline_id, n in counts.items():
        if is_due(stored.get(pipeline_id), n, now):
            train(pipeline_id, now)
            trained += 1
    return {"trained": trained, "models": len(counts)}
