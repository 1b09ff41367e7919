"""Merge records into one, and undo a merge.

A merge locks every record (select_for_update, lowest id first), checks the versions the person
saw, moves every related row to the survivor (dedupe.relations), keeps the merged-away records'
rows and identifiers in the Merge's ledger and as aliases, deletes the merged-away records, sets
the chosen values on the survivor and writes one audit record. Unmerge re-inserts the records
with their ids, moves their rows back, and reverts each survivor value the merge set unless it
was edited since.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.core import serializers
from django.db import transaction
from django.db.models import ForeignKey, Model
from django.utils import timezone

from tidycrm.accounts.choices import Permission
from tidycrm.accounts.models import User
from tidycrm.accounts.selectors import visible
from tidycrm.accounts.services import require
from tidycrm.audit.choices import Action, Channel
from tidycrm.audit.services import record_change
from tidycrm.core import events
from tidycrm.core.exceptions import Conflict, NotFound, PermissionDenied, ValidationFailed
from tidycrm.core.jsonable import jsonable
from tidycrm.dedupe import relations
from tidycrm.dedupe.choices import GroupStatus
from tidycrm.dedupe.kinds import Kind, kind_of
from tidycrm.dedupe.models import DuplicateGroup, DuplicateMember, Merge, MergedRecord
from tidycrm.dedupe.survivorship import chosen_values, proposal


def member_key(ids: Iterable[int]) -> str:
    """A group's identity: the SHA-1 of its sorted member ids."""
    text = ",".join(str(i) for i in sorted(set(ids)))
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()


def where_merged(kind: str, record_id: int) -> Merge | None:
    """The merge (not undone) that took this record away, if any."""
    found = (
        MergedRecord.objects.filter(kind=kind, record_id=record_id, merge__undone_at__isnull=True)
        .select_related("merge")
        .order_by("-merge__at")
        .first()
    )
    return found.merge if found is not None else None


def _lock(kind: Kind, ids: Sequence[int], actor: User | None) -> dict[int, Model]:
    """The records, locked; clear errors for missing, already merged or invisible ones."""
    manager = kind.model._default_manager
    records = {r.pk: r for r in manager.select_for_update().filter(pk__in=ids).order_by("pk")}
    noun = kind.model._meta.verbose_name
    for pk in ids:
        if pk in records:
            continue
        merge = where_merged(kind.name, pk)
        if merge is not None:
            raise Conflict(
                f"{noun} {pk} was already merged into {noun} {merge.survivor_id} "
                f"(merge {merge.pk}).",
                field_errors={"ids": [f"{pk} was already merged into {merge.survivor_id}."]},
            )
        raise NotFound(f"{noun} {pk} does not exist.", field_errors={"ids": [f"{pk}: not found."]})
    if actor is not None:
        seen = set(visible(manager.filter(pk__in=ids), actor).values_list("pk", flat=True))
        hidden = sorted(set(ids) - seen)
        if hidden:
            raise PermissionDenied(
                f"You cannot see {noun} {hidden[0]}, so you cannot merge it.",
                field_errors={"ids": [f"{pk}: not visible to you." for pk in hidden]},
            )
    return records


def _check_versions(records: Mapping[int, Model], versions: Mapping[int, int] | None) -> None:
    for pk, expected in (versions or {}).items():
        current = getattr(records.get(pk), "version", None)
        if current is not None and current != expected:
            raise Conflict(
                f"Record {pk} changed since you loaded it (now version {current}, you saw "
                f"{expected}). Reload the group and choose again.",
                field_errors={"versions": [f"{pk} is out of date."]},
            )


