"""The one FilterSet for deals: used by the UI list, the API list and segments."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet

from tidycrm.deals.choices import DealSource, DealStatus
from tidycrm.deals.models import Deal

# Sort orders of the deal list, each over an index ending in the unique id.
SORTS = {
    "-created": ["-created_at", "-id"],
    "created": ["created_at", "id"],
    "-updated": ["-updated_at", "-id"],
    "updated": ["updated_at", "id"],
}


class DealFilter(django_filters.FilterSet):  # type: ignore[misc]
    q = django_filters.CharFilter(method="filter_q", label="Search")
    pipeline = django_filters.NumberFilter(field_name="pipeline_id")
    stage = django_filters.NumberFilter(field_name="stage_id")
    status = django_filters.ChoiceFilter(choices=DealStatus.choices)
    source = django_filters.ChoiceFilter(choices=DealSource.choices)
    owner = django_filters.NumberFilter(field_name="owner_id")
    team = django_filters.NumberFilter(field_name="team_id")
    company = django_filters.NumberFilter(field_name="company_id")
    contact = django_filters.NumberFilter(method="filter_contact")
    amount_min = django_filters.NumberFilter(field_name="amount", lookup_expr="gte")
    amount_max = django_filters.NumberFilter(field_name="amount", lookup_expr="lte")
    close_after = django_filters.DateFilter(field_name="expected_close_date", lookup_expr="gte")
    close_before = django_filters.DateFilter(field_name="expected_close_date", lookup_expr="lt")
    created_after = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = Deal
        fields: list[str] = []

    def filter_q(self, queryset: QuerySet[Deal], name: str, value: str) -> QuerySet[Deal]:
        return queryset.filter(name__icontains=value.strip()[:200])

    def filter_contact(self, queryset: QuerySet[Deal], name: str, value: int) -> QuerySet[Deal]:
        return queryset.filter(deal_contacts__contact_id=value)
