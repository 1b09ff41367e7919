"""Writes for static lists: the lists themselves and their members, audited on each contact."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from tidycrm.accounts.choices import Permission
from tidycrm.accounts.models import User
from tidycrm.accounts.services import require
from tidycrm.audit.choices import Action, Channel
from tidycrm.audit.services import record_change, record_changes_bulk
from tidycrm.contacts.models import Contact
from tidycrm.core import events
from tidycrm.core.bulk_write import insert_ignoring_conflicts
from tidycrm.core.exceptions import Conflict, PermissionDenied, ValidationFailed
from tidycrm.hygiene.text import clean, fold
from tidycrm.lists.models import ContactList, ListMembership
from tidycrm.lists.selectors import list_names_for, visible_names

CHUNK = 5000
MAX_NAME = 120
MAX_DESCRIPTION = 500


def _checked_text(name: str, value: Any, limit: int, *, required: bool) -> str:
    if not isinstance(value, str):
        raise ValidationFailed({name: ["must be text."]})
    text = clean(value)
    if required and not text:
        raise ValidationFailed({name: ["is required."]})
    if len(text) > limit:
        raise ValidationFailed({name: [f"is longer than {limit} characters."]})
    return text


def unique_key(model: type[Model], name: str, exclude_id: int | None, noun: str) -> str:
    """The folded name as `model.key`, or a 409 when another record of `model` has it."""
    key = fold(name)[:MAX_NAME]
    taken = model._default_manager.filter(key=key)
    if exclude_id is not None:
        taken = taken.exclude(pk=exclude_id)
    if taken.exists():
        raise Conflict(
            f"name: a {noun} called '{name}' already exists.",
            field_errors={"name": [f"a {noun} with this name already exists."]},
        )
    return key


def _unique_key(name: str, exclude_id: int | None = None) -> str:
    return unique_key(ContactList, name, exclude_id, "list")


def create_list(
    *, name: str, description: str = "", actor: User, channel: Channel | str
) -> ContactList:
    require(actor, Permission.EDIT)
    name = _checked_text("name", name, MAX_NAME, required=True)
    description = _checked_text("description", description, MAX_DESCRIPTION, required=False)
    with transaction.atomic():
        contact_list = ContactList.objects.create(
            name=name, key=_unique_key(name), description=description, created_by=actor
        )
        record_change(
            contact_list,
            action=Action.CREATE,
            channel=channel,
            actor=actor,
            changes={
                "name": {"before": None, "after": name},
                "description": {"before": None, "after": description},
            },
        )
        events.emit("list.created", id=contact_list.pk, actor_id=actor.pk)
    return contact_list


def require_creator_or_admin(created_by_id: int | None, actor: User, noun: str) -> None:
    """A shared definition (list, segment) is changed by its creator or someone who manages
    settings; everyone else may use it."""
    if created_by_id == actor.pk:
        require(actor, Permission.EDIT)
    elif not actor.has_role_permission(Permission.MANAGE_SETTINGS):
        raise PermissionDenied(f"Only the {noun}'s creator or an admin may change or delete it.")


def _may_change(contact_list: ContactList, actor: User) -> None:
    require_creator_or_admin(contact_list.created_by_id, actor, "list")


def update_list(
    contact_list: ContactList,
    *,
    actor: User,
    channel: Channel | str,
    name: str | None = None,
    description: str | None = None,
) -> ContactList:
    _may_change(contact_list, actor)
    changes: dict[str, dict[str, Any]] = {}
    if name is not None:
        name = _checked_text("name", name, MAX_NAME, required=True)
        if name != contact_list.name:
            contact_list.key = _unique_key(name, exclude_id=contact_list.pk)
            changes["name"] = {"before": contact_list.name, "after": name}
            contact_list.name = name
    if description is not None:
        description = _checked_text("description", description, MAX_DESCRIPTION, required=False)
        if description != contact_list.description:
            changes["description"] = {"before": contact_list.description, "after": description}
            contact_list.description = description
    if changes:
        with transaction.atomic():
            contact_list.updated_at = timezone.now()
            contact_list.save()
            record_change(
                contact_list, action=Action.UPDATE, channel=channel, actor=actor, changes=changes
            )
    return contact_list


def delete_list(contact_list: ContactList, *, actor: User, channel: Channel | str) -> None:
    """Delete a list; its members stay (only their membership goes), recorded once on the list."""
    _may_change(contact_list, actor)
    require(actor, Permission.DELETE)
    with transaction.atomic():
        members = ListMembership.objects.filter(contact_list=contact_list).count()
        record_change(
            contact_list,
            action=Action.DELETE,
            channel=channel,
            actor=actor,
            changes={
                "name": {"before": contact_list.name, "after": None},
                "members": {"before": members, "after": None},
            },
        )
        list_id = contact_list.pk
        contact_list.delete()
        events.emit("list.deleted", id=list_id, actor_id=actor.pk)


@dataclass
class MembershipChange:
    """Exactly what a membership write did, by contact id."""

    changed: list[int] = field(default_factory=list)
    unchanged: list[int] = field(default_factory=list)
    # Ids that name no contact the actor can see (deleted, or never visible).
    missing: list[int] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "changed": len(self.changed),
            "unchanged": len(self.unchanged),
            "missing": len(self.missing),
        }


def add_members(
    contact_list: ContactList,
    contact_ids: Iterable[int],
    *,
    actor: User,
    channel: Channel | str,
    source: dict[str, Any] | None = None,
) -> MembershipChange:
    return _change_members(contact_list, contact_ids, True, actor, channel, source)


def remove_members(
    contact_list: ContactList,
    contact_ids: Iterable[int],
    *,
    actor: User,
    channel: Channel | str,
    source: dict[str, Any] | None = None,
) -> MembershipChange:
    return _change_members(contact_list, contact_ids, False, actor, channel, source)


def _change_members(
    contact_list: ContactList,
    contact_ids: Iterable[int],
    adding: bool,
    actor: User,
    channel: Channel | str,
    source: dict[str, Any] | None,
) -> MembershipChange:
    require(actor, Permission.EDIT)
    wanted = list(dict.fromkeys(contact_ids))
    result = MembershipChange()
    for start in range(0, len(wanted), CHUNK):
        with transaction.atomic():
            _change_chunk(
                contact_list, wanted[start : start + CHUNK], adding, actor, channel, source, result
            )
    return result


def _change_chunk(
    contact_list: ContactList,
    ids: Sequence[int],
    adding: bool,
    actor: User,
    channel: Channel | str,
    source: dict[str, Any] | None,
    result: MembershipChange,
) -> None:
    seen = visible_names(actor, ids)
    result.missing += [i for i in ids if i not in seen]
    present = set(
        ListMembership.objects.filter(contact_list=contact_list, contact_id__in=seen).values_list(
            "contact_id", flat=True
        )
    )
    change = [i for i in ids if i in seen and (i in present) != adding]
    result.unchanged += [i for i in ids if i in seen and (i in present) == adding]
    if not change:
        return
    before = list_names_for(change)
    now = timezone.now()
    if adding:
        meta = ListMembership._meta
        columns = [
            str(meta.get_field(name).column)  # type: ignore[union-attr]
            for name in ("contact_list", "contact", "added_at", "added_by")
        ]
        rows = [(contact_list.pk, i, now, actor.pk) for i in change]
        insert_ignoring_conflicts(meta.db_table, columns, rows)
    else:
        ListMembership.objects.filter(contact_list=contact_list, contact_id__in=change).delete()
    audits = []
    for contact_id in change:
        old = before.get(contact_id, [])
        new = sorted({*old, contact_list.name} if adding else set(old) - {contact_list.name})
        changes = {"lists": {"before": old, "after": new}}
        audits.append((contact_id, seen[contact_id], changes, source))
    record_changes_bulk(Contact, audits, action=Action.UPDATE, channel=channel, actor=actor)
    events.emit(
        "list.members_added" if adding else "list.members_removed",
        list_id=contact_list.pk,
        contact_ids=change,
        actor_id=actor.pk,
    )
    result.changed += change