def merge_records(
    kind_name: str,
    ids: Sequence[int],
    *,
    actor: User | None,
    channel: Channel | str = Channel.UI,
    survivor_id: int | None = None,
    choices: Mapping[str, int] | None = None,
    versions: Mapping[int, int] | None = None,
    group: DuplicateGroup | None = None,
) -> Merge:
    """Merge the records `ids` into one (the survivor: given, or by the survivorship rule)."""
    kind = kind_of(kind_name)
    wanted = sorted(set(ids))
    if len(wanted) < 2:
        raise ValidationFailed({"ids": ["name at least two different records."]})
    if survivor_id is not None and survivor_id not in wanted:
        raise ValidationFailed({"survivor_id": ["must be one of the records merged."]})
    if actor is not None:
        require(actor, Permission.EDIT)
    with transaction.atomic():
        records = _lock(kind, wanted, actor)
        _check_versions(records, versions)
        survivor_pk, proposed = proposal(kind, list(records.values()), survivor_id)
        picked = _valid_choices(kind, proposed, choices, records)
        survivor = records[survivor_pk]
        others = [records[pk] for pk in wanted if pk != survivor_pk]
        other_ids = [o.pk for o in others]
        merge = Merge.objects.create(
            kind=kind.name,
            survivor_id=survivor_pk,
            merged_ids=other_ids,
            actor=actor,
            channel=str(channel),
            group=group,
        )
        kind.add_aliases(survivor, others, merge.pk)
        snapshot = json.loads(serializers.serialize("json", others))
        ledger: dict[str, Any] = relations.move(kind, survivor_pk, other_ids)
        ledger["records"] = snapshot
        kind.model._base_manager.filter(pk__in=other_ids).delete()
        changes = _apply_values(kind, survivor, chosen_values(kind, records, picked), other_ids)
        merge.ledger = ledger
        merge.survivor_changes = changes
        merge.save(update_fields=["ledger", "survivor_changes"])
        MergedRecord.objects.bulk_create(
            MergedRecord(kind=kind.name, record_id=pk, merge=merge) for pk in other_ids
        )
        audit = {
            **changes,
            "merged": {"before": None, "after": [f"{o.pk}: {o}" for o in others]},
        }
        record_change(
            survivor,
            action=Action.UPDATE,
            channel=channel,
            actor=actor,
            changes=audit,
            source={"merge": merge.pk},
        )
        kind.refresh([survivor_pk])
        _settle_groups(kind.name, survivor_pk, other_ids, group, actor)
        events.emit(
            f"{kind.name}.merged",
            id=survivor_pk,
            merged_ids=other_ids,
            merge_id=merge.pk,
            actor_id=getattr(actor, "pk", None),
            channel=str(channel),
        )
    return merge


def _valid_choices(
    kind: Kind,
    proposed: dict[str, int],
    choices: Mapping[str, int] | None,
    records: Mapping[int, Model],
) -> dict[str, int]:
    picked = dict(proposed)
    errors: dict[str, list[str]] = {}
    for label, source in (choices or {}).items():
        if label not in proposed and label not in kind.groups:
            errors.setdefault("choices", []).append(f"'{label}' is not a field you can choose.")
        elif source not in records:
            errors.setdefault("choices", []).append(
                f"'{label}': {source} is not one of the records merged."
            )
        else:
            picked[label] = source
    if errors:
        raise ValidationFailed(errors)
    return picked


def _apply_values(
    kind: Kind, survivor: Model, values: Mapping[str, Any], other_ids: Sequence[int]
) -> dict[str, dict[str, Any]]:
    """Set the chosen values on the survivor, bump its version; returns what changed."""
    self_links = {
        f.attname
        for f in kind.model._meta.concrete_fields
        if isinstance(f, ForeignKey) and f.related_model is kind.model
    }
    changes: dict[str, dict[str, Any]] = {}
    for column, value in values.items():
        if column in self_links and (value in other_ids or value == survivor.pk):
            value = None  # a record cannot belong to itself (a company its own parent)
        before = getattr(survivor, column)
        if before != value:
            changes[column] = {"before": jsonable(before), "after": jsonable(value)}
            setattr(survivor, column, value)
    survivor.version = getattr(survivor, "version", 0) + 1  # type: ignore[attr-defined]
    survivor.updated_at = timezone.now()  # type: ignore[attr-defined]
    survivor.save()
    return changes


