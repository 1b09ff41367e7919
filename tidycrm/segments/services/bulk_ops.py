"""The bulk actions themselves, one chunk of contact ids at a time, set-based.

Each writes what the door would write for the same change: the contact's version and
updated_at move on, one change record per changed contact (`audit.record_changes_bulk`, with
the bulk action as its source) and a `contact.updated` / `contact.deleted` event.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import F
from django.utils import timezone

from tidycrm.accounts.models import User
from tidycrm.audit.choices import Action
from tidycrm.audit.services import record_changes_bulk
from tidycrm.contacts.choices import LeadSource, LeadStatus, LifecycleStage
from tidycrm.contacts.models import Contact
from tidycrm.contacts.selectors import visible_contacts
from tidycrm.core import events
from tidycrm.core.bulk_write import insert_ignoring_conflicts
from tidycrm.core.exceptions import ValidationFailed
from tidycrm.customfields.choices import RecordType
from tidycrm.customfields.models import CustomFieldDefinition
from tidycrm.customfields.validation import coerce
from tidycrm.hygiene.text import fold
from tidycrm.lists.selectors import get_list
from tidycrm.lists.services import add_members, remove_members
from tidycrm.segments.models import BulkAction
from tidycrm.tags.models import Tag, TaggedItem
from tidycrm.tags.services import clean_tag_names, get_or_create_tags

MAX_TAGS = 20
CHOICE_FIELDS = {
    "lifecycle_stage": LifecycleStage,
    "lead_status": LeadStatus,
    "lead_source": LeadSource,
}
CLEARABLE = {"lead_status", "lead_source"}
CUSTOM_PREFIX = "custom."
DELETE_SNAPSHOT = ("display_name", "given_name", "family_name", "owner_id", "external_id")


@dataclass
class Counts:
    changed: list[int] = field(default_factory=list)
    unchanged: list[int] = field(default_factory=list)
    missing: list[int] = field(default_factory=list)

    def as_dict(self) -> dict[str, int]:
        return {
            "changed": len(self.changed),
            "unchanged": len(self.unchanged),
            "missing": len(self.missing),
        }


# -- checking parameters ---------------------------------------------------------------------


def check_params(kind: str, params: dict[str, Any], actor: User) -> dict[str, Any]:
    """The action's parameters, checked and in their stored form; errors name `params.<x>`."""
    if kind in ("tag", "untag"):
        names = params.get("tags")
        if not isinstance(names, list) or not names or len(names) > MAX_TAGS:
            raise ValidationFailed(
                {"params.tags": [f"must be a list of 1 to {MAX_TAGS} tag names."]}
            )
        if not all(isinstance(n, str) for n in names):
            raise ValidationFailed({"params.tags": ["must be a list of tag names."]})
        try:
            cleaned = clean_tag_names(names)
        except ValidationFailed as exc:
            raise ValidationFailed({"params.tags": exc.field_errors.get("tags", [])}) from exc
        if not cleaned:
            raise ValidationFailed({"params.tags": ["must name at least one tag."]})
        return {"tags": cleaned}
    if kind in ("add_to_list", "remove_from_list"):
        list_id = params.get("list_id")
        if isinstance(list_id, bool) or not isinstance(list_id, int) or list_id < 1:
            raise ValidationFailed({"params.list_id": ["must be a list id."]})
        get_list(list_id)
        return {"list_id": list_id}
    if kind == "change_owner":
        owner_id = params.get("owner_id")
        if isinstance(owner_id, bool) or not isinstance(owner_id, int):
            raise ValidationFailed({"params.owner_id": ["must be a user id."]})
        if not User.objects.filter(pk=owner_id, is_active=True).exists():
            raise ValidationFailed(
                {"params.owner_id": [f"user {owner_id} does not exist or is inactive."]}
            )
        return {"owner_id": owner_id}
    if kind == "set_field":
        return _check_set_field(params)
    return {}


