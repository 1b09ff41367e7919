"""The bulk actions themselves, one chunk of contact ids at a time.

Lists write through the lists services; every change to the contacts themselves (tags, owner,
fields, delete) goes through the contacts door's bulk form (`contacts.services.bulk_change`),
which checks, writes set-based, audits with the bulk action as the source and emits events.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tidycrm.accounts.models import User
from tidycrm.audit.choices import Channel
from tidycrm.contacts.choices import LeadSource, LeadStatus, LifecycleStage
from tidycrm.contacts.services.bulk_change import (
    BulkChange,
    change_contacts_bulk,
    check_bulk_change,
    delete_contacts_bulk,
    tag_contacts_bulk,
)
from tidycrm.core.exceptions import ValidationFailed
from tidycrm.customfields.choices import RecordType
from tidycrm.customfields.selectors import definitions_for
from tidycrm.lists.selectors import get_list
from tidycrm.lists.services import add_members, remove_members
from tidycrm.segments.models import BulkAction
from tidycrm.tags.services import clean_tag_names

MAX_TAGS = 20
CHOICE_FIELDS = {
    "lifecycle_stage": LifecycleStage,
    "lead_status": LeadStatus,
    "lead_source": LeadSource,
}
CUSTOM_PREFIX = "custom."


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


def check_params(
    kind: str, params: dict[str, Any], actor: User, channel: Channel | str
) -> dict[str, Any]:
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
        checked = _checked("owner_id", owner_id, "params.owner_id", actor, channel)
        return {"owner_id": checked["owner_id"]}
    if kind == "set_field":
        return _check_set_field(params, actor, channel)
    return {}


def _check_set_field(params: dict[str, Any], actor: User, channel: Channel | str) -> dict[str, Any]:
    name, value = params.get("field"), params.get("value")
    if not isinstance(name, str):
        raise ValidationFailed({"params.field": ["must name a field."]})
    key = name.removeprefix(CUSTOM_PREFIX)
    defined = name.startswith(CUSTOM_PREFIX) and any(
        d.key == key for d in definitions_for(RecordType.CONTACT)
    )
    if name not in CHOICE_FIELDS and not defined:
        if name.startswith(CUSTOM_PREFIX):
            problem = f"'{name[:80]}' is not a defined custom field."
        else:
            fields = ", ".join([*CHOICE_FIELDS, "custom.<key>"])
            problem = f"'{name[:80]}' cannot be set in bulk; use one of {fields}."
        raise ValidationFailed({"params.field": [problem]})
    if defined and value in ("", []):
        value = None
    checked = _checked(name, value, "params.value", actor, channel)
    stored = checked["custom_fields"][key] if defined else checked[name]
    return {"field": name, "value": stored}


def _as_change(name: str, value: Any) -> dict[str, Any]:
    if name.startswith(CUSTOM_PREFIX):
        return {"custom_fields": {name.removeprefix(CUSTOM_PREFIX): value}}
    return {name: value}


def _checked(
    name: str, value: Any, error_key: str, actor: User, channel: Channel | str
) -> dict[str, Any]:
    """The door's check of one field's new value; its problems under `error_key`."""
    try:
        return check_bulk_change(_as_change(name, value), actor=actor, channel=channel)
    except ValidationFailed as exc:
        prefix = f"{name} " if error_key == "params.value" else ""
        problems = [prefix + m for messages in exc.field_errors.values() for m in messages]
        raise ValidationFailed({error_key: problems}) from exc


# -- tags ------------------------------------------------------------------------------------


def _counts(change: BulkChange) -> Counts:
    return Counts(changed=change.changed, unchanged=change.unchanged, missing=change.missing)


def _source(action: BulkAction) -> dict[str, Any]:
    return {"bulk_action": action.pk}


def tag(action: BulkAction, actor: User, ids: list[int]) -> Counts:
    return _counts(
        tag_contacts_bulk(
            ids,
            action.params["tags"],
            adding=True,
            actor=actor,
            channel=action.channel,
            source=_source(action),
        )
    )


def untag(action: BulkAction, actor: User, ids: list[int]) -> Counts:
    return _counts(
        tag_contacts_bulk(
            ids,
            action.params["tags"],
            adding=False,
            actor=actor,
            channel=action.channel,
            source=_source(action),
        )
    )


# -- lists -----------------------------------------------------------------------------------


def _membership(action: BulkAction, actor: User, ids: list[int], adding: bool) -> Counts:
    contact_list = get_list(action.params["list_id"])
    write = add_members if adding else remove_members
    change = write(contact_list, ids, actor=actor, channel=action.channel, source=_source(action))
    return Counts(changed=change.changed, unchanged=change.unchanged, missing=change.missing)


def add_to_list(action: BulkAction, actor: User, ids: list[int]) -> Counts:
    return _membership(action, actor, ids, True)


def remove_from_list(action: BulkAction, actor: User, ids: list[int]) -> Counts:
    return _membership(action, actor, ids, False)


# -- owner, fields, delete: the contacts door's bulk form --------------------------------------


def _change(action: BulkAction, actor: User, ids: list[int], change: dict[str, Any]) -> Counts:
    return _counts(
        change_contacts_bulk(
            ids, change, actor=actor, channel=action.channel, source=_source(action)
        )
    )


def change_owner(action: BulkAction, actor: User, ids: list[int]) -> Counts:
    return _change(action, actor, ids, {"owner_id": action.params["owner_id"]})


def set_field(action: BulkAction, actor: User, ids: list[int]) -> Counts:
    return _change(action, actor, ids, _as_change(action.params["field"], action.params["value"]))


def delete(action: BulkAction, actor: User, ids: list[int]) -> Counts:
    return _counts(
        delete_contacts_bulk(ids, actor=actor, channel=action.channel, source=_source(action))
    )
