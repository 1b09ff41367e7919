"""Steps 3 to 5 of the door for one contact: duplicates, persist with audit, events."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction

from tidycrm.accounts.choices import Permission
from tidycrm.accounts.models import User
from tidycrm.accounts.services import require
from tidycrm.audit.choices import Channel
from tidycrm.contacts import duplicates
from tidycrm.contacts.models import (
    Contact,
)
from tidycrm.contacts.services.match_keys import refresh_match_keys
from tidycrm.contacts.services.standardise import CHILDREN, standardise
from tidycrm.contacts.services.tokens import refresh_search_tokens
from tidycrm.core.door import Draft, SaveResult, instance_snapshot
from tidycrm.core.exceptions import Conflict
from tidycrm.records import steps

# What a deleted contact's audit record keeps, besides its e-mails and phones.
DELETE_SNAPSHOT = (
    "display_name",
    "given_name",
    "family_name",
    "owner_id",
    "external_id",
    "lifecycle_stage",
)


def save_contact(
    data: Mapping[str, Any],
    *,
    actor: User | None,
    channel: Channel | str,
    contact: Contact | None = None,
    source: dict[str, Any] | None = None,
    expected_version: int | None = None,
) -> SaveResult[Contact]:
    """Create (contact=None) or update a contact through every step of the door."""
    if actor is not None:
        require(actor, Permission.EDIT)
    draft = standardise(data, actor=actor, instance=contact, channel=str(channel))
    draft.raise_if_invalid()
    verdict = duplicates.check(draft, instance=contact, actor=actor, channel=str(channel))
    draft.warnings += verdict.messages
    try:
        result = _persist(draft, verdict, contact, actor, channel, source, expected_version)
    except Contact.DoesNotExist as exc:
        # The contact was merged into another (or deleted) while this edit waited for its lock.
        raise Conflict(
            f"contact {getattr(contact, 'pk', '')} was merged into another contact or deleted "
            "while you edited it; nothing was saved.",
            field_errors={"version": ["the contact no longer exists."]},
        ) from exc
    return result


def _persist(
    draft: Draft,
    verdict: duplicates.Verdict,
    contact: Contact | None,
    actor: User | None,
    channel: Channel | str,
    source: dict[str, Any] | None,
    expected_version: int | None,
) -> SaveResult[Contact]:
    with transaction.atomic():
        result = steps.save_record(
            Contact,
            contact,
            draft,
            CHILDREN,
            actor=actor,
            channel=channel,
            source=source,
            expected_version=expected_version,
            event_prefix="contact",
            refresh_search=refresh_search_tokens,
        )
        if result.created or result.changes:
            refresh_match_keys([result.record.pk])
        result.record = duplicates.saved(result.record, verdict, actor=actor, channel=str(channel))
    return result


def delete_contact(contact: Contact, *, actor: User | None, channel: Channel | str) -> None:
    if actor is not None:
        require(actor, Permission.DELETE)
    snapshot = instance_snapshot(contact, list(DELETE_SNAPSHOT))
    snapshot["emails"] = list(contact.emails.values_list("address", flat=True))
    snapshot["phones"] = list(contact.phones.values_list("e164", flat=True))
    steps.delete_record(contact, snapshot, actor=actor, channel=channel, event_prefix="contact")
