"""The deals' timeline source: stage changes, on the deal's page and on the pages of its
company and of the people on it."""

from __future__ import annotations

from django.db.models import QuerySet
from django.urls import reverse

from tidycrm.accounts.models import User
from tidycrm.deals.models import StageChange
from tidycrm.deals.selectors import visible_deals
from tidycrm.records import timeline

KIND = "stage_change"


class StageChangeSource:
    name = "deals.stages"
    record_types = frozenset({"deal", "contact", "company"})
    kinds = ((KIND, "Stage changes"),)

    def entries(
        self,
        record_type: str,
        record_id: int,
        user: User,
        query: timeline.Query,
        before: timeline.Cursor | None,
        limit: int,
    ) -> list[timeline.Entry]:
        if not query.wants([KIND]):
            return []
        changes = self._changes(record_type, record_id, user).filter(query.period_q("changed_at"))
        if before is not None:
            changes = changes.filter(before.before_q(self.name, "changed_at", "id"))
        rows = (
            changes.select_related("deal", "from_stage", "to_stage", "changed_by")
            .only(
                "id",
                "changed_at",
                "deal__id",
                "deal__name",
                "from_stage__name",
                "to_stage__name",
                "to_stage__kind",
                "changed_by__username",
                "changed_by__first_name",
                "changed_by__last_name",
            )
            .order_by("-changed_at", "-id")[:limit]
        )
        return [self._entry(change, record_type) for change in rows]

    def _changes(self, record_type: str, record_id: int, user: User) -> QuerySet[StageChange]:
        if record_type == "deal":
            # The caller checked the deal itself; its history goes with it.
            return StageChange.objects.filter(deal_id=record_id)
        deals = visible_deals(user)
        if record_type == "company":
            deals = deals.filter(company_id=record_id)
        else:
            deals = deals.filter(deal_contacts__contact_id=record_id)
        return StageChange.objects.filter(deal_id__in=deals.values("id"))

    def _entry(self, change: StageChange, record_type: str) -> timeline.Entry:
        target = change.to_stage.name
        if change.from_stage_id is None:
            title = f"Deal created in {target}"
        else:
            title = f"Moved from {change.from_stage.name} to {target}"  # type: ignore[union-attr]
        if record_type != "deal":
            title = f"{change.deal.name}: {title[0].lower()}{title[1:]}"
        return timeline.Entry(
            when=change.changed_at,
            source=self.name,
            sort_id=change.pk,
            kind=KIND,
            title=title,
            url=reverse("deals:detail", args=[change.deal_id]),
            actor=str(change.changed_by) if change.changed_by_id else "",
            extra={"deal_id": change.deal_id, "stage_kind": change.to_stage.kind},
        )


def register_sources() -> None:
    timeline.register(StageChangeSource())
