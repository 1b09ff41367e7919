"""The one FilterSet for companies."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet

from tidycrm.companies.choices import CompanySize
from tidycrm.companies.models import Company
from tidycrm.companies.selectors import search_companies
from tidycrm.customfields.choices import RecordType
from tidycrm.records.filtering import custom_field_filter


class CompanyFilter(django_filters.FilterSet):  # type: ignore[misc]
    q = django_filters.CharFilter(method="filter_q", label="Search")
    industry = django_filters.CharFilter(lookup_expr="iexact")
    size = django_filters.ChoiceFilter(choices=CompanySize.choices)
    owner = django_filters.NumberFilter(field_name="owner_id")
    team = django_filters.NumberFilter(field_name="team_id")
    parent = django_filters.NumberFilter(field_name="parent_id")
    cf = django_filters.CharFilter(method="filter_custom", label="Custom field (key:value)")

    class Meta:
        model = Company
        fields: list[str] = []

    def filter_q(self, queryset: QuerySet[Company], name: str, value: str) -> QuerySet[Company]:
        return search_companies(queryset, value)

    def filter_custom(
        self, queryset: QuerySet[Company], name: str, value: str
    ) -> QuerySet[Company]:
        return custom_field_filter(queryset, RecordType.COMPANY, [value])
