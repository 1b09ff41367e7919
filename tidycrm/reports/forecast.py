"""Next quarter's forecast: the weighted pipeline, and a model trained on this CRM's own won
and lost deals, with its accuracy on the most recent closed deals held back from training.

The model is a logistic regression (numpy, L2-regularised, fitted by Newton's method) over one
example per stage a closed deal entered: which stage, the stage's probability, the deal's age on
entering it, its amount, and the owner's win rate on other deals (leave-one-out, smoothed). It
answers "what share of deals like this one, at this stage, did we win?" (decision 0023).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
from django.core.cache import cache
from django.db.models import Count, Max
from django.utils import timezone

from tidycrm.accounts.models import User
from tidycrm.deals.choices import DealStatus, StageKind
from tidycrm.deals.models import StageChange
from tidycrm.deals.selectors import visible_deals
from tidycrm.reports.filters import ReportFilter
from tidycrm.reports.metrics import scoped_deals

MAX_TRAINING_DEALS = 20_000
HELD_BACK_SHARE = 0.2
MIN_DEALS = 30  # fewer closed deals than this: no model, the weighted pipeline only
PRIOR_WEIGHT = 10.0  # the owner rate starts from the overall rate as if from 10 deals
L2 = 1.0
CACHE_SECONDS = 600


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
        index = {stage_id: i for i, stage_id in enumerate(self.stage_ids)}
        x = np.zeros((len(rows), len(self.stage_ids) + 4))
        for r, row in enumerate(rows):
            if row.stage_id in index:
                x[r, index[row.stage_id]] = 1.0
            base = len(self.stage_ids)
            x[r, base] = row.probability / 100
            x[r, base + 1] = math.log1p(max(row.age_days, 0.0))
            x[r, base + 2] = math.log1p(max(row.amount, 0.0))
            x[r, base + 3] = self.owner_rate(row.owner_id, row.won if leave_out else None)
        return x

    def predict(self, rows: list[Example]) -> np.ndarray:
        if not rows:
            return np.zeros(0)
        x = (self.features(rows) - self.mean) / self.scale
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
    deals: list[tuple[int, dt.datetime, Decimal, int | None, str]],
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
    closed_deals: int


def trained_model(user: User, f: ReportFilter) -> Trained:
    """The model for the filter's pipeline (all owners: more history), from the cache while
    no deal closed since it was trained."""
    history = visible_deals(user).filter(status__in=[DealStatus.WON, DealStatus.LOST])
    if f.pipeline_id is not None:
        history = history.filter(pipeline_id=f.pipeline_id)
    marker = history.aggregate(n=Count("id"), last=Max("closed_at"))
    scope = user.visibility if user.visibility == "all" else f"{user.visibility}:{user.pk}"
    state = f"{f.pipeline_id}|{scope}|{marker['n']}|{marker['last']}"
    key = "reports:forecast:" + hashlib.sha256(state.encode()).hexdigest()
    found: Trained | None = cache.get(key)
    if found is None:
        found = _train(history)
        cache.set(key, found, CACHE_SECONDS)
    return found


def _train(history: object) -> Trained:
    deals = list(
        history.order_by("-closed_at", "-id").values_list(  # type: ignore[attr-defined]
            "id", "created_at", "amount", "owner_id", "status"
        )[:MAX_TRAINING_DEALS]
    )
    deals.reverse()  # oldest first: the newest are the ones held back
    if len(deals) < MIN_DEALS:
        return Trained(None, None, len(deals))
    rows = training_examples(deals)
    cut = int(len(deals) * (1 - HELD_BACK_SHARE))
    held_ids = {pk for pk, *_ in deals[cut:]}
    train = [row for row in rows if row.deal_id not in held_ids]
    test = [row for row in rows if row.deal_id in held_ids]
    held_back = evaluate(fit(train), test) if train and test else None
    return Trained(fit(rows) if rows else None, held_back, len(deals))


def _days(delta: dt.timedelta) -> float:
    return delta.total_seconds() / 86400


def next_quarter(today: dt.date) -> tuple[dt.date, dt.date]:
    first_month = ((today.month - 1) // 3 + 1) * 3 + 1
    year = today.year + (first_month > 12)
    first_month = (first_month - 1) % 12 + 1
    start = dt.date(year, first_month, 1)
    end_month = first_month + 3
    end = dt.date(year + (end_month > 12), (end_month - 1) % 12 + 1, 1)
    return start, end


@dataclass
class Forecast:
    quarter: str
    start: dt.date
    end: dt.date  # first day after the quarter
    deals: int
    total: Decimal
    weighted: Decimal
    model_expected: Decimal | None
    by_month: list[tuple[str, Decimal, Decimal | None]]  # (month, weighted, model)
    trained: Trained


def forecast(user: User, f: ReportFilter, today: dt.date | None = None) -> Forecast:
    """Open deals expected to close next quarter, in the filter's currency."""
    start, end = next_quarter(today or timezone.now().date())
    rows = list(
        scoped_deals(user, f)
        .filter(
            status=DealStatus.OPEN,
            currency=f.currency,
            expected_close_date__gte=start,
            expected_close_date__lt=end,
        )
        .values_list(
            "id",
            "stage_id",
            "stage__probability",
            "created_at",
            "amount",
            "owner_id",
            "expected_close_date",
        )
    )
    trained = trained_model(user, f)
    now = timezone.now()
    examples = [
        Example(
            pk,
            stage,
            float(prob),
            (now - created).total_seconds() / 86400,
            float(amount),
            owner,
            False,
        )
        for pk, stage, prob, created, amount, owner, _ in rows
    ]
    chances = trained.model.predict(examples) if trained.model else None
    months: dict[str, list[Decimal]] = {}
    for m in range(3):
        day = dt.date(start.year + (start.month + m - 1) // 12, (start.month + m - 1) % 12 + 1, 1)
        months[day.strftime("%Y-%m")] = [Decimal(0), Decimal(0)]
    for i, (_, _, prob, _, amount, _, close) in enumerate(rows):
        bucket = months[f"{close:%Y-%m}"]
        bucket[0] += amount * prob / 100
        if chances is not None:
            bucket[1] += amount * Decimal(str(round(float(chances[i]), 6)))
    cents = Decimal("0.01")
    return Forecast(
        quarter=f"{start.year} Q{(start.month - 1) // 3 + 1}",
        start=start,
        end=end,
        deals=len(rows),
        total=sum((r[4] for r in rows), Decimal(0)),
        weighted=sum((v[0] for v in months.values()), Decimal(0)).quantize(cents),
        model_expected=(
            sum((v[1] for v in months.values()), Decimal(0)).quantize(cents)
            if chances is not None
            else None
        ),
        by_month=[
            (m, v[0].quantize(cents), v[1].quantize(cents) if chances is not None else None)
            for m, v in months.items()
        ],
        trained=trained,
    )