def _check_set_field(params: dict[str, Any]) -> dict[str, Any]:
    name, value = params.get("field"), params.get("value")
    if not isinstance(name, str):
        raise ValidationFailed({"params.field": ["must name a field."]})
    if name in CHOICE_FIELDS:
        allowed = CHOICE_FIELDS[name].values
        if value in (None, "") and name in CLEARABLE:
            return {"field": name, "value": ""}
        if value not in allowed:
            raise ValidationFailed({"params.value": [f"{name} takes one of {', '.join(allowed)}."]})
        return {"field": name, "value": value}
    if name.startswith(CUSTOM_PREFIX):
        key = name.removeprefix(CUSTOM_PREFIX)
        definition = CustomFieldDefinition.objects.filter(
            record_type=RecordType.CONTACT, key=key
        ).first()
        if definition is None:
            raise ValidationFailed(
                {"params.field": [f"'{name[:80]}' is not a defined custom field."]}
            )
        if value in (None, "", []):
            if definition.required:
                raise ValidationFailed(
                    {"params.value": [f"{name} is required; it cannot be cleared."]}
                )
            return {"field": name, "value": None}
        try:
            return {"field": name, "value": coerce(definition, value)}
        except ValueError as exc:
            raise ValidationFailed({"params.value": [f"{name} {exc}"]}) from exc
    fields = ", ".join([*CHOICE_FIELDS, "custom.<key>"])
    raise ValidationFailed(
        {"params.field": [f"'{name[:80]}' cannot be set in bulk; use one of {fields}."]}
    )


# -- shared steps ----------------------------------------------------------------------------


def _visible(actor: User, ids: list[int], *fields: str) -> dict[int, dict[str, Any]]:
    rows = (
        visible_contacts(actor).filter(pk__in=ids).order_by().values("pk", "display_name", *fields)
    )
    return {row["pk"]: row for row in rows}


def _finish(
    action: BulkAction,
    actor: User,
    rows: dict[int, dict[str, Any]],
    changes: dict[int, dict[str, dict[str, Any]]],
    counts: Counts,
    *,
    bump: bool = True,
) -> Counts:
    """Move version/updated_at on, audit and announce the changed contacts."""
    changed = sorted(changes)
    if bump and changed:
        Contact.objects.filter(pk__in=changed).update(
            version=F("version") + 1, updated_at=timezone.now()
        )
    source = {"bulk_action": action.pk}
    record_changes_bulk(
        Contact,
        [(pk, rows[pk]["display_name"], changes[pk], source) for pk in changed],
        action=Action.UPDATE,
        channel=action.channel,
        actor=actor,
    )
    for pk in changed:
        events.emit(
            "contact.updated",
            id=pk,
            actor_id=actor.pk,
            channel=action.channel,
            fields=sorted(changes[pk]),
        )
    counts.changed += changed
    return counts


def _split(ids: list[int], rows: dict[int, Any]) -> Counts:
    return Counts(missing=[i for i in ids if i not in rows])


# -- tags ------------------------------------------------------------------------------------


def _tag_names(ids: list[int]) -> dict[int, list[str]]:
    content_type = ContentType.objects.get_for_model(Contact)
    names: dict[int, list[str]] = defaultdict(list)
    rows = TaggedItem.objects.filter(content_type=content_type, object_id__in=ids).values_list(
        "object_id", "tag__name"
    )
    for object_id, name in rows.order_by("tag__key"):
        names[object_id].append(name)
    return names


def tag(action: BulkAction, actor: User, ids: list[int]) -> Counts:
    tags = get_or_create_tags(action.params["tags"])
    return _retag(action, actor, ids, tags, adding=True)


def untag(action: BulkAction, actor: User, ids: list[int]) -> Counts:
    tags = list(Tag.objects.filter(key__in=[fold(name) for name in action.params["tags"]]))
    return _retag(action, actor, ids, tags, adding=False)


def _retag(
    action: BulkAction, actor: User, ids: list[int], tags: list[Tag], *, adding: bool
) -> Counts:
    rows = _visible(actor, ids)
    counts = _split(ids, rows)
    present = [i for i in ids if i in rows]
    before = _tag_names(present)
    names = {t.name for t in tags}
    changes: dict[int, dict[str, dict[str, Any]]] = {}
    for pk in present:
        old = sorted(before.get(pk, []))
        new = sorted({*old, *names} if adding else set(old) - names)
        if new != old:
            changes[pk] = {"tags": {"before": old, "after": new}}
        else:
            counts.unchanged.append(pk)
    content_type = ContentType.objects.get_for_model(Contact)
    if adding:
        meta = TaggedItem._meta
        columns = [
            str(meta.get_field(n).column)  # type: ignore[union-attr]
            for n in ("tag", "content_type", "object_id")
        ]
        insert_ignoring_conflicts(
            meta.db_table, columns, [(t.pk, content_type.pk, pk) for pk in changes for t in tags]
        )
    elif changes:
        TaggedItem.objects.filter(
            content_type=content_type, object_id__in=list(changes), tag__in=tags
        ).delete()
    return _finish(action, actor, rows, changes, counts)


