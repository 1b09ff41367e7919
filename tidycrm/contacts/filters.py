"""The one FilterSet for contacts: used by the UI list, the API list and (later) segments."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet

from tidycrm.contacts.choices import LeadSource, LeadStatus, LifecycleStage
from tidycrm.contacts.models import Contact
from tidycrm.contacts.selectors import search_contacts
from tidycrm.customfields.choices import RecordType
from tidycrm.records.filtering import custom_field_filter
from tidycrm.tags.models import TaggedItem


class ContactFilter(django_filters.FilterSet):  # type: ignore[misc]
    q = django_filters.CharFilter(method="filter_q", label="Search")
    lifecycle_stage = django_filters.ChoiceFilter(choices=LifecycleStage.choices)
    lead_status = django_filters.ChoiceFilter(choices=LeadStatus.choices)
    lead_source = django_filters.ChoiceFilter(choices=LeadSource.choices)
    owner = django_filters.NumberFilter(field_name="owner_id")
    team = django_filters.NumberFilter(field_name="team_id")
    country = django_filters.CharFilter(method="filter_country")
    company = django_filters.NumberFilter(field_name="affiliations__company_id", distinct=True)
    tag = django_filters.CharFilter(method="filter_tag")
    created_after = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")
    updated_after = django_filters.IsoDateTimeFilter(field_name="updated_at", lookup_expr="gte")
    cf = django_filters.CharFilter(method="filter_custom", label="Custom field (key:value)")

    class Meta:
        model = Contact
        fields: list[str] = []

    def filter_q(self, queryset: QuerySet[Contact], name: str, value: str) -> QuerySet[Contact]:
        return search_contacts(queryset, value)

    def filter_country(
        self, queryset: QuerySet[Contact], name: str, value: str
    ) -> QuerySet[Contact]:
        return queryset.filter(country=value.strip().upper()[:2])

    def filter_tag(self, queryset: QuerySet[Contact], name: str, value: str) -> QuerySet[Contact]:
        from tidycrm.hygiene.text import fold

        tagged = TaggedItem.objects.filter(
            content_type__app_label="contacts", content_type__model="contact", tag__key=fold(value)
        ).values("object_id")
        return queryset.filter(pk__in=tagged)

    def filter_custom(
        self, queryset: QuerySet[Contact], name: str, value: str
    ) -> QuerySet[Contact]:
        return custom_field_filter(queryset, RecordType.CONTACT, [value])
