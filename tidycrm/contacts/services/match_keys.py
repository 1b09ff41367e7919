"""Contacts as tidycrm.matching sees them, and the match-key table the door keeps up to date.

Every write through the door replaces the written contacts' keys (the bulk door inserts them
set-based with the rows), so a duplicate check reads a few index entries instead of the table.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from functools import cache, partial
from typing import Any

from django.db import connection, transaction
from django.db.models import Model

from tidycrm.contacts.models import (
    Affiliation,
    Contact,
    ContactAddress,
    ContactEmail,
    ContactMatchKey,
    ContactPhone,
)
from tidycrm.core.bulk_write import insert
from tidycrm.core.door import Draft
from tidycrm.matching import PersonRecord, person_blocking_keys
from tidycrm.records.duplicates import in_batches, place_changes

KEY_LENGTH = 64
BATCH = 5_000
_FIELDS = ("pk", "given_name", "family_name", "display_name", "city", "country", "birthday")


def _select(model: type[Model], columns: Sequence[str], owner: str, order: Sequence[str]) -> str:
    """SELECT columns FROM model WHERE owner IN ({ids}) ORDER BY order, with the database's
    quoting; "-name" orders descending."""
    q = connection.ops.quote_name
    fields = {f.name: str(f.column) for f in model._meta.concrete_fields}
    shown = ", ".join(q(fields[c]) for c in columns)
    ordered = ", ".join(q(fields[o.lstrip("-")]) + (" DESC" if o[0] == "-" else "") for o in order)
    sql = f"SELECT {shown} FROM {q(model._meta.db_table)} WHERE {q(fields[owner])} IN ({{ids}})"  # noqa: S608
    return f"{sql} ORDER BY {ordered}" if ordered else sql


@cache
def _statements() -> dict[str, str]:
    """The reads of `person_records` as SQL with an {ids} slot: the door runs them on every
    check, and building them through the ORM cost more than running them."""
    primary_first = ("-is_primary", "id")
    return {
        "contacts": _select(Contact, ("id", *_FIELDS[1:]), "id", ()),
        "emails": _select(ContactEmail, ("contact", "address"), "contact", primary_first),
        "phones": _select(ContactPhone, ("contact", "e164", "raw"), "contact", primary_first),
        "addresses": _select(
            ContactAddress,
            ("contact", "street", "city", "postal_code", "country"),
            "contact",
            primary_first,
        ),
        "companies": _company_names_statement(),
    }


def _company_names_statement() -> str:
    """Each contact's affiliations, primary and current first, with the company's name read
    by a join (not by a second query per batch)."""
    from tidycrm.companies.models import Company

    q = connection.ops.quote_name
    a, c = q(Affiliation._meta.db_table), q(Company._meta.db_table)

    columns = {f.name: str(f.column) for f in Affiliation._meta.concrete_fields}

    def column(name: str) -> str:
        return f"{a}.{q(columns[name])}"

    return (
        f"SELECT {column('contact')}, {c}.{q('name')} FROM {a} "  # noqa: S608
        f"JOIN {c} ON {c}.{q('id')} = {column('company')} "
        f"WHERE {column('contact')} IN ({{ids}}) "
        f"ORDER BY {column('is_primary')} DESC, {column('is_current')} DESC, {column('id')}"
    )


def _read(name: str, ids: list[int], *, every_between: bool = False) -> list[tuple[Any, ...]]:
    """Rows of one of `_statements` for these contacts. `every_between`: the ids are every
    contact from the first to the last (a walk of the primary key), read as one range."""
    sql = _statements()[name]
    params: list[int | str]
    if every_between:
        sql, params = sql.replace(" IN ({ids})", " BETWEEN %s AND %s"), [ids[0], ids[-1]]
    elif connection.vendor == "postgresql":
        # one array parameter, written as its text: the driver parsed and quoted 5,000
        # placeholders a query, and adapting a list of ints was half as slow again
        text = "{" + ",".join(map(str, ids)) + "}"
        sql, params = sql.replace(" IN ({ids})", " = ANY(%s::bigint[])"), [text]
    else:
        sql, params = sql.replace("{ids}", ", ".join(["%s"] * len(ids))), list(ids)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def person_records(ids: Iterable[int], *, every_between: bool = False) -> list[PersonRecord]:
    """The matching view of these contacts (missing ids are left out), in five queries.
    `every_between`: the ids, ascending, are every contact from the first to the last."""
    wanted = [int(i) for i in ids]
    if not wanted:
        return []
    read = partial(_read, every_between=every_between)
    emails: dict[int, list[str]] = defaultdict(list)
    for cid, address in read("emails", wanted):
        emails[cid].append(address)
    phones: dict[int, list[str]] = defaultdict(list)
    for cid, e164, raw in read("phones", wanted):
        phones[cid].append(e164 or raw)
    addresses: dict[int, tuple[str, str, str, str]] = {}
    for cid, street, city, postal, country in read("addresses", wanted):
        addresses.setdefault(cid, (street, city, postal, country))
    companies: dict[int, str] = {}
    for cid, company_name in read("companies", wanted):
        companies.setdefault(cid, company_name)
    records = []
    for pk, given, family, display, city, country, birthday in read("contacts", wanted):
        street, a_city, postal, a_country = addresses.get(pk, ("", "", "", ""))
        records.append(
            PersonRecord(
                id=str(pk),
                given_name=given,
                family_name=family,
                full_name=display,
                emails=tuple(emails.get(pk, ())),
                phones=tuple(phones.get(pk, ())),
                company=companies.get(pk, ""),
                street=street,
                city=a_city or city,
                postal_code=postal,
                country=a_country or country,
                birth_date=str(birthday or "")[:10],
            )
        )
    return records


def all_person_records(ids: Iterable[int] | None = None) -> Iterator[list[PersonRecord]]:
    """Every contact (or the given ones) in batches, walking the primary key."""
    if ids is not None:
        return in_batches(Contact, ids, person_records, BATCH)
    # a batch of the walk holds every contact between its first and last id: read as ranges
    return in_batches(Contact, None, partial(person_records, every_between=True), BATCH)


def draft_record(
    draft: Draft, instance: Contact | None, company_names: Mapping[int, str] | None = None
) -> PersonRecord:
    """The matching view of a contact as the draft would leave it (an update's draft holds only
    what changed: the rest comes from the stored contact)."""
    stored = person_records([instance.pk]) if instance is not None and instance.pk else []
    base = stored[0] if stored else None  # gone: merged away or deleted meanwhile
    record = base or PersonRecord(id=str(getattr(instance, "pk", "") or "new"))
    fields = draft.fields
    changes: dict[str, Any] = {}
    for name in ("given_name", "family_name"):
        if name in fields:
            changes[name] = fields[name] or ""
    if "display_name" in fields:
        changes["full_name"] = fields["display_name"] or ""
    if "birthday" in fields:
        changes["birth_date"] = fields["birthday"].isoformat() if fields["birthday"] else ""
    children = draft.children
    if "emails" in children:
        changes["emails"] = tuple(r["address"] for r in children["emails"] if r.get("address"))
    changes |= place_changes(children)
    for name in ("city", "country"):
        if name in fields and not changes.get(name) and not getattr(record, name):
            changes[name] = fields[name] or ""
    if "companies" in children:
        ids = [r["company_id"] for r in children["companies"] if r.get("company_id")]
        changes["company"] = _company_name(ids[0], company_names) if ids else ""
    return replace(record, **changes)


def _company_name(pk: int, names: Mapping[int, str] | None) -> str:
    if names is not None and pk in names:
        return names[pk]
    from tidycrm.companies.models import Company

    return Company.objects.filter(pk=pk).values_list("name", flat=True).first() or ""


def keys_of(record: PersonRecord) -> list[str]:
    return sorted({key[:KEY_LENGTH] for key in person_blocking_keys(record)})


def refresh_match_keys(ids: Sequence[int]) -> None:
    """Replace these contacts' keys with those of their stored data."""
    with transaction.atomic():
        ContactMatchKey.objects.filter(contact_id__in=ids).delete()
        insert_match_keys(person_records(ids))


def rebuild_all(progress: Callable[[int, int | None], None] | None = None) -> int:
    """Recompute every contact's keys, one batch per transaction; returns contacts done."""
    total = Contact.objects.count()
    done = 0
    for records in all_person_records():
        with transaction.atomic():
            ids = [int(r.id) for r in records]
            ContactMatchKey.objects.filter(contact_id__in=ids).delete()
            insert_match_keys(records)
        done += len(records)
        if progress:
            progress(done, total)
    return done


def insert_match_keys(records: Iterable[PersonRecord]) -> None:
    """Insert the keys of records whose contacts have none yet (new, or keys just deleted)."""
    rows = [(int(record.id), key) for record in records for key in keys_of(record)]
    meta = ContactMatchKey._meta
    column = str(meta.get_field("contact").column)
    insert(meta.db_table, [column, "key"], rows)
