"""The forecast model, trained on this CRM's own won and lost deals, and its accuracy on the
most recent closed deals held back from training.

The model is a logistic regression (numpy, L2-regularised, fitted by Newton's method) over one
example per stage a closed deal entered: which stage, the stage's probability, the deal's age on
entering it, its amount, and the owner's win rate on other deals (leave-one-out, smoothed). It
answers "what share of deals like this one, at this stage, did we win?" (decision 0023).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
from django.db.models import QuerySet

from tidycrm.deals.choices import DealStatus, StageKind
from tidycrm.deals.models import Deal, StageChange

MAX_TRAINING_DEALS = 20_000
HELD_BACK_SHARE = 0.2
MIN_DEALS = 30  # fewer closed deals than this: no model, the weighted pipeline only
PRIOR_WEIGHT = 10.0  # the owner rate starts from the overall rate as if from 10 deals
L2 = 1.0


@dataclass(frozen=True)
class Example:
    deal_id: int
    stage_id: int
    probability: float
    age_days: float
    amount: float
    owner_id: int | None
    won: bool


@dataclass(frozen=True)
class Accuracy:
    deals: int
    examples: int
    accuracy: float
    brier: float
    baseline_brier: float  # the stage probabilities as predictions
    auc: float | None


@dataclass
class Model:
    stage_ids: list[int]
    mean: np.ndarray
    scale: np.ndarray
    weights: np.ndarray
    owner_wins: dict[int | None, tuple[int, int]]
    prior: float
    trained_deals: int

    def owner_rate(self, owner_id: int | None, own: bool | None = None) -> float:
        """Smoothed win rate of the owner; `own` (this deal's outcome) is left out."""
        wins, n = self.owner_wins.get(owner_id, (0, 0))
        if own is not None:
            wins, n = wins - int(own), n - 1
        return (wins + PRIOR_WEIGHT * self.prior) / (n + PRIOR_WEIGHT)

    def features(self, rows: list[Example], leave_out: bool = False) -> np.ndarray:
        return self.matrix(
            [row.stage_id for row in rows],
            np.array([row.probability for row in rows], dtype=float),
            np.array([row.age_days for row in rows], dtype=float),
            np.array([row.amount for row in rows], dtype=float),
            [self.owner_rate(row.owner_id, row.won if leave_out else None) for row in rows],
        )

    def matrix(
        self,
        stage_ids: Sequence[int],
        probability: np.ndarray,
        age_days: np.ndarray,
        amount: np.ndarray,
        owner_rates: Sequence[float],
    ) -> np.ndarray:
        """The raw feature matrix, one row per example (columns as in the module's note)."""
        index = {stage_id: i for i, stage_id in enumerate(self.stage_ids)}
        base = len(self.stage_ids)
        x = np.zeros((len(stage_ids), base + 4))
        columns = np.array([index.get(stage_id, -1) for stage_id in stage_ids], dtype=int)
        known = np.nonzero(columns >= 0)[0]
        x[known, columns[known]] = 1.0
        x[:, base] = probability / 100
        x[:, base + 1] = np.log1p(np.maximum(age_days, 0.0))
        x[:, base + 2] = np.log1p(np.maximum(amount, 0.0))
        x[:, base + 3] = owner_rates
        return x

    def parameters(self) -> dict[str, Any]:
        """The model as JSON: what the database stores."""
        return {
            "stage_ids": self.stage_ids,
            "mean": self.mean.tolist(),
            "scale": self.scale.tolist(),
            "weights": self.weights.tolist(),
            "owner_wins": [[owner, w, n] for owner, (w, n) in self.owner_wins.items()],
            "prior": self.prior,
            "trained_deals": self.trained_deals,
        }

    @classmethod
    def from_parameters(cls, p: dict[str, Any]) -> Model:
        return cls(
            stage_ids=[int(s) for s in p["stage_ids"]],
            mean=np.array(p["mean"], dtype=float),
            scale=np.array(p["scale"], dtype=float),
            weights=np.array(p["weights"], dtype=float),
            owner_wins={owner: (int(w), int(n)) for owner, w, n in p["owner_wins"]},
            prior=float(p["prior"]),
            trained_deals=int(p["trained_deals"]),
        )

    def predict(self, rows: list[Example]) -> np.ndarray:
        if not rows:
            return np.zeros(0)
        return self.chances(self.features(rows))

    def chances(self, raw: np.ndarray) -> np.ndarray:
        """The chance of winning for each row of a raw feature matrix."""
        x = (raw - self.mean) / self.scale
        chances: np.ndarray = _sigmoid(_with_bias(x) @ self.weights)
        return chances


def _sigmoid(z: np.ndarray) -> np.ndarray:
    result: np.ndarray = 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))
    return result


def _with_bias(x: np.ndarray) -> np.ndarray:
    return np.hstack([np.ones((x.shape[0], 1)), x])


