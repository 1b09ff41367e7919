"""Steps 3 to 5 of the door for one contact: duplicates, persist with audit, events."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction

from tidycrm.accounts.choices import Permission
from tidycrm.accounts.models import User
from tidycrm.accounts.services import require
from tidycrm.audit.choices import Action, Channel
from tidycrm.audit.services import record_change
from tidycrm.contacts import duplicates
from tidycrm.contacts.models import (
    Contact,
)
from tidycrm.contacts.services.standardise import CHILDREN, standardise
from tidycrm.contacts.services.tokens import refresh_search_tokens
from tidycrm.core import events
from tidycrm.core.door import SaveResult, check_version, instance_snapshot
from tidycrm.core.exceptions import Conflict
from tidycrm.records import steps


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
    draft = standardise(data, actor=actor, instance=contact)
    draft.raise_if_invalid()
    draft.warnings += duplicates.check(
        draft, actor=actor, channel=str(channel), exclude_id=getattr(contact, "pk", None)
    )
    with transaction.atomic():
        created = contact is None
        if contact is None:
            record = Contact()
        else:
            record = Contact.objects.select_for_update().get(pk=contact.pk)
            check_version(record, expected_version)
        try:
            with transaction.atomic():
                changes = steps.persist(
                    record,
                    draft,
                    CHILDREN,
                    created=created,
                    actor=actor,
                    channel=channel,
                    source=source,
                    event_prefix="contact",
                )
        except IntegrityError as exc:
            raise Conflict(
                "external_id: another contact already has this external id.",
                field_errors={"external_id": ["is already used by another contact."]},
            ) from exc
        if created or changes:
            refresh_search_tokens(record)
    return SaveResult(record=record, created=created, changes=changes, warnings=draft.warnings)


def delete_contact(contact: Contact, *, actor: User | None, channel: Channel | str) -> None:
    if actor is not None:
        require(actor, Permission.DELETE)
    with transaction.atomic():
        snapshot = instance_snapshot(
            contact,
            [
                "display_name",
                "given_name",
                "family_name",
                "owner_id",
                "external_id",
                "lifecycle_stage",
            ],
        )
        snapshot["emails"] = list(contact.emails.values_list("address", flat=True))
        snapshot["phones"] = list(contact.phones.values_list("e164", flat=True))
        changes = {name: {"before": value, "after": None} for name, value in snapshot.items()}
        record_change(contact, action=Action.DELETE, channel=channel, actor=actor, changes=changes)
        contact_id = contact.pk
        contact.delete()
        events.emit("contact.deleted", id=contact_id, actor_id=getattr(actor, "pk", None))
