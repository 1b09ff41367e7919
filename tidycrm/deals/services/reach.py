"""The furthest open stage each deal reached (`Deal.reached_position`), which the funnel counts.

The deal services keep it as deals move; a change to a stage's position or kind recomputes it
for the pipeline's deals from their stage history, set-based (decision 0041).
"""

from __future__ import annotations

from django.db.models import Max, OuterRef, QuerySet, Subquery

from tidycrm.deals.choices import StageKind
from tidycrm.deals.models import Deal, Stage, StageChange
from tidycrm.deals.services import months


def enter(deal: Deal, stage: Stage) -> None:
    """Note on `deal` (not saved) that it entered `stage`."""
    if stage.kind != StageKind.OPEN:
        return
    if deal.reached_position is None or stage.position > deal.reached_position:
        deal.reached_position = stage.position


def furthest_open_position() -> Subquery:
    """Per deal (the outer row): the highest position of the open stages it ever entered."""
    return Subquery(
        StageChange.objects.filter(deal_id=OuterRef("pk"), to_stage__kind=StageKind.OPEN)
        .order_by()
        .values("deal_id")
        .annotate(m=Max("to_stage__position"))
        .values("m")
    )


def refresh_reached(deals: QuerySet[Deal]) -> int:
    """Recompute `reached_position` of `deals` from their stage history; returns rows updated.
    A derived column, not an audited field: written by one UPDATE."""
    months.touch_deals(deals)
    return deals.update(reached_position=furthest_open_position())