def fit(rows: list[Example]) -> Model:
    """Fit the logistic regression on `rows` (one or more per closed deal)."""
    outcome = {row.deal_id: row.won for row in rows}
    owner_wins: dict[int | None, tuple[int, int]] = {}
    owners = {row.deal_id: row.owner_id for row in rows}
    for deal_id, won in outcome.items():
        wins, n = owner_wins.get(owners[deal_id], (0, 0))
        owner_wins[owners[deal_id]] = (wins + int(won), n + 1)
    model = Model(
        stage_ids=sorted({row.stage_id for row in rows}),
        mean=np.zeros(0),
        scale=np.ones(0),
        weights=np.zeros(0),
        owner_wins=owner_wins,
        prior=sum(outcome.values()) / len(outcome) if outcome else 0.5,
        trained_deals=len(outcome),
    )
    raw = model.features(rows, leave_out=True)
    model.mean = raw.mean(axis=0)
    model.scale = np.where(raw.std(axis=0) > 1e-9, raw.std(axis=0), 1.0)
    x = _with_bias((raw - model.mean) / model.scale)
    y = np.array([row.won for row in rows], dtype=float)
    w = np.zeros(x.shape[1])
    penalty = np.full(x.shape[1], L2)
    penalty[0] = 0.0  # the intercept is not shrunk
    for _ in range(50):
        p = _sigmoid(x @ w)
        gradient = x.T @ (p - y) + penalty * w
        hessian = (x * (p * (1 - p))[:, None]).T @ x + np.diag(penalty) + 1e-9 * np.eye(len(w))
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.max(np.abs(step)) < 1e-7:
            break
    model.weights = w
    return model


def auc(scores: np.ndarray, labels: np.ndarray) -> float | None:
    """Area under the ROC curve by the rank-sum formula (ties share their ranks)."""
    positives = int(labels.sum())
    negatives = len(labels) - positives
    if positives == 0 or negatives == 0:
        return None
    order = np.argsort(scores, kind="mergesort")
    ranks = np.empty(len(scores))
    sorted_scores = scores[order]
    i = 0
    while i < len(scores):
        j = i
        while j + 1 < len(scores) and sorted_scores[j + 1] == sorted_scores[i]:
            j += 1
        ranks[order[i : j + 1]] = (i + j) / 2 + 1
        i = j + 1
    rank_sum = ranks[labels == 1].sum()
    return float((rank_sum - positives * (positives + 1) / 2) / (positives * negatives))


def evaluate(model: Model, rows: list[Example]) -> Accuracy:
    p = model.predict(rows)
    y = np.array([row.won for row in rows], dtype=float)
    baseline = np.array([row.probability / 100 for row in rows])
    return Accuracy(
        deals=len({row.deal_id for row in rows}),
        examples=len(rows),
        accuracy=float(np.mean((p >= 0.5) == (y == 1))),
        brier=float(np.mean((p - y) ** 2)),
        baseline_brier=float(np.mean((baseline - y) ** 2)),
        auc=auc(p, y),
    )


def training_examples(
    deals: Sequence[tuple[int, dt.datetime, Decimal, int | None, str]],
) -> list[Example]:
    """One example per open stage each closed deal entered, in close order of `deals`."""
    info = {pk: (created, amount, owner, status) for pk, created, amount, owner, status in deals}
    changes = (
        StageChange.objects.filter(deal_id__in=list(info), to_stage__kind=StageKind.OPEN)
        .values_list("deal_id", "to_stage_id", "to_stage__probability", "changed_at")
        .order_by()
    )
    order = {pk: i for i, (pk, *_rest) in enumerate(deals)}
    rows = []
    for deal_id, stage_id, probability, changed_at in changes:
        created, amount, owner, status = info[deal_id]
        rows.append(
            Example(
                deal_id=deal_id,
                stage_id=stage_id,
                probability=float(probability),
                age_days=_days(changed_at - created),
                amount=float(amount),
                owner_id=owner,
                won=status == DealStatus.WON,
            )
        )
    rows.sort(key=lambda row: order[row.deal_id])
    return rows


@dataclass
class Trained:
    model: Model | None
    held_back: Accuracy | None
    closed_deals: int  # in the pipeline when trained
    training_deals: int  # the newest of them the model learned from
    examples: int
    trained_at: dt.datetime | None = None


def closed_history(pipeline_id: int | None) -> QuerySet[Deal]:
    """Every won and lost deal of the pipeline (all owners: the CRM's whole history)."""
    history = Deal.objects.filter(status__in=[DealStatus.WON, DealStatus.LOST])
    if pipeline_id is not None:
        history = history.filter(pipeline_id=pipeline_id)
    return history


def learn(pipeline_id: int | None) -> Trained:
    """Measure the model on the held-back newest closed deals, then fit it on all of them."""
    history = closed_history(pipeline_id)
    closed = history.count()
    deals = list(
        history.order_by("-closed_at", "-id").values_list(
            "id", "created_at", "amount", "owner_id", "status"
        )[:MAX_TRAINING_DEALS]
    )
    deals.reverse()  # oldest first: the newest are the ones held back
    if len(deals) < MIN_DEALS:
        return Trained(None, None, closed, len(deals), 0)
    rows = training_examples(deals)
    cut = int(len(deals) * (1 - HELD_BACK_SHARE))
    held_ids = {pk for pk, *_ in deals[cut:]}
    train = [row for row in rows if row.deal_id not in held_ids]
    test = [row for row in rows if row.deal_id in held_ids]
    held_back = evaluate(fit(train), test) if train and test else None
    return Trained(fit(rows) if rows else None, held_back, closed, len(deals), len(rows))


def _days(delta: dt.timedelta) -> float:
    return delta.total_seconds() / 86400
