"""Reads of the review queue, of groups side by side, of merges and of exported pairs; scoped by
the reader's visibility (a group shows only when every record in it is visible)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

from django.db.models import Model, QuerySet

from tidycrm.accounts.models import User
from tidycrm.accounts.selectors import visible
from tidycrm.core.exceptions import NotFound
from tidycrm.core.models import Job
from tidycrm.dedupe.choices import SCAN_JOB, GroupStatus
from tidycrm.dedupe.kinds import Kind, kind_of
from tidycrm.dedupe.models import DuplicateGroup, DuplicateMember, DuplicatePair, Merge
from tidycrm.dedupe.survivorship import differing, proposal


def open_groups(kind: str, *, min_confidence: float = 0.0) -> QuerySet[DuplicateGroup]:
    return DuplicateGroup.objects.filter(
        kind=kind, status=GroupStatus.OPEN, confidence__gte=min_confidence
    ).order_by("-confidence", "id")


def visible_members(groups: Sequence[DuplicateGroup], actor: User | None) -> dict[int, list[int]]:
    """Group id -> the ids of members that still exist, for the groups whose every existing
    member the actor can see (a member merged away or deleted since is left out)."""
    members: dict[int, list[int]] = {group.pk: [] for group in groups}
    for group_id, record_id in DuplicateMember.objects.filter(group__in=groups).values_list(
        "group_id", "record_id"
    ):
        members[group_id].append(record_id)
    if not groups:
        return members
    records: Any = kind_of(groups[0].kind).model._default_manager.filter(
        pk__in={pk for ids in members.values() for pk in ids}
    )
    existing = set(records.values_list("pk", flat=True))
    seen = existing if actor is None else set(visible(records, actor).values_list("pk", flat=True))
    kept = {g: [pk for pk in ids if pk in existing] for g, ids in members.items()}
    return {g: ids for g, ids in kept.items() if ids and set(ids) <= seen}


def get_group(actor: User | None, group_id: int) -> DuplicateGroup:
    group = DuplicateGroup.objects.filter(pk=group_id).first()
    if group is None or group.pk not in visible_members([group], actor):
        raise NotFound(f"duplicate group {group_id} does not exist or is not visible to you.")
    return group


@dataclass
class Row:
    """One field group across the records of a group, for the side-by-side review."""

    label: str
    values: list[tuple[int, str]]
    differs: bool
    proposed: int


@dataclass
class GroupView:
    group: DuplicateGroup
    records: list[Model]
    survivor_id: int
    rows: list[Row] = field(default_factory=list)
    pairs: list[DuplicatePair] = field(default_factory=list)
    versions: dict[int, int] = field(default_factory=dict)


def group_view(group: DuplicateGroup) -> GroupView:
    kind = kind_of(group.kind)
    ids = list(group.members.values_list("record_id", flat=True))
    records = list(kind.model._default_manager.filter(pk__in=ids).order_by("pk"))
    if len(records) < 2:
        return GroupView(group, records, records[0].pk if records else 0)
    survivor_id, choices = proposal(kind, records)
    differs = differing(kind, records)
    rows = [
        Row(label, [(r.pk, shown(kind, r, label)) for r in records], label in differs, source)
        for label, source in choices.items()
    ]
    return GroupView(
        group,
        records,
        survivor_id,
        rows=rows,
        pairs=list(group.pairs.all()),
        versions={r.pk: getattr(r, "version", 0) for r in records},
    )


def shown(kind: Kind, record: Model, label: str) -> str:
    if label.startswith("custom:"):
        value: Any = (getattr(record, "custom_fields", None) or {}).get(
            label.removeprefix("custom:")
        )
    else:
        columns = kind.groups[label]
        if label == "name":
            value = getattr(record, columns[-2] if kind.name == "contact" else columns[0])
        elif columns[0].endswith("_id") and columns[0] != "external_id":
            related = getattr(record, columns[0].removesuffix("_id"))
            value = str(related) if related is not None else ""
        else:
            value = getattr(record, columns[0])
    if value is None or value == "" or value == [] or value == {}:
        return ""
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def record_names(kind: str, ids: Sequence[int]) -> dict[int, str]:
    model = kind_of(kind).model
    return {r.pk: str(r) for r in model._default_manager.filter(pk__in=ids)}


def recent_scans(kind: str, count: int = 3) -> list[Job]:
    return list(
        Job.objects.filter(kind=SCAN_JOB, params__kind=kind).order_by("-created_at")[:count]
    )


def merges_of(kind: str, record_id: int) -> QuerySet[Merge]:
    """The merges into this record, newest first (the record panel's history)."""
    return Merge.objects.filter(kind=kind, survivor_id=record_id).order_by("-at", "-id")


def export_pairs(kind: str) -> Iterator[tuple[str, str, float]]:
    """Every pair inside every open group (merging is transitive), with its score: the scored
    probability, or for a pair joined through others the group's weakest link; records named
    by the external id they were imported with, else by their id."""
    model = kind_of(kind).model
    groups = open_groups(kind)
    for chunk in _chunks(list(groups.values_list("pk", "confidence")), 500):
        group_ids = [g for g, _ in chunk]
        confidence = dict(chunk)
        members: dict[int, list[int]] = {g: [] for g in group_ids}
        for g, pk in DuplicateMember.objects.filter(group_id__in=group_ids).values_list(
            "group_id", "record_id"
        ):
            members[g].append(pk)
        scores = {
            (min(a, b), max(a, b)): p
            for a, b, p in DuplicatePair.objects.filter(group_id__in=group_ids).values_list(
                "a", "b", "probability"
            )
        }
        everyone = {pk for ids in members.values() for pk in ids}
        names = {
            pk: external or str(pk)
            for pk, external in model._default_manager.filter(pk__in=everyone).values_list(
                "pk", "external_id"
            )
        }
        for g in group_ids:
            for a, b in combinations(sorted(members[g]), 2):
                if a in names and b in names:
                    yield names[a], names[b], scores.get((a, b), confidence[g])


def _chunks[T](items: list[T], size: int) -> Iterator[list[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
