"""Reads of companies, always scoped to what the user may see."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from tidycrm.accounts.models import User
from tidycrm.accounts.selectors import visible
from tidycrm.companies.models import Company, CompanySearchToken
from tidycrm.core.exceptions import NotFound
from tidycrm.hygiene.text import tokens


def visible_companies(user: User) -> QuerySet[Company]:
    return visible(Company.objects.all(), user)


def get_company(user: User, company_id: int) -> Company:
    company = (
        visible_companies(user)
        .select_related("owner", "team", "parent")
        .prefetch_related("domains", "phones", "addresses")
        .annotate(contact_count=Count("affiliations"))
        .filter(pk=company_id)
        .first()
    )
    if company is None:
        raise NotFound(f"Company {company_id} does not exist or you cannot see it.")
    return company


def search_companies(queryset: QuerySet[Company], query: str) -> QuerySet[Company]:
    """Every word of the query must prefix-match a token of the company."""
    for word in tokens(query)[:6]:
        matching = CompanySearchToken.objects.filter(
            token__gte=word, token__lt=word + "\uffff"
        ).values("company_id")
        queryset = queryset.filter(pk__in=matching)
    return queryset
