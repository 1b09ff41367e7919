"""The bulk form of the door: many contacts through the same steps, set-based inserts.

Steps 1-2 are the single path's `standardise`, row by row (in worker processes for large
batches, see bulk_parallel); steps 4-5 write what `save_contact` would write for a new contact
(the same columns and defaults, child rows, tags, audit changes, search tokens and events) with
set-based inserts (bulk_write).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from operator import itemgetter
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import ForeignKey, Model

from tidycrm.accounts.choices import Permission
from tidycrm.accounts.models import User
from tidycrm.accounts.services import require
from tidycrm.audit.choices import Action, Channel
from tidycrm.audit.services import record_changes_bulk
from tidycrm.contacts import duplicates
from tidycrm.contacts.models import AliasKind, Contact, ContactMatchKey, ContactSearchToken
from tidycrm.contacts.services import bulk_parallel
from tidycrm.contacts.services.bulk_ahead import Ahead
from tidycrm.contacts.services.match_keys import draft_record
from tidycrm.contacts.services.standardise import CHILDREN
from tidycrm.core import events
from tidycrm.core.bulk_write import (
    Table,
    insert,
    insert_ignoring_conflicts,
    insert_with_ids,
)
from tidycrm.core.collector import batch_pace
from tidycrm.core.door import Draft, created_changes


@dataclass
class BulkResult:
    created: list[Contact] = field(default_factory=list)
    errors: dict[int, dict[str, list[str]]] = field(default_factory=dict)
    warnings: dict[int, list[str]] = field(default_factory=dict)


@batch_pace()
def save_contacts_bulk(
    rows: Sequence[Mapping[str, Any]],
    *,
    actor: User | None,
    channel: Channel | str,
    sources: Sequence[dict[str, Any] | None] | None = None,
    ahead: Ahead | None = None,
) -> BulkResult:
    """Create many contacts through the same steps, in one transaction per call.

    Each row is standardised and validated on its own; rejected rows are reported by index and
    the rest are written with set-based inserts. `ahead` holds rows whose standardisation began
    earlier (the import's next chunk, while it wrote the one before).
    """
    if actor is not None:
        require(actor, Permission.EDIT)
    result = BulkResult()
    lookups, company_names = bulk_parallel.reads(rows, actor)
    if ahead is None:
        prepared = bulk_parallel.prepare_rows(
            rows, actor=actor, lookups=lookups, channel=str(channel), company_names=company_names
        )
    else:
        prepared = ahead.take(rows, (actor, lookups, str(channel), company_names))
    drafts: list[tuple[int, Draft]] = []
    seen_external: set[str] = set()
    for index, (draft, *_) in enumerate(prepared):
        external_id = draft.fields.get("external_id", "")
        if external_id and external_id in seen_external:
            draft.error("external_id", "appears twice in this batch.")
        seen_external.add(external_id)
        if draft.errors:
            result.errors[index] = draft.errors
        else:
            drafts.append((index, draft))
    wanted = [d.fields["external_id"] for _, d in drafts if d.fields.get("external_id")]
    # "<> ''" repeats the unique index's condition, so that the databases search that index
    # instead of scanning every contact.
    taken = set(
        Contact.objects.filter(external_id__in=wanted)
        .exclude(external_id="")
        .order_by()
        .values_list("external_id", flat=True)
        if wanted
        else ()
    )
    merged = duplicates.alias_owners(AliasKind.EXTERNAL_ID, wanted)
    taken |= merged.keys()
    if taken:
        for index, draft in drafts:
            external_id = draft.fields.get("external_id")
            if external_id in merged:
                message = f"belongs to contact {merged[external_id]} (merged into it)."
                result.errors[index] = {"external_id": [message]}
            elif external_id in taken:
                result.errors[index] = {"external_id": ["is already used by another contact."]}
        drafts = [(i, d) for i, d in drafts if d.fields.get("external_id") not in taken]
    records = [draft_record(draft, None, company_names) for _, draft in drafts]
    verdicts = duplicates.check_many(records, actor=actor, channel=str(channel))
    kept = []
    for (index, draft), record, verdict in zip(drafts, records, verdicts, strict=True):
        if verdict.action == duplicates.BLOCK and verdict.findings:
            result.errors[index] = {"__all__": verdict.messages}
        else:
            kept.append((index, draft, record, verdict))
    drafts = [(index, draft) for index, draft, _, _ in kept]
    with transaction.atomic():
        _bulk_insert(drafts, prepared, actor=actor, channel=channel, sources=sources, result=result)
        saved = list(zip(result.created, kept, strict=True))
        duplicates.saved_many(
            [(c, verdict) for c, (_, _, _, verdict) in saved], actor=actor, channel=str(channel)
        )
    return result


@cache
def _tables(vendor: str) -> dict[str, Table]:
    """Column plans per model, built once per process (and database kind)."""
    tables = {name: Table(spec.model) for name, spec in CHILDREN.items()}
    tables["contact"] = Table(Contact)
    return tables


def _bulk_insert(
    drafts: list[tuple[int, Draft]],
    prepared: Sequence[bulk_parallel.Prepared],
    *,
    actor: User | None,
    channel: Channel | str,
    sources: Sequence[dict[str, Any] | None] | None,
    result: BulkResult,
) -> None:
    if not drafts:
        return
    tables = _tables(connection.vendor)
    contacts = _insert_contacts(tables["contact"], drafts)
    ids = [c.pk for c in contacts]
    for name, spec in CHILDREN.items():
        table = tables[name]
        defaults = table.defaults()
        parent = f"{spec.parent_field}_id"
        rows = [
            table.row({**row, parent: pk}, defaults)[1]
            for pk, (_, draft) in zip(ids, drafts, strict=True)
            for row in draft.children.get(name, ())
        ]
        insert(table.name, table.columns, rows)
    tag_names = _insert_tags(ids, drafts)
    actor_pk = getattr(actor, "pk", None)
    audits: list[tuple[int, str, dict[str, dict[str, Any]], dict[str, Any] | None]] = []
    for contact, (index, draft) in zip(contacts, drafts, strict=True):
        changes = created_changes(draft, CHILDREN, tag_names.get(contact.pk))
        audits.append((contact.pk, str(contact), changes, sources[index] if sources else None))
        events.emit(
            "contact.created",
            id=contact.pk,
            actor_id=actor_pk,
            channel=str(channel),
            fields=sorted(changes),
        )
        result.created.append(contact)
        if draft.warnings:
            result.warnings[index] = draft.warnings
    record_changes_bulk(Contact, audits, action=Action.CREATE, channel=channel, actor=actor)
    # The search tokens and match keys the workers computed with each row's standard form.
    rows = list(zip(ids, (i for i, _ in drafts), strict=True))
    _insert_pairs(ContactSearchToken, "token", [(pk, w) for pk, i in rows for w in prepared[i][1]])
    _insert_pairs(ContactMatchKey, "key", [(pk, k) for pk, i in rows for k in prepared[i][2]])


def _insert_pairs(model: type[Model], column: str, pairs: list[tuple[int, str]]) -> None:
    """(contact id, value) rows of a contact's derived table (search tokens, match keys).

    In value order: the (value, contact) index then takes them leaf page after leaf page
    instead of all over the tree."""
    meta = model._meta
    owner = meta.get_field("contact")
    assert isinstance(owner, ForeignKey)
    pairs.sort(key=itemgetter(1))
    insert(meta.db_table, [str(owner.column), column], pairs)


def _insert_contacts(table: Table, drafts: list[tuple[int, Draft]]) -> list[Contact]:
    """The contact rows, and saved instances of them built without a query."""
    defaults = table.defaults()
    known = set(table.attnames)
    python_rows, db_rows = [], []
    for _, draft in drafts:
        unknown = draft.fields.keys() - known
        if unknown:
            raise TypeError(f"Contact has no field(s) {sorted(unknown)}")
        values = {**draft.fields, "raw_input": draft.raw}
        python, db = table.row(values, defaults)
        python_rows.append(python)
        db_rows.append(db)
    ids = insert_with_ids(table, db_rows)
    names = [table.pk, *table.attnames]
    return [
        Contact.from_db(connection.alias, names, [pk, *python])
        for pk, python in zip(ids, python_rows, strict=True)
    ]


def _insert_tags(ids: list[int], drafts: list[tuple[int, Draft]]) -> dict[int, list[str]]:
    """Tag the new contacts; returns each tagged contact's tag names as the audit shows them."""
    from tidycrm.tags.models import TaggedItem
    from tidycrm.tags.services import get_or_create_tags

    cache: dict[str, list[Any]] = {}
    content_type = ContentType.objects.get_for_model(Contact)
    rows: list[tuple[int, int, int]] = []
    names: dict[int, list[str]] = {}
    for pk, (_, draft) in zip(ids, drafts, strict=True):
        if draft.tags is None:
            continue
        wanted: dict[int, Any] = {}
        for name in draft.tags:
            if name not in cache:
                cache[name] = get_or_create_tags([name])
            for tag in cache[name]:
                wanted.setdefault(tag.pk, tag)
        rows += [(tag_id, content_type.pk, pk) for tag_id in wanted]
        names[pk] = sorted(t.name for t in wanted.values())
    meta = TaggedItem._meta
    columns = [
        str(meta.get_field(n).column)  # type: ignore[union-attr]
        for n in ("tag", "content_type", "object_id")
    ]
    insert_ignoring_conflicts(meta.db_table, columns, rows)
    return names
