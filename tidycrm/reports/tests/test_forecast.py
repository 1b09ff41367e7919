"""The forecast: quarter arithmetic, AUC and the logistic model checked against direct
computations, and the forecast figures against plain sums over the open deals."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from itertools import product

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tidycrm.deals.models import Deal
from tidycrm.reports import training
from tidycrm.reports.filters import ReportFilter
from tidycrm.reports.forecast import forecast, next_quarter
from tidycrm.reports.learning import Example, auc, evaluate, fit
from tidycrm.reports.models import ForecastModel
from tidycrm.reports.stats import median, percentile
from tidycrm.reports.tests.history import make_history


@given(st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2200, 1, 1)))
def test_next_quarter_is_the_quarter_after_today(today):
    start, end = next_quarter(today)
    assert start.day == 1 and start.month in (1, 4, 7, 10)
    assert (end.year * 12 + end.month) - (start.year * 12 + start.month) == 3
    this_quarter_start = dt.date(today.year, (today.month - 1) // 3 * 3 + 1, 1)
    assert 80 <= (start - this_quarter_start).days <= 92


@given(st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=60), st.floats(0.01, 1.0))
def test_percentile_is_nearest_rank(values, share):
    found = percentile(values, share)
    at_or_below = sum(1 for v in values if v <= found)
    assert at_or_below >= share * len(values) - 1e-9
    assert sum(1 for v in values if v < found) < share * len(values)


@given(st.lists(st.integers(-1000, 1000), min_size=1, max_size=41))
def test_median_splits_the_values(values):
    m = median(values)
    assert sum(1 for v in values if v < m) <= len(values) / 2
    assert sum(1 for v in values if v > m) <= len(values) / 2


@given(st.lists(st.tuples(st.integers(0, 5), st.booleans()), min_size=2, max_size=40))
def test_auc_equals_the_share_of_correctly_ordered_pairs(pairs):
    scores = np.array([s for s, _ in pairs], dtype=float)
    labels = np.array([int(y) for _, y in pairs])
    pos = [s for s, y in pairs if y]
    neg = [s for s, y in pairs if not y]
    if not pos or not neg:
        assert auc(scores, labels) is None
        return
    wins = sum(1.0 if p > n else 0.5 if p == n else 0.0 for p, n in product(pos, neg))
    assert auc(scores, labels) == pytest.approx(wins / (len(pos) * len(neg)))


def test_fit_learns_a_signal_and_beats_chance():
    rng = np.random.default_rng(3)
    rows = []
    for i in range(600):
        stage = int(rng.integers(1, 4))
        amount = float(rng.choice([1_000, 50_000]))
        chance = 0.15 + 0.2 * stage + (0.2 if amount < 10_000 else -0.1)
        rows.append(
            Example(i, stage, 20.0 * stage, 10.0, amount, i % 3, bool(rng.random() < chance))
        )
    model = fit(rows[:450])
    p = model.predict(rows[450:])
    y = np.array([r.won for r in rows[450:]], dtype=float)
    assert auc(p, y) > 0.65
    # Newton's method found the optimum: the penalised gradient vanishes.
    raw = model.features(rows[:450], leave_out=True)
    x = np.hstack([np.ones((450, 1)), (raw - model.mean) / model.scale])
    target = np.array([r.won for r in rows[:450]], dtype=float)
    gradient = x.T @ (1 / (1 + np.exp(-x @ model.weights)) - target)
    gradient[1:] += model.weights[1:]
    assert np.max(np.abs(gradient)) < 1e-5


@pytest.mark.django_db
def test_forecast_figures_match_plain_sums(make_user, team, admin):
    reps = [make_user("sales", team=team), make_user("sales", team=team)]
    make_history(11, reps, deals=220)
    today = dt.date.today()
    end = today + dt.timedelta(days=1)
    f = ReportFilter(start=end - dt.timedelta(days=365), end=end, currency="USD")
    fc = forecast(admin, f, today=today)
    start, stop = next_quarter(today)
    rows = list(
        Deal.objects.filter(
            status="open",
            currency="USD",
            expected_close_date__gte=start,
            expected_close_date__lt=stop,
        ).select_related("stage")
    )
    assert fc.deals == len(rows)
    assert fc.total == sum((d.amount for d in rows), Decimal(0))
    weighted = sum((d.amount * d.stage.probability / 100 for d in rows), Decimal(0))
    assert fc.weighted == weighted.quantize(Decimal("0.01"))
    # The first forecast trained and stored the model; later ones read it back.
    stored = ForecastModel.objects.get(pipeline__isnull=True)
    trained = training.as_trained(stored)
    assert trained.model is not None and trained.held_back is not None
    closed = Deal.objects.filter(status__in=["won", "lost"]).count()
    assert trained.closed_deals == closed == stored.training_deals
    assert trained.held_back.deals == closed - int(closed * 0.8)
    assert 0 <= trained.held_back.brier <= 1 and 0 <= trained.held_back.accuracy <= 1
    now = dt.datetime.now(dt.UTC)
    examples = [
        Example(
            d.pk,
            d.stage_id,
            float(d.stage.probability),
            (now - d.created_at).total_seconds() / 86400,
            float(d.amount),
            d.owner_id,
            False,
        )
        for d in rows
    ]
    chances = trained.model.predict(examples)
    expected = sum(float(d.amount) * float(p) for d, p in zip(rows, chances, strict=True))
    assert float(fc.model_expected) == pytest.approx(expected, rel=1e-4, abs=0.05)


def _examples(deals: list[Deal]) -> list[Example]:
    """One example per open stage each deal entered, computed here from the stage history."""
    rows = []
    for d in deals:
        for change in d.stage_changes.select_related("to_stage"):
            if change.to_stage.kind == "open":
                rows.append(
                    Example(
                        d.pk,
                        change.to_stage_id,
                        float(change.to_stage.probability),
                        (change.changed_at - d.created_at).total_seconds() / 86400,
                        float(d.amount),
                        d.owner_id,
                        d.status == "won",
                    )
                )
    return rows


@pytest.mark.django_db
def test_stored_model_equals_a_model_trained_here(make_user, team):
    """The stored coefficients and held-back accuracy are those of a fit on the same history,
    split here by close date: newest 20% held back."""
    reps = [make_user("sales", team=team), make_user("sales", team=team)]
    made = make_history(5, reps, deals=200)
    pipeline_id = made["pipeline"].pk
    stored = training.train(pipeline_id)
    deals = sorted(
        Deal.objects.filter(status__in=["won", "lost"], pipeline_id=pipeline_id),
        key=lambda d: (d.closed_at, d.pk),
    )
    cut = int(len(deals) * 0.8)
    expected_held = evaluate(fit(_examples(deals[:cut])), _examples(deals[cut:]))
    trained = training.as_trained(stored)
    assert trained.held_back is not None and trained.model is not None
    assert trained.held_back.deals == len(deals) - cut
    assert trained.held_back.examples == expected_held.examples
    assert trained.held_back.accuracy == pytest.approx(expected_held.accuracy)
    assert trained.held_back.brier == pytest.approx(expected_held.brier)
    assert trained.held_back.auc == pytest.approx(expected_held.auc)
    whole = fit(_examples(deals))
    assert np.allclose(trained.model.weights, whole.weights, atol=1e-6)
    assert stored.training_examples == len(_examples(deals))


@pytest.mark.django_db
def test_retraining_is_due_when_none_grown_or_old(make_user, team):
    reps = [make_user("sales", team=team)]
    make_history(9, reps, deals=120)
    now = dt.datetime.now(dt.UTC)
    first = training.retrain_due(now)
    assert first["trained"] == first["models"] >= 2  # every pipeline and all of them
    assert training.retrain_due(now + dt.timedelta(hours=1))["trained"] == 0
    stored = ForecastModel.objects.get(pipeline__isnull=True)
    assert not training.is_due(stored, stored.closed_deals, now + dt.timedelta(days=2))
    assert training.is_due(stored, stored.closed_deals + 1, now + dt.timedelta(days=2))
    assert not training.is_due(stored, stored.closed_deals + 1, now + dt.timedelta(hours=2))
    grown = stored.closed_deals + math.ceil(stored.closed_deals / 10)
    assert training.is_due(stored, grown, now + dt.timedelta(hours=2))
    assert training.is_due(None, 0, now)


@pytest.mark.django_db
def test_the_worker_schedule_runs_the_retraining(make_user, team):
    from tidycrm.core import schedule

    assert "retrain-forecast" in {job.name for job in schedule.registered()}
    make_history(4, [make_user("sales", team=team)], deals=60)
    done = schedule.run_due(dt.datetime.now(dt.UTC))
    assert done["retrain-forecast"]["trained"] >= 1
    assert ForecastModel.objects.filter(pipeline__isnull=True).exists()
