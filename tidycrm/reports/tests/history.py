"""A seeded random sales history written straight to the tables (test data, not a channel)."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from django.utils import timezone

from tidycrm.activities.models import Activity, ActivityContact, ActivityDeal, Outcome
from tidycrm.activities.services.effort import recount_deals
from tidycrm.contacts.models import Contact
from tidycrm.deals.models import Deal, LossReason, Pipeline, StageChange
from tidycrm.deals.services.reach import refresh_reached


def make_history(seed: int, owners: list[Any], deals: int = 160) -> dict[str, Any]:
    rng = random.Random(seed)
    now = timezone.now()
    pipeline = Pipeline.objects.get(name="Sales")
    stages = list(pipeline.stages.all())
    open_stages = [s for s in stages if s.kind == "open"]
    won = next(s for s in stages if s.kind == "won")
    lost = next(s for s in stages if s.kind == "lost")
    reasons = list(LossReason.objects.all())
    connected = Outcome.objects.create(kind="call", name="Reached", is_connected=True)
    voicemail = Outcome.objects.create(kind="call", name="Voicemail", is_connected=False)
    made = []
    for n in range(deals):
        owner = rng.choice(owners)
        created = now - dt.timedelta(days=rng.uniform(1, 420), hours=rng.uniform(0, 23))
        furthest = rng.randrange(len(open_stages))
        outcome = rng.choice(["open", "won", "lost", "lost"])
        if outcome == "won":
            furthest = (
                rng.randrange(len(open_stages)) if rng.random() < 0.3 else len(open_stages) - 1
            )
        closed = created + dt.timedelta(days=rng.uniform(0.5, 120))
        if closed > now:
            outcome = "open"
        path = open_stages[: furthest + 1]
        final = {"open": path[-1], "won": won, "lost": lost}[outcome]
        deal = Deal.objects.create(
            name=f"Deal {n}",
            amount=Decimal(rng.choice([500, 1200, 5000, 20000, 75000]))
            + Decimal(rng.randrange(100)),
            currency="USD" if rng.random() < 0.85 else "EUR",
            expected_close_date=(now + dt.timedelta(days=rng.uniform(-30, 200))).date(),
            pipeline=pipeline,
            stage=final,
            status=outcome,
            owner=owner,
            team_id=owner.team_id,
            created_at=created,
            updated_at=created,
            stage_entered_at=created,
            closed_at=closed if outcome != "open" else None,
            loss_reason=rng.choice([*reasons, None]) if outcome == "lost" else None,
        )
        steps = path + ([final] if outcome != "open" else [])
        span = ((closed if outcome != "open" else now) - created) / (len(steps) + 1)
        previous = None
        for i, stage in enumerate(steps):
            StageChange.objects.create(
                deal=deal,
                from_stage=previous,
                to_stage=stage,
                changed_at=created + span * i,
                changed_by=owner,
            )
            previous = stage
        for k in range(rng.randrange(6)):
            kind = rng.choice(["call", "call", "email", "meeting", "note", "conversation"])
            at = created + dt.timedelta(hours=rng.uniform(0, 500))
            activity = Activity.objects.create(
                kind=kind,
                subject=f"{kind} {k}",
                occurred_at=at,
                owner=owner,
                outcome=rng.choice([connected, voicemail]) if kind == "call" else None,
            )
            ActivityDeal.objects.create(activity=activity, deal=deal, at=at)
        made.append(deal)
    for n in range(60):
        owner = rng.choice(owners)
        created = now - dt.timedelta(days=rng.uniform(0, 400))
        contact = Contact.objects.create(
            display_name=f"Lead {n}",
            sort_key=f"lead {n}",
            owner=owner,
            team_id=owner.team_id,
            created_at=created,
        )
        for _ in range(rng.randrange(3)):
            at = created + dt.timedelta(hours=rng.uniform(-5, 300))
            activity = Activity.objects.create(
                kind="call", subject="Intro", occurred_at=at, owner=owner
            )
            ActivityContact.objects.create(activity=activity, contact=contact, at=at)
    # The derived columns, as the deal and activity services keep them; the tests compute every
    # figure from the stage history and the links themselves.
    refresh_reached(Deal.objects.all())
    recount_deals(d.pk for d in made)
    return {"deals": made, "pipeline": pipeline}
