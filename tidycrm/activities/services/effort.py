"""Per-deal activity counters (`Deal.activity_count`, `Deal.conversation_count`), which the
"effort to win" figures sum (decision 0041).

Derived data, like a contact's `last_activity_at`: every service that links, unlinks, changes
or deletes an activity recounts the deals it touched from the link table, so a counter is
always the count of its rows, never a running total that could drift.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

from tidycrm.activities.choices import Kind
from tidycrm.activities.models import ActivityDeal
from tidycrm.deals.models import Deal
from tidycrm.deals.services import months

CHUNK = 5000


def conversation_q(prefix: str = "") -> Q:
    """Activities that reached the person: conversations, meetings, calls that connected."""
    return Q(**{f"{prefix}kind__in": [Kind.CONVERSATION, Kind.MEETING]}) | Q(
        **{f"{prefix}kind": Kind.CALL, f"{prefix}outcome__is_connected": True}
    )


def _count(links: Q | None = None) -> Coalesce:
    rows = ActivityDeal.objects.filter(deal_id=OuterRef("pk"))
    if links is not None:
        rows = rows.filter(links)
    counted = rows.order_by().values("deal_id").annotate(n=Count("id")).values("n")
    return Coalesce(Subquery(counted), Value(0), output_field=IntegerField())


def recount_deals(deal_ids: Iterable[int]) -> int:
    """Recount the activities and conversations of these deals; returns deals updated."""
    ids = sorted(set(deal_ids))
    months.touch_deal_ids(ids)  # the monthly rollups sum the counters of closed deals
    done = 0
    for start in range(0, len(ids), CHUNK):
        done += Deal.objects.filter(pk__in=ids[start : start + CHUNK]).update(
            activity_count=_count(), conversation_count=_count(conversation_q("activity__"))
        )
    return done


def recount_outcome(outcome_id: int) -> int:
    """After an outcome's `is_connected` changed: recount the deals its calls are linked to."""
    deals = ActivityDeal.objects.filter(activity__outcome_id=outcome_id).values_list(
        "deal_id", flat=True
    )
    return recount_deals(deals.distinct())
