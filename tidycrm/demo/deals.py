"""Demo deals on the default pipeline, moved through their stages by the deal services."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from tidycrm.accounts.choices import Role
from tidycrm.accounts.models import User
from tidycrm.audit.choices import Channel
from tidycrm.companies.selectors import visible_companies
from tidycrm.contacts.selectors import visible_contacts
from tidycrm.deals.choices import ContactRole, DealSource, StageKind
from tidycrm.deals.models import LossReason, Pipeline
from tidycrm.deals.services import create_deal, move_deal

DEALS = 40
PRODUCTS = ("Licences", "Rollout", "Support plan", "Training", "Integration", "Renewal")


def load(seed: int, users: dict[str, User], progress: Callable[..., Any]) -> dict[str, int]:
    rng = random.Random(seed)
    sellers = [u for u in users.values() if u.role in (Role.SALES, Role.MANAGER)]
    pipeline = Pipeline.objects.filter(is_active=True).first()
    if not sellers or pipeline is None:
        return {"deals": 0}
    stages = list(pipeline.stages.all())
    open_stages = [s for s in stages if s.kind == StageKind.OPEN]
    won = next(s for s in stages if s.kind == StageKind.WON)
    lost = next(s for s in stages if s.kind == StageKind.LOST)
    reasons = list(LossReason.objects.filter(is_active=True))
    # A seller may only link what they can see: their own companies and people.
    companies = {u.pk: list(visible_companies(u).order_by("id")[:20]) for u in sellers}
    today = timezone.now().date()
    made = 0
    for n in range(DEALS):
        seller = rng.choice(sellers)
        mine = companies[seller.pk]
        company = mine[n % len(mine)] if mine else None
        people = (
            list(visible_contacts(seller).filter(affiliations__company=company)[:2])
            if company
            else []
        )
        data: dict[str, Any] = {
            "name": f"{company.name if company else 'Direct'}: {rng.choice(PRODUCTS)}",
            "amount": Decimal(rng.choice([1500, 4800, 12000, 25000, 60000])),
            "expected_close_date": today + timedelta(days=rng.randint(10, 200)),
            "pipeline_id": pipeline.pk,
            "owner_id": seller.pk,
            "company_id": company.pk if company else None,
            "source": rng.choice(DealSource.values),
            "contacts": [
                {"contact_id": p.pk, "role": rng.choice(ContactRole.values)} for p in people
            ],
        }
        deal = create_deal(data, actor=seller, channel=Channel.SYSTEM).record
        for stage in open_stages[1 : rng.randint(1, len(open_stages))]:
            deal = move_deal(deal, stage, actor=seller, channel=Channel.SYSTEM).record
        ending = rng.random()
        if ending < 0.25:
            move_deal(deal, won, actor=seller, channel=Channel.SYSTEM)
        elif ending < 0.45 and reasons:
            move_deal(
                deal, lost, actor=seller, channel=Channel.SYSTEM, loss_reason=rng.choice(reasons)
            )
        made += 1
        progress("deals", made, DEALS)
    return {"deals": made}
