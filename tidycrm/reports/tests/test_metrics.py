"""Every figure against a direct computation in plain Python over the same rows."""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter, defaultdict
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from tidycrm.activities.models import Activity, ActivityContact, ActivityDeal
from tidycrm.contacts.models import Contact
from tidycrm.deals.models import Deal, LossReason, Stage, StageChange
from tidycrm.reports import metrics
from tidycrm.reports.filters import ReportFilter
from tidycrm.reports.services import rollups
from tidycrm.reports.tests.history import make_history

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["deals", "rollups"])
def world(request, make_user, team, admin):
    """The figures read from the deals alone, and with the whole months from the rollups."""
    reps = [make_user("sales", team=team), make_user("sales", team=team), make_user("sales")]
    make_history(7, reps)
    if request.param == "rollups":
        assert rollups.build_due(timezone.now())["months"] > 10
    return {"reps": reps, "admin": admin, "manager": make_user("manager", team=team)}


def period(days: int = 365, **extra: Any) -> ReportFilter:
    end = dt.date.today() + dt.timedelta(days=1)
    return ReportFilter(start=end - dt.timedelta(days=days), end=end, **extra)


def rows_for(user: Any, f: ReportFilter) -> list[dict[str, Any]]:
    """The deals `user` may see, as plain dicts, filtered by hand."""
    rows = []
    for d in Deal.objects.values():
        scope = user.visibility
        if scope == "own" and d["owner_id"] != user.pk:
            continue
        if scope == "team" and d["team_id"] != user.team_id and d["owner_id"] != user.pk:
            continue
        if f.owner_id and d["owner_id"] != f.owner_id:
            continue
        if f.team_id and d["team_id"] != f.team_id:
            continue
        if f.pipeline_id and d["pipeline_id"] != f.pipeline_id:
            continue
        rows.append(d)
    return rows


def closed(rows: list[dict[str, Any]], f: ReportFilter) -> list[dict[str, Any]]:
    return [
        d for d in rows if d["status"] in ("won", "lost") and f.since <= d["closed_at"] < f.until
    ]


def nearest_rank(values: list[float], share: float) -> float | None:
    if not values:
        return None
    return sorted(values)[math.ceil(share * len(values)) - 1]


FILTERS = ["all", "own", "team", "owner", "pipeline", "short"]


def pick(world: dict[str, Any], which: str) -> tuple[Any, ReportFilter]:
    reps, admin = world["reps"], world["admin"]
    return {
        "all": (admin, period()),
        "own": (reps[0], period()),
        "team": (world["manager"], period()),
        "owner": (admin, period(owner_id=reps[1].pk)),
        "pipeline": (
            admin,
            period(pipeline_id=Deal.objects.first().pipeline_id, team_id=reps[0].team_id),
        ),
        "short": (admin, period(days=90, currency="EUR")),
    }[which]


