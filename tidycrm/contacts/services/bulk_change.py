"""The door for one change applied to many existing contacts (bulk actions on a selection):
owner or team, a choice field, custom field values, tags; and deleting many.

Steps 1-2 run once on the change, through the same `standardise` as every channel (the value is
the same for every contact). Steps 4-5 write set-based what `save_contact` / `delete_contact`
write per contact: the new values, version and updated_at moved on, one audit change per
changed contact naming the channel and source, one event each. None of these fields feeds
search tokens or duplicate match keys, so those stay as they are.

Contacts the actor cannot see (or that are gone) are counted as missing, never written.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from tidycrm.accounts.choices import Permission
from tidycrm.accounts.models import User
from tidycrm.accounts.services import require
from tidycrm.audit.choices import Action, Channel
from tidycrm.audit.services import record_changes_bulk
from tidycrm.contacts.models import Contact, ContactEmail, ContactPhone
from tidycrm.contacts.selectors import visible_contacts
from tidycrm.contacts.services.standardise import standardise
from tidycrm.contacts.services.write import DELETE_SNAPSHOT
from tidycrm.core import events
from tidycrm.core.bulk_write import insert_ignoring_conflicts
from tidycrm.core.exceptions import ValidationFailed
from tidycrm.customfields.choices import RecordType
from tidycrm.customfields.validation import validate_values
from tidycrm.hygiene.text import fold
from tidycrm.records import steps
from tidycrm.tags.models import Tag, TaggedItem
from tidycrm.tags.services import get_or_create_tags

# The plain fields a bulk change may set; custom field values come under "custom_fields".
BULK_FIELDS = ("owner_id", "team_id", "lifecycle_stage", "lead_status", "lead_source")

Changes = dict[int, dict[str, dict[str, Any]]]


@dataclass
class BulkChange:
    """What a bulk write did, by contact id."""

    changed: list[int] = field(default_factory=list)
    unchanged: list[int] = field(default_factory=list)
    missing: list[int] = field(default_factory=list)


# -- steps 1-2: the change, checked once ---------------------------------------------------


def check_bulk_change(
    change: Mapping[str, Any], *, actor: User | None, channel: Channel | str
) -> dict[str, Any]:
    """The change in its standard form, or ValidationFailed naming each bad field."""
    unknown = sorted(change.keys() - {*BULK_FIELDS, "custom_fields"})
    if unknown or not change:
        allowed = ", ".join([*BULK_FIELDS, "custom_fields"])
        name = unknown[0][:80] if unknown else "change"
        raise ValidationFailed({name: [f"cannot be set in bulk; use one of {allowed}."]})
    plain = {k: v for k, v in change.items() if k != "custom_fields"}
    draft = standardise(plain, actor=actor, instance=Contact(), channel=str(channel))
    errors = dict(draft.errors)
    checked: dict[str, Any] = {}
    for name in plain:
        if name in draft.fields:
            checked[name] = draft.fields[name]
        elif name not in errors:
            errors[name] = ["cannot be cleared."]
    if "custom_fields" in change:
        checked["custom_fields"] = _check_custom(change["custom_fields"], errors)
    if errors:
        raise ValidationFailed(errors)
    return checked


def _check_custom(values: Any, errors: dict[str, list[str]]) -> dict[str, Any]:
    """Custom values by key; None clears one (refused for a required field)."""
    if not isinstance(values, Mapping) or not values:
        errors["custom_fields"] = ["must be an object of field keys and values."]
        return {}
    definitions = steps.Lookups().definitions_for(RecordType.CONTACT)
    cleaned, problems = validate_values(definitions, dict(values), partial=True)
    errors.update(problems)
    return {key: cleaned.get(key) for key in values}


# -- steps 4-5: set-based writes -----------------------------------------------------------


def change_contacts_bulk(
    ids: list[int],
    change: Mapping[str, Any],
    *,
    actor: User,
    channel: Channel | str,
    source: dict[str, Any] | None = None,
) -> BulkChange:
    """Apply a change (checked or not) to the contacts `actor` can see among `ids`."""
    require(actor, Permission.EDIT)
    checked = check_bulk_change(change, actor=actor, channel=channel)
    plain = {k: v for k, v in checked.items() if k != "custom_fields"}
    custom = checked.get("custom_fields", {})
    with transaction.atomic():
        rows = _visible(actor, ids, *plain, *(["custom_fields"] if custom else []))
        result = BulkChange(missing=[i for i in ids if i not in rows])
        changes: Changes = {}
        new_custom: dict[int, dict[str, Any]] = {}
        for pk, row in rows.items():
            diff = {
                name: {"before": row[name], "after": value}
                for name, value in plain.items()
                if row[name] != value
            }
            if custom:
                current = dict(row["custom_fields"] or {})
                merged = {k: v for k, v in {**current, **custom}.items() if v is not None}
                for key in custom:
                    if current.get(key) != merged.get(key):
                        before, after = current.get(key), merged.get(key)
                        diff[f"custom_fields.{key}"] = {"before": before, "after": after}
                if merged != current:
                    new_custom[pk] = merged
            if diff:
                changes[pk] = diff
            else:
                result.unchanged.append(pk)
        _write(plain, new_custom, changes)
        _finish(changes, rows, result, actor=actor, channel=channel, source=source)
    return result


def _write(plain: dict[str, Any], new_custom: dict[int, dict[str, Any]], changes: Changes) -> None:
    """The new values; every changed contact's version and updated_at move on once."""
    now = timezone.now()
    column = Contact._meta.get_field("custom_fields")
    table = connection.ops.quote_name(Contact._meta.db_table)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET custom_fields = %s WHERE id = %s",  # noqa: S608
            [(column.get_db_prep_save(v, connection), pk) for pk, v in new_custom.items()],
        )
    if changes:
        Contact.objects.filter(pk__in=sorted(changes)).update(
            **plain, version=F("version") + 1, updated_at=now
        )