def _settle_groups(
    kind: str,
    survivor_id: int,
    other_ids: Sequence[int],
    group: DuplicateGroup | None,
    actor: User | None,
) -> None:
    """The merged group is done; other open groups follow their members to the survivor."""
    now = timezone.now()
    if group is not None:
        DuplicateGroup.objects.filter(pk=group.pk).update(
            status=GroupStatus.MERGED, resolved_by=actor, resolved_at=now, updated_at=now
        )
    touched = DuplicateGroup.objects.filter(
        kind=kind, status=GroupStatus.OPEN, members__record_id__in=other_ids
    ).distinct()
    for open_group in touched:
        members = set(open_group.members.values_list("record_id", flat=True))
        members = {survivor_id if m in other_ids else m for m in members}
        DuplicateMember.objects.filter(group=open_group, record_id__in=other_ids).delete()
        if len(members) < 2:
            open_group.status = GroupStatus.MERGED
            open_group.resolved_at = now
            open_group.save(update_fields=["status", "resolved_at"])
            continue
        DuplicateMember.objects.get_or_create(group=open_group, record_id=survivor_id)
        open_group.member_key = member_key(members)
        open_group.save(update_fields=["member_key"])


def unmerge(merge_id: int, *, actor: User | None, channel: Channel | str = Channel.UI) -> Merge:
    """Undo a merge: the merged-away records come back as they were, with their rows."""
    if actor is not None:
        require(actor, Permission.EDIT)
    with transaction.atomic():
        merge = Merge.objects.select_for_update().filter(pk=merge_id).first()
        if merge is None:
            raise NotFound(f"merge {merge_id} does not exist.")
        if merge.undone_at is not None:
            raise Conflict(f"merge {merge_id} was already undone.")
        kind = kind_of(merge.kind)
        later = where_merged(kind.name, merge.survivor_id)
        if later is not None and later.pk != merge.pk:
            raise Conflict(
                f"{kind.name} {merge.survivor_id} was itself merged into {later.survivor_id} "
                f"later (merge {later.pk}): undo that merge first."
            )
        survivor = _lock(kind, [merge.survivor_id], actor)[merge.survivor_id]
        for item in serializers.deserialize("json", json.dumps(merge.ledger.get("records", []))):
            item.save()
        notes = relations.restore(merge.survivor_id, merge.ledger)
        reverted = _revert_values(survivor, merge.survivor_changes)
        from tidycrm.contacts.models import ContactAlias

        ContactAlias.objects.filter(merge_id=merge.pk).delete()
        merge.records.all().delete()
        merge.undone_at = timezone.now()
        merge.undone_by = actor
        merge.save(update_fields=["undone_at", "undone_by"])
        if merge.group_id is not None:
            DuplicateGroup.objects.filter(pk=merge.group_id).update(status=GroupStatus.OPEN)
        record_change(
            survivor,
            action=Action.UPDATE,
            channel=channel,
            actor=actor,
            changes={
                **reverted,
                "unmerged": {"before": None, "after": list(merge.merged_ids), "notes": notes},
            },
            source={"unmerge": merge.pk},
        )
        kind.refresh([merge.survivor_id, *merge.merged_ids])
        events.emit(
            f"{kind.name}.unmerged",
            id=merge.survivor_id,
            restored_ids=list(merge.merged_ids),
            merge_id=merge.pk,
            actor_id=getattr(actor, "pk", None),
        )
    return merge


def _revert_values(survivor: Model, changes: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """Each value the merge set goes back, unless someone changed it since."""
    reverted: dict[str, Any] = {}
    fields = {f.attname: f for f in survivor._meta.concrete_fields}
    for column, change in changes.items():
        field = fields[column]
        current = jsonable(getattr(survivor, column))
        if current != change["after"]:
            continue  # edited after the merge: the edit stays
        value = field.to_python(change["before"])
        setattr(survivor, column, value)
        reverted[column] = {"before": change["after"], "after": change["before"]}
    if reverted:
        survivor.version = getattr(survivor, "version", 0) + 1  # type: ignore[attr-defined]
        survivor.updated_at = timezone.now()  # type: ignore[attr-defined]
        survivor.save()
    return reverted
