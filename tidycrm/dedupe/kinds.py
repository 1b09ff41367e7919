"""What a merge needs to know about each kind of record; everything else is generic."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Model

from tidycrm.companies.models import Company
from tidycrm.contacts.models import AliasKind, Contact, ContactAlias
from tidycrm.core.exceptions import ValidationFailed


@dataclass(frozen=True)
class Kind:
    name: str
    model: type[Model]
    # What a person chooses between: a label and the columns that travel together.
    groups: dict[str, tuple[str, ...]]
    # Related rows rebuilt from the record (search tokens, match keys): dropped, not moved.
    derived: frozenset[str]
    # Child rows that are one thing when these columns agree (the same address twice): the
    # merged-away copy is set aside, not added to the survivor.
    same_value: dict[str, tuple[str, ...]] = field(default_factory=dict)
    refresh: Callable[[Sequence[int]], None] = lambda ids: None
    add_aliases: Callable[[Model, Sequence[Model], int], None] = lambda s, o, m: None


def _contact_refresh(ids: Sequence[int]) -> None:
    from tidycrm.contacts.services import refresh_search_tokens
    from tidycrm.contacts.services.match_keys import refresh_match_keys

    for contact in Contact.objects.filter(pk__in=ids):
        refresh_search_tokens(contact)
    refresh_match_keys(list(ids))


def _company_refresh(ids: Sequence[int]) -> None:
    from tidycrm.companies.match_keys import refresh_match_keys
    from tidycrm.companies.services import refresh_search_tokens

    for company in Company.objects.filter(pk__in=ids):
        refresh_search_tokens(company)
    refresh_match_keys(list(ids))


def _contact_aliases(survivor: Any, others: Sequence[Any], merge_id: int) -> None:
    """The merged-away contacts' identifiers stay findable on the survivor."""
    rows: dict[tuple[str, str], None] = {}
    for other in others:
        if other.external_id and other.external_id != survivor.external_id:
            rows[(AliasKind.EXTERNAL_ID, other.external_id)] = None
        for key in other.emails.values_list("key", flat=True):
            rows[(AliasKind.EMAIL, key)] = None
        for e164 in other.phones.exclude(e164="").values_list("e164", flat=True):
            rows[(AliasKind.PHONE, e164)] = None
    ContactAlias.objects.bulk_create(
        ContactAlias(contact=survivor, kind=kind, value=value, merge_id=merge_id)
        for kind, value in rows
    )


NAME = ("honorific", "given_name", "middle_name", "family_name", "suffix")
CONTACT = Kind(
    name="contact",
    model=Contact,
    groups={
        "name": (*NAME, "display_name", "sort_key"),
        **{
            f: (f,)
            for f in (
                "job_title",
                "department",
                "industry",
                "city",
                "region",
                "country",
                "language",
                "birthday",
                "lifecycle_stage",
                "lead_status",
                "lead_source",
                "notes",
                "external_id",
                "social_profiles",
                "interests",
            )
        },
        "owner": ("owner_id",),
        "team": ("team_id",),
    },
    derived=frozenset({"contacts.ContactSearchToken", "contacts.ContactMatchKey"}),
    same_value={
        "contacts.ContactEmail": ("key",),
        "contacts.ContactPhone": ("e164", "raw"),
        "contacts.ContactAddress": ("street", "postal_code", "city", "country"),
    },
    refresh=_contact_refresh,
    add_aliases=_contact_aliases,
)
COMPANY = Kind(
    name="company",
    model=Company,
    groups={
        "name": ("name", "sort_key", "name_key"),
        **{
            f: (f,)
            for f in (
                "industry",
                "size",
                "employee_count",
                "website",
                "description",
                "external_id",
            )
        },
        "parent": ("parent_id",),
        "owner": ("owner_id",),
        "team": ("team_id",),
    },
    derived=frozenset({"companies.CompanySearchToken", "companies.CompanyMatchKey"}),
    same_value={
        "companies.CompanyDomain": ("domain",),
        "companies.CompanyPhone": ("e164", "raw"),
        "companies.CompanyAddress": ("street", "postal_code", "city", "country"),
    },
    refresh=_company_refresh,
)
KINDS = {k.name: k for k in (CONTACT, COMPANY)}


def kind_of(name: str) -> Kind:
    if name not in KINDS:
        raise ValidationFailed({"kind": [f"must be one of {', '.join(KINDS)}."]})
    return KINDS[name]
