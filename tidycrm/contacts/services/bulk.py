"""The bulk form of the door: many contacts through the same steps, set-based inserts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from tidycrm.accounts.choices import Permission
from tidycrm.accounts.models import User
from tidycrm.accounts.services import require
from tidycrm.audit.choices import Action, Channel
from tidycrm.companies.models import Company
from tidycrm.contacts.models import (
    Contact,
    ContactSearchToken,
)
from tidycrm.contacts.services.standardise import CHILDREN, standardise
from tidycrm.contacts.services.tokens import contact_tokens
from tidycrm.core import events
from tidycrm.core.door import Draft
from tidycrm.records import steps


@dataclass
class BulkResult:
    created: list[Contact] = field(default_factory=list)
    errors: dict[int, dict[str, list[str]]] = field(default_factory=dict)
    warnings: dict[int, list[str]] = field(default_factory=dict)


def save_contacts_bulk(
    rows: Sequence[Mapping[str, Any]],
    *,
    actor: User | None,
    channel: Channel | str,
    sources: Sequence[dict[str, Any] | None] | None = None,
) -> BulkResult:
    """Create many contacts through the same steps, in one transaction per call.

    Each row is standardised and validated on its own; rejected rows are reported by index and
    the rest are written with set-based inserts.
    """
    if actor is not None:
        require(actor, Permission.EDIT)
    result = BulkResult()
    lookups = steps.Lookups()
    drafts: list[tuple[int, Draft]] = []
    seen_external: set[str] = set()
    lookups.visible_ids(Company, actor, _company_ids(rows))
    for index, data in enumerate(rows):
        draft = standardise(data, actor=actor, lookups=lookups, channel=str(channel))
        external_id = draft.fields.get("external_id", "")
        if external_id and external_id in seen_external:
            draft.error("external_id", "appears twice in this batch.")
        seen_external.add(external_id)
        if draft.errors:
            result.errors[index] = draft.errors
        else:
            drafts.append((index, draft))
    taken = set(
        Contact.objects.filter(
            external_id__in=[
                d.fields["external_id"] for _, d in drafts if d.fields.get("external_id")
            ]
        ).values_list("external_id", flat=True)
    )
    for index, draft in list(drafts):
        if draft.fields.get("external_id") in taken:
            result.errors[index] = {"external_id": ["is already used by another contact."]}
            drafts.remove((index, draft))
    with transaction.atomic():
        _bulk_insert(drafts, actor=actor, channel=channel, sources=sources, result=result)
    return result


def _bulk_insert(
    drafts: list[tuple[int, Draft]],
    *,
    actor: User | None,
    channel: Channel | str,
    sources: Sequence[dict[str, Any] | None] | None,
    result: BulkResult,
) -> None:
    from django.contrib.contenttypes.models import ContentType

    from tidycrm.audit.services import record_changes_bulk
    from tidycrm.tags.models import TaggedItem
    from tidycrm.tags.services import get_or_create_tags

    contacts = [Contact(**draft.fields, raw_input=draft.raw) for _, draft in drafts]
    Contact.objects.bulk_create(contacts, batch_size=500)
    children: dict[str, list[Any]] = {name: [] for name in CHILDREN}
    tagged: list[TaggedItem] = []
    content_type = ContentType.objects.get_for_model(Contact)
    tag_cache: dict[str, Any] = {}
    audits: list[dict[str, Any]] = []
    for contact, (index, draft) in zip(contacts, drafts, strict=True):
        for name, rows in draft.children.items():
            spec = CHILDREN[name]
            children[name] += [spec.model(**{spec.parent_field: contact}, **row) for row in rows]
        for tag_name in draft.tags or []:
            if tag_name not in tag_cache:
                tag_cache[tag_name] = get_or_create_tags([tag_name])[0]
            tagged.append(
                TaggedItem(tag=tag_cache[tag_name], content_type=content_type, object_id=contact.pk)
            )
        changes = {name: {"before": None, "after": value} for name, value in draft.fields.items()}
        for name, rows in draft.children.items():
            changes[name] = {
                "before": [],
                "after": [
                    str(r.get("address") or r.get("e164") or r.get("city") or r.get("company_id"))
                    for r in rows
                ],
            }
        if draft.tags:
            changes["tags"] = {"before": [], "after": sorted(draft.tags)}
        audits.append(
            {
                "obj": contact,
                "action": Action.CREATE,
                "channel": channel,
                "actor": actor,
                "changes": changes,
                "source": sources[index] if sources else None,
            }
        )
        result.created.append(contact)
        if draft.warnings:
            result.warnings[index] = draft.warnings
    for name, objs in children.items():
        CHILDREN[name].model._default_manager.bulk_create(objs, batch_size=1000)
    TaggedItem.objects.bulk_create(tagged, batch_size=1000, ignore_conflicts=True)
    record_changes_bulk(audits)
    _bulk_tokens(contacts, drafts)
    for contact in contacts:
        events.emit(
            "contact.created",
            id=contact.pk,
            actor_id=getattr(actor, "pk", None),
            channel=str(channel),
            fields=[],
        )


def _company_ids(rows: Sequence[Mapping[str, Any]]) -> set[int]:
    """Company ids named by the rows' affiliations (malformed ones are the door's to report)."""
    ids: set[int] = set()
    for row in rows:
        for item in row.get("companies") or []:
            value = item.get("company_id") if isinstance(item, Mapping) else item
            if isinstance(value, int) and not isinstance(value, bool):
                ids.add(value)
            elif isinstance(value, str) and value.isdigit():
                ids.add(int(value))
    return ids


def _bulk_tokens(contacts: list[Contact], drafts: list[tuple[int, Draft]]) -> None:
    company_ids = {row["company_id"] for _, d in drafts for row in d.children.get("companies", [])}
    company_names = dict(Company.objects.filter(pk__in=company_ids).values_list("pk", "name"))
    rows: list[tuple[int, str]] = []
    for contact, (_, draft) in zip(contacts, drafts, strict=True):
        names = [
            contact.display_name,
            contact.given_name,
            contact.middle_name,
            contact.family_name,
            contact.external_id,
            *(company_names.get(r["company_id"], "") for r in draft.children.get("companies", [])),
        ]
        words = contact_tokens(
            names,
            [row["address"] for row in draft.children.get("emails", [])],
            [(row["national_number"], row["e164"]) for row in draft.children.get("phones", [])],
        )
        rows += [(contact.pk, word) for word in words]
    steps.insert_tokens(ContactSearchToken, "contact", rows)