@pytest.mark.parametrize("which", FILTERS)
def test_outcomes(world, which):
    user, f = pick(world, which)
    found = metrics.outcomes(user, f)
    mine = closed(rows_for(user, f), f)
    won = [d for d in mine if d["status"] == "won"]
    lost = [d for d in mine if d["status"] == "lost"]
    money = [d["amount"] for d in won if d["currency"] == f.currency]
    cycle = [round((d["closed_at"] - d["created_at"]).total_seconds()) // 86400 for d in won]
    assert (found.won, found.lost) == (len(won), len(lost))
    assert found.won_amount == sum(money, Decimal(0))
    assert found.win_rate == (len(won) / (len(won) + len(lost)) if mine else None)
    if money:
        assert found.average_deal == (sum(money) / len(money)).quantize(Decimal("0.01"))
    else:
        assert found.average_deal is None
    ordered = sorted(cycle)
    if ordered:
        half = len(ordered) // 2
        middle = ordered[half] if len(ordered) % 2 else (ordered[half - 1] + ordered[half]) / 2
        assert found.cycle_median_days == pytest.approx(middle)
    assert found.cycle_p90_days == pytest.approx(nearest_rank(cycle, 0.9))
    by_month: dict[str, Decimal] = defaultdict(Decimal)
    for d in won:
        if d["currency"] == f.currency:
            by_month[d["closed_at"].strftime("%Y-%m")] += d["amount"]
    assert {m: t for m, _, t in found.won_by_month if t} == dict(by_month)


@pytest.mark.parametrize("which", FILTERS)
def test_loss_reasons(world, which):
    user, f = pick(world, which)
    names = {r.pk: r.name for r in LossReason.objects.all()}
    mine = [d for d in closed(rows_for(user, f), f) if d["status"] == "lost"]
    expected = Counter(names.get(d["loss_reason_id"], "(no reason)") for d in mine)
    assert dict(metrics.loss_reasons(user, f)) == dict(expected)


@pytest.mark.parametrize("which", FILTERS)
def test_pipeline_value(world, which):
    user, f = pick(world, which)
    stages = {s.pk: s for s in Stage.objects.all()}
    totals: dict[str, list[Any]] = defaultdict(lambda: [0, Decimal(0)])
    for d in rows_for(user, f):
        if d["status"] == "open":
            name = stages[d["stage_id"]].name
            totals[name][0] += 1
            if d["currency"] == f.currency:
                totals[name][1] += d["amount"]
    found = {v.stage: v for v in metrics.pipeline_value(user, f)}
    assert {k: (v.count, v.total) for k, v in found.items()} == {
        k: tuple(v) for k, v in totals.items()
    }
    for name, value in found.items():
        prob = next(s.probability for s in stages.values() if s.name == name)
        assert value.weighted == (totals[name][1] * prob / 100).quantize(Decimal("0.01"))


@pytest.mark.parametrize("which", FILTERS)
def test_funnel(world, which):
    user, f = pick(world, which)
    mine = [d for d in rows_for(user, f) if f.since <= d["created_at"] < f.until]
    positions = {s.pk: (s.position, s.kind) for s in Stage.objects.all()}
    furthest: dict[int, int] = {}
    for change in StageChange.objects.filter(deal_id__in=[d["id"] for d in mine]).values():
        position, kind = positions[change["to_stage_id"]]
        if kind == "open":
            furthest[change["deal_id"]] = max(furthest.get(change["deal_id"], -1), position)
    steps = metrics.funnel(user, f)
    stages = [s for s in Stage.objects.filter(pipeline__name="Sales") if s.kind != "lost"]
    assert [s.stage for s in steps] == [s.name for s in stages]
    previous = None
    for step, stage in zip(steps, stages, strict=True):
        if stage.kind == "won":
            reached = sum(1 for d in mine if d["status"] == "won")
        else:
            reached = sum(
                1
                for d in mine
                if d["status"] == "won" or furthest.get(d["id"], -1) >= stage.position
            )
        assert step.reached == reached
        assert step.conversion == (
            None if previous is None else (reached / previous if previous else None)
        )
        previous = reached


@pytest.mark.parametrize("which", FILTERS)
def test_per_rep(world, which):
    user, f = pick(world, which)
    rows = rows_for(user, f)
    expected: dict[Any, dict[str, Any]] = defaultdict(
        lambda: {
            "won": 0,
            "lost": 0,
            "won_amount": Decimal(0),
            "open_count": 0,
            "open_amount": Decimal(0),
        }
    )
    for d in closed(rows, f):
        expected[d["owner_id"]][d["status"]] += 1
        if d["status"] == "won" and d["currency"] == f.currency:
            expected[d["owner_id"]]["won_amount"] += d["amount"]
    for d in rows:
        if d["status"] == "open":
            expected[d["owner_id"]]["open_count"] += 1
            if d["currency"] == f.currency:
                expected[d["owner_id"]]["open_amount"] += d["amount"]
    from tidycrm.accounts.models import User

    found = {r.owner: r for r in metrics.per_rep(user, f)}
    assert set(found) == {str(User.objects.get(pk=k)) for k in expected}
    for owner_id, values in expected.items():
        row = found[str(User.objects.get(pk=owner_id))]
        assert (row.won, row.lost, row.won_amount, row.open_count, row.open_amount) == (
            values["won"],
            values["lost"],
            values["won_amount"],
            values["open_count"],
            values["open_amount"],
        )


@pytest.mark.parametrize("which", FILTERS)
def test_effort_to_win(world, which):
    user, f = pick(world, which)
    won = {d["id"] for d in closed(rows_for(user, f), f) if d["status"] == "won"}
    activities = {a.pk: a for a in Activity.objects.select_related("outcome")}
    links = [
        link
        for link in ActivityDeal.objects.values("deal_id", "activity_id")
        if link["deal_id"] in won
    ]

    def is_conversation(a: Activity) -> bool:
        return a.kind in ("conversation", "meeting") or (
            a.kind == "call" and a.outcome is not None and a.outcome.is_connected
        )

    found = metrics.effort_to_win(user, f)
    assert found.won_deals == len(won)
    assert found.activities == len(links)
    assert found.conversations == sum(
        is_conversation(activities[link["activity_id"]]) for link in links
    )


@pytest.mark.parametrize("which", FILTERS)
def test_speed_to_lead(world, which):
    user, f = pick(world, which)
    leads = []
    for c in Contact.objects.values():
        scope = user.visibility
        if scope == "own" and c["owner_id"] != user.pk:
            continue
        if scope == "team" and c["team_id"] != user.team_id and c["owner_id"] != user.pk:
            continue
        if (f.owner_id and c["owner_id"] != f.owner_id) or (
            f.team_id and c["team_id"] != f.team_id
        ):
            continue
        if f.since <= c["created_at"] < f.until:
            leads.append(c)
    firsts = {}
    for link in ActivityContact.objects.values():
        lead = next((c for c in leads if c["id"] == link["contact_id"]), None)
        if lead and link["at"] >= lead["created_at"]:
            firsts[lead["id"]] = min(firsts.get(lead["id"], link["at"]), link["at"])
    hours = [
        (firsts[c["id"]] - c["created_at"]).total_seconds() / 3600
        for c in leads
        if c["id"] in firsts
    ]
    found = metrics.speed_to_lead(user, f)
    assert (found.leads, found.reached) == (len(leads), len(hours))
    assert found.within_sla == sum(1 for h in hours if h <= 1)
    assert found.p90_hours == pytest.approx(nearest_rank(hours, 0.9))
    assert sum(n for _, n in found.buckets) == len(leads)
    assert dict(found.buckets)["under 1 hour"] == sum(1 for h in hours if h < 1)
    assert dict(found.buckets)["no activity yet"] == len(leads) - len(hours)


def test_large_periods_are_estimated_from_every_kth_record(world, monkeypatch):
    """Above SAMPLE records, speed-to-lead reads the contacts whose id is a multiple of k: the
    figures equal a direct computation over exactly those records."""
    user, f = world["admin"], period(days=420)
    monkeypatch.setattr(metrics, "SAMPLE", 7)
    leads = [c for c in Contact.objects.values() if f.since <= c["created_at"] < f.until]
    step = math.ceil(len(leads) / 7)
    sample = [c for c in leads if c["id"] % step == 0]
    speed = metrics.speed_to_lead(user, f)
    assert (speed.leads, speed.sampled) == (len(leads), len(sample))
    assert sum(n for _, n in speed.buckets) == len(sample)
