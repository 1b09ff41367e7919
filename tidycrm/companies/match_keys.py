"""Companies as tidycrm.matching sees them, and the match-key table the door keeps up to date.

Every write through the companies door replaces the written companies' keys (the bulk door
inserts them with the rows), so a duplicate check reads a few index entries, not the table.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace
from typing import Any

from django.db import transaction

from tidycrm.companies.models import (
    Company,
    CompanyAddress,
    CompanyDomain,
    CompanyMatchKey,
    CompanyPhone,
)
from tidycrm.core.bulk_write import insert
from tidycrm.core.door import Draft
from tidycrm.matching import CompanyRecord, company_blocking_keys
from tidycrm.records.duplicates import in_batches, place_changes

KEY_LENGTH = 64
BATCH = 5_000


def company_records(ids: Iterable[int]) -> list[CompanyRecord]:
    """The matching view of these companies (missing ids are left out), in four queries."""
    wanted = [int(i) for i in ids]
    if not wanted:
        return []
    domains: dict[int, list[str]] = defaultdict(list)
    rows: Any = CompanyDomain.objects.filter(company_id__in=wanted).order_by("-is_primary", "id")
    for owner, domain in rows.values_list("company_id", "domain"):
        domains[owner].append(domain)
    phones: dict[int, list[str]] = defaultdict(list)
    rows = CompanyPhone.objects.filter(company_id__in=wanted).order_by("-is_primary", "id")
    for owner, e164, raw in rows.values_list("company_id", "e164", "raw"):
        phones[owner].append(e164 or raw)
    places: dict[int, tuple[str, str, str, str]] = {}
    rows = CompanyAddress.objects.filter(company_id__in=wanted).order_by("-is_primary", "id")
    columns = ("company_id", "street", "city", "postal_code", "country")
    for owner, street, city, postal, country in rows.values_list(*columns):
        places.setdefault(owner, (street, city, postal, country))
    named = Company.objects.filter(pk__in=wanted).order_by("pk").values_list("pk", "name")
    return [
        CompanyRecord(
            str(pk),
            name,
            tuple(domains.get(pk, ())),
            tuple(phones.get(pk, ())),
            *places.get(pk, ("", "", "", "")),
        )
        for pk, name in named
    ]


def all_company_records(ids: Iterable[int] | None = None) -> Iterator[list[CompanyRecord]]:
    """Every company (or the given ones) in batches, walking the primary key."""
    return in_batches(Company, ids, company_records, BATCH)


def draft_record(draft: Draft, instance: Company | None) -> CompanyRecord:
    """The matching view of a company as the draft would leave it (an update's draft holds
    only what changed: the rest comes from the stored company)."""
    stored = company_records([instance.pk]) if instance is not None and instance.pk else []
    record = stored[0] if stored else CompanyRecord(id=str(getattr(instance, "pk", "") or "new"))
    changes: dict[str, Any] = {}
    if "name" in draft.fields:
        changes["name"] = draft.fields["name"] or ""
    children = draft.children
    if "domains" in children:
        changes["domains"] = tuple(r["domain"] for r in children["domains"] if r.get("domain"))
    changes |= place_changes(children)
    return replace(record, **changes)


def keys_of(record: CompanyRecord) -> list[str]:
    return sorted({key[:KEY_LENGTH] for key in company_blocking_keys(record)})


def refresh_match_keys(ids: Sequence[int]) -> None:
    """Replace these companies' keys with those of their stored data."""
    with transaction.atomic():
        CompanyMatchKey.objects.filter(company_id__in=ids).delete()
        insert_match_keys(company_records(ids))


def insert_match_keys(records: Iterable[CompanyRecord]) -> None:
    """Insert the keys of records whose companies have none yet (new, or keys just deleted)."""
    rows = [(int(record.id), key) for record in records for key in keys_of(record)]
    meta = CompanyMatchKey._meta
    insert(meta.db_table, [str(meta.get_field("company").column), "key"], rows)


def rebuild_all(progress: Callable[[int, int | None], None] | None = None) -> int:
    """Recompute every company's keys, one batch per transaction; returns companies done."""
    total = Company.objects.count()
    done = 0
    for records in all_company_records():
        with transaction.atomic():
            CompanyMatchKey.objects.filter(company_id__in=[int(r.id) for r in records]).delete()
            insert_match_keys(records)
        done += len(records)
        if progress:
            progress(done, total)
    return done