# -- lists -----------------------------------------------------------------------------------


def _membership(action: BulkAction, actor: User, ids: list[int], adding: bool) -> Counts:
    contact_list = get_list(action.params["list_id"])
    write = add_members if adding else remove_members
    change = write(
        contact_list, ids, actor=actor, channel=action.channel, source={"bulk_action": action.pk}
    )
    return Counts(changed=change.changed, unchanged=change.unchanged, missing=change.missing)


def add_to_list(action: BulkAction, actor: User, ids: list[int]) -> Counts:
    return _membership(action, actor, ids, True)


def remove_from_list(action: BulkAction, actor: User, ids: list[int]) -> Counts:
    return _membership(action, actor, ids, False)


# -- owner and fields ------------------------------------------------------------------------


def change_owner(action: BulkAction, actor: User, ids: list[int]) -> Counts:
    owner_id = action.params["owner_id"]
    rows = _visible(actor, ids, "owner_id")
    counts = _split(ids, rows)
    changes = {}
    for pk, row in rows.items():
        if row["owner_id"] == owner_id:
            counts.unchanged.append(pk)
        else:
            changes[pk] = {"owner_id": {"before": row["owner_id"], "after": owner_id}}
    if changes:
        Contact.objects.filter(pk__in=list(changes)).update(owner_id=owner_id)
    return _finish(action, actor, rows, changes, counts)


def set_field(action: BulkAction, actor: User, ids: list[int]) -> Counts:
    name, value = action.params["field"], action.params["value"]
    if name.startswith(CUSTOM_PREFIX):
        return _set_custom(action, actor, ids, name.removeprefix(CUSTOM_PREFIX), value)
    rows = _visible(actor, ids, name)
    counts = _split(ids, rows)
    changes = {}
    for pk, row in rows.items():
        if row[name] == value:
            counts.unchanged.append(pk)
        else:
            changes[pk] = {name: {"before": row[name], "after": value}}
    if changes:
        Contact.objects.filter(pk__in=list(changes)).update(**{name: value})
    return _finish(action, actor, rows, changes, counts)


def _set_custom(action: BulkAction, actor: User, ids: list[int], key: str, value: Any) -> Counts:
    rows = _visible(actor, ids, "custom_fields")
    counts = _split(ids, rows)
    changes, updates = {}, []
    column = Contact._meta.get_field("custom_fields")
    now = timezone.now()
    for pk, row in rows.items():
        current = dict(row["custom_fields"] or {})
        old = current.get(key)
        if old == value:
            counts.unchanged.append(pk)
            continue
        if value is None:
            current.pop(key, None)
        else:
            current[key] = value
        changes[pk] = {f"custom_fields.{key}": {"before": old, "after": value}}
        updates.append((column.get_db_prep_save(current, connection), now, pk))
    if updates:
        table = connection.ops.quote_name(Contact._meta.db_table)
        with connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {table} SET custom_fields = %s, version = version + 1, "  # noqa: S608
                "updated_at = %s WHERE id = %s",
                updates,
            )
    return _finish(action, actor, rows, changes, counts, bump=False)


# -- delete ----------------------------------------------------------------------------------


def delete(action: BulkAction, actor: User, ids: list[int]) -> Counts:
    rows = _visible(actor, ids, *DELETE_SNAPSHOT[1:])
    counts = _split(ids, rows)
    doomed = sorted(rows)
    if not doomed:
        return counts
    source = {"bulk_action": action.pk}
    record_changes_bulk(
        Contact,
        [
            (
                pk,
                rows[pk]["display_name"],
                {name: {"before": rows[pk][name], "after": None} for name in DELETE_SNAPSHOT},
                source,
            )
            for pk in doomed
        ],
        action=Action.DELETE,
        channel=action.channel,
        actor=actor,
    )
    content_type = ContentType.objects.get_for_model(Contact)
    TaggedItem.objects.filter(content_type=content_type, object_id__in=doomed).delete()
    Contact.objects.filter(pk__in=doomed).delete()
    for pk in doomed:
        events.emit("contact.deleted", id=pk, actor_id=actor.pk)
    counts.changed += doomed
    return counts
