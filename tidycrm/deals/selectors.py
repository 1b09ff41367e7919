"""Reads of deals, always scoped to what the user may see (the contacts' owner/team rule)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, F, QuerySet, Sum

from tidycrm.accounts.models import User
from tidycrm.accounts.selectors import visible
from tidycrm.core.exceptions import NotFound
from tidycrm.core.pagination import Page, paginate
from tidycrm.deals.models import Deal, DealContact, LossReason, Pipeline, Stage, StageChange

BOARD_ORDER = ["-id"]
# A card needs a few fields and two names: one model instance per card, names as annotations.
CARD_FIELDS = (
    "id",
    "name",
    "amount",
    "currency",
    "expected_close_date",
    "stage_id",
    "status",
    "version",
    "owner_id",
    "company_id",
)


def visible_deals(user: User) -> QuerySet[Deal]:
    return visible(Deal.objects.all(), user)


def get_deal(user: User, deal_id: int) -> Deal:
    deal = (
        visible_deals(user)
        .select_related("pipeline", "stage", "owner", "team", "company", "loss_reason")
        .filter(pk=deal_id)
        .first()
    )
    if deal is None:
        raise NotFound(f"Deal {deal_id} does not exist or you cannot see it.")
    return deal


def deal_contacts(deal: Deal) -> list[DealContact]:
    return list(
        DealContact.objects.filter(deal=deal)
        .select_related("contact")
        .only("id", "deal_id", "role", "contact__id", "contact__display_name")
    )


def stage_history(deal: Deal) -> list[StageChange]:
    return list(
        StageChange.objects.filter(deal=deal)
        .select_related("from_stage", "to_stage", "changed_by")
        .order_by("changed_at", "id")
    )


def pipelines(*, active_only: bool = False) -> QuerySet[Pipeline]:
    found = Pipeline.objects.all()
    return found.filter(is_active=True) if active_only else found


def get_pipeline(pipeline_id: int) -> Pipeline:
    pipeline = Pipeline.objects.filter(pk=pipeline_id).first()
    if pipeline is None:
        raise NotFound(f"Pipeline {pipeline_id} does not exist.")
    return pipeline


def get_stage(stage_id: int) -> Stage:
    stage = Stage.objects.select_related("pipeline").filter(pk=stage_id).first()
    if stage is None:
        raise NotFound(f"Stage {stage_id} does not exist.")
    return stage


def get_loss_reason(reason_id: int) -> LossReason:
    reason = LossReason.objects.filter(pk=reason_id).first()
    if reason is None:
        raise NotFound(f"Loss reason {reason_id} does not exist.")
    return reason


def loss_reasons(*, active_only: bool = False) -> QuerySet[LossReason]:
    found = LossReason.objects.all()
    return found.filter(is_active=True) if active_only else found


@dataclass
class Column:
    stage: Stage
    count: int
    total: Decimal
    weighted: Decimal
    page: Page[Deal]


def _cards(user: User) -> QuerySet[Deal]:
    return (
        visible_deals(user)
        .only(*CARD_FIELDS)
        .annotate(
            owner_first=F("owner__first_name"),
            owner_last=F("owner__last_name"),
            owner_login=F("owner__username"),
            company_name=F("company__name"),
        )
    )


def _for_display(deals: list[Deal]) -> list[Deal]:
    """Names and amounts formatted once here: the card template then only prints them."""
    for deal in deals:
        full = f"{deal.owner_first} {deal.owner_last}".strip()  # type: ignore[attr-defined]
        deal.owner_name = full or deal.owner_login or ""  # type: ignore[attr-defined]
        deal.amount_text = f"{deal.amount:,.0f}"  # type: ignore[attr-defined]
    return deals


def stage_cards(user: User, stage: Stage, limit: int, cursor: str | None = None) -> Page[Deal]:
    """One column's cards, newest first, a keyset page at a time (the board's "more")."""
    page = paginate(_cards(user).filter(stage=stage), BOARD_ORDER, limit, cursor)
    _for_display(page.items)
    return page


def deal_card(user: User, deal_id: int) -> Deal:
    card = _cards(user).filter(pk=deal_id).first()
    if card is None:
        raise NotFound(f"Deal {deal_id} does not exist or you cannot see it.")
    return _for_display([card])[0]


def board(user: User, pipeline: Pipeline, cards_per_column: int) -> list[Column]:
    """A pipeline's stages with their deal count, amount totals and first cards.

    Totals come from one grouped query over the (stage) index; cards are capped per column so
    a pipeline with thousands of deals renders as fast as one with ten.
    """
    stages = list(pipeline.stages.all())
    totals: dict[int, tuple[int, Decimal]] = {
        stage_id: (count, Decimal(total or 0))
        for stage_id, count, total in visible_deals(user)
        .filter(pipeline=pipeline)
        .values("stage_id")
        .annotate(count=Count("id"), total=Sum("amount"))
        .values_list("stage_id", "count", "total")
    }
    columns = []
    for stage in stages:
        count, total = totals.get(stage.pk, (0, Decimal(0)))
        columns.append(
            Column(
                stage=stage,
                count=count,
                total=total,
                weighted=total * stage.probability / 100,
                page=stage_cards(user, stage, cards_per_column),
            )
        )
    return columns


def column_totals(user: User, stage: Stage) -> tuple[int, Decimal]:
    found = visible_deals(user).filter(stage=stage).aggregate(n=Count("id"), total=Sum("amount"))
    return int(found["n"] or 0), Decimal(found["total"] or 0)


def deals_of_contact(user: User, contact_id: int, limit: int) -> list[Deal]:
    return list(
        visible_deals(user)
        .filter(deal_contacts__contact_id=contact_id)
        .select_related("stage", "pipeline")
        .order_by("-id")[:limit]
    )


def deals_of_company(user: User, company_id: int, limit: int) -> list[Deal]:
    return list(
        visible_deals(user)
        .filter(company_id=company_id)
        .select_related("stage", "pipeline")
        .order_by("-id")[:limit]
    )