def _finish(
    changes: Changes,
    rows: dict[int, dict[str, Any]],
    result: BulkChange,
    *,
    actor: User,
    channel: Channel | str,
    source: dict[str, Any] | None,
) -> None:
    changed = sorted(changes)
    record_changes_bulk(
        Contact,
        [(pk, rows[pk]["display_name"], changes[pk], source) for pk in changed],
        action=Action.UPDATE,
        channel=channel,
        actor=actor,
    )
    for pk in changed:
        events.emit(
            "contact.updated",
            id=pk,
            actor_id=actor.pk,
            channel=str(channel),
            fields=sorted(changes[pk]),
        )
    result.changed += changed


def _visible(actor: User, ids: list[int], *fields: str) -> dict[int, dict[str, Any]]:
    """The visible contacts among `ids`, locked for the rest of the transaction."""
    rows = (
        visible_contacts(actor)
        .filter(pk__in=ids)
        .select_for_update(of=("self",))
        .order_by("pk")
        .values("pk", "display_name", *fields)
    )
    return {row["pk"]: row for row in rows}


# -- tags ----------------------------------------------------------------------------------


def tag_contacts_bulk(
    ids: list[int],
    names: list[str],
    *,
    adding: bool,
    actor: User,
    channel: Channel | str,
    source: dict[str, Any] | None = None,
) -> BulkChange:
    """Add (or remove) tags on the contacts `actor` can see among `ids`."""
    require(actor, Permission.EDIT)
    if adding:
        tags = get_or_create_tags(names)
    else:
        tags = list(Tag.objects.filter(key__in=[fold(name) for name in names]))
    content_type = ContentType.objects.get_for_model(Contact)
    with transaction.atomic():
        rows = _visible(actor, ids)
        result = BulkChange(missing=[i for i in ids if i not in rows])
        before = _tag_names(content_type, list(rows))
        wanted = {t.name for t in tags}
        changes: Changes = {}
        for pk in rows:
            old = sorted(before.get(pk, []))
            new = sorted({*old, *wanted} if adding else set(old) - wanted)
            if new != old:
                changes[pk] = {"tags": {"before": old, "after": new}}
            else:
                result.unchanged.append(pk)
        if adding:
            meta = TaggedItem._meta
            columns = [
                str(meta.get_field(n).column)  # type: ignore[union-attr]
                for n in ("tag", "content_type", "object_id")
            ]
            links = [(t.pk, content_type.pk, pk) for pk in changes for t in tags]
            insert_ignoring_conflicts(meta.db_table, columns, links)
        elif changes:
            TaggedItem.objects.filter(
                content_type=content_type, object_id__in=list(changes), tag__in=tags
            ).delete()
        _write({}, {}, changes)
        _finish(changes, rows, result, actor=actor, channel=channel, source=source)
    return result


def _tag_names(content_type: ContentType, ids: list[int]) -> dict[int, list[str]]:
    names: dict[int, list[str]] = defaultdict(list)
    rows = TaggedItem.objects.filter(content_type=content_type, object_id__in=ids)
    for object_id, name in rows.order_by("tag__key").values_list("object_id", "tag__name"):
        names[object_id].append(name)
    return names


# -- delete --------------------------------------------------------------------------------


def delete_contacts_bulk(
    ids: list[int],
    *,
    actor: User,
    channel: Channel | str,
    source: dict[str, Any] | None = None,
) -> BulkChange:
    """Delete the contacts `actor` can see among `ids`, each with an audit record holding
    what was removed (as `delete_contact` writes it) and a contact.deleted event."""
    require(actor, Permission.DELETE)
    with transaction.atomic():
        rows = _visible(actor, ids, *DELETE_SNAPSHOT[1:])
        result = BulkChange(missing=[i for i in ids if i not in rows])
        doomed = sorted(rows)
        if not doomed:
            return result
        emails = _children(ContactEmail, "address", doomed)
        phones = _children(ContactPhone, "e164", doomed)
        entries = []
        for pk in doomed:
            snapshot = {name: rows[pk][name] for name in DELETE_SNAPSHOT}
            snapshot |= {"emails": emails.get(pk, []), "phones": phones.get(pk, [])}
            removed = {name: {"before": value, "after": None} for name, value in snapshot.items()}
            entries.append((pk, rows[pk]["display_name"], removed, source))
        record_changes_bulk(Contact, entries, action=Action.DELETE, channel=channel, actor=actor)
        content_type = ContentType.objects.get_for_model(Contact)
        # Tag links are generic: no foreign key cascades them away.
        TaggedItem.objects.filter(content_type=content_type, object_id__in=doomed).delete()
        Contact.objects.filter(pk__in=doomed).delete()
        for pk in doomed:
            events.emit("contact.deleted", id=pk, actor_id=actor.pk)
        result.changed = doomed
    return result


def _children(
    model: type[ContactEmail | ContactPhone], column: str, ids: list[int]
) -> dict[int, list[str]]:
    values: dict[int, list[str]] = defaultdict(list)
    rows = model._default_manager.filter(contact_id__in=ids).order_by("contact_id", "pk")
    for contact_id, value in rows.values_list("contact_id", column):
        values[contact_id].append(value)
    return values
