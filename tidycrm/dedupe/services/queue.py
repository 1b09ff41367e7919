"""The review queue: duplicate groups from scans and entry checks, "not duplicates" decisions,
and accepting many sure groups at once."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from tidycrm.accounts.choices import Permission
from tidycrm.accounts.models import User
from tidycrm.accounts.services import require
from tidycrm.audit.choices import Channel
from tidycrm.core.bulk_write import Table, insert, insert_with_ids, json_text
from tidycrm.core.exceptions import Conflict, DomainError
from tidycrm.dedupe.choices import GroupOrigin, GroupStatus
from tidycrm.dedupe.models import (
    DuplicateGroup,
    DuplicateMember,
    DuplicatePair,
    Merge,
    NotDuplicate,
)
from tidycrm.dedupe.services.merge import member_key, merge_records
from tidycrm.matching import Match

KEYS_PER_READ = 5_000


def ordered(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


def not_duplicate_pairs(kind: str, ids: Iterable[int] | None = None) -> set[tuple[int, int]]:
    rows = NotDuplicate.objects.filter(kind=kind)
    if ids is not None:
        wanted = list(ids)
        rows = rows.filter(a__in=wanted, b__in=wanted)
    return set(rows.values_list("a", "b"))


@dataclass
class Proposed:
    ids: list[int]
    pairs: list[Match]


def add_groups(
    kind: str,
    proposed: Sequence[Proposed],
    *,
    origin: str = GroupOrigin.SCAN,
    scan_id: int | None = None,
) -> int:
    """Store new open groups (a set of records already open or dismissed is not added twice).

    Set-based: a scan of a million contacts proposes hundreds of thousands of groups, and a
    model instance per group, member and pair cost more than the scan itself."""
    keys = {member_key(p.ids): p for p in proposed if len(p.ids) >= 2}
    known = _known_member_keys(kind, list(keys))
    fresh = [(key, p) for key, p in keys.items() if key not in known]
    if not fresh:
        return 0
    groups = Table(DuplicateGroup)
    defaults = groups.defaults()
    with transaction.atomic():
        ids = insert_with_ids(
            groups,
            [
                groups.row(
                    {
                        "kind": kind,
                        "origin": origin,
                        "member_key": key,
                        "scan_id": scan_id,
                        "confidence": min([m.probability for m in p.pairs], default=0.0),
                    },
                    defaults,
                )[1]
                for key, p in fresh
            ],
        )
        insert(
            DuplicateMember._meta.db_table,
            ["group_id", "record_id"],
            [
                (group_id, pk)
                for group_id, (_, p) in zip(ids, fresh, strict=True)
                for pk in sorted(set(p.ids))
            ],
        )
        insert(
            DuplicatePair._meta.db_table,
            ["group_id", "a", "b", "probability", "evidence"],
            [
                (group_id, int(m.a), int(m.b), m.probability, json_text(_evidence(m)))
                for group_id, (_, p) in zip(ids, fresh, strict=True)
                for m in p.pairs
            ],
        )
    return len(ids)


def _known_member_keys(kind: str, keys: list[str]) -> set[str]:
    """The keys among these of groups already open or dismissed (read in slices: a database
    takes only so many parameters in one statement)."""
    known: set[str] = set()
    for start in range(0, len(keys), KEYS_PER_READ):
        known.update(
            DuplicateGroup.objects.filter(
                kind=kind, member_key__in=keys[start : start + KEYS_PER_READ]
            )
            .exclude(status=GroupStatus.MERGED)
            .values_list("member_key", flat=True)
        )
    return known


def _evidence(match: Match) -> list[dict[str, object]]:
    return [
        {"field": e.field, "level": e.level, "weight": e.weight, "detail": e.detail}
        for e in match.evidence
    ]


def mark_not_duplicates(group: DuplicateGroup, *, actor: User | None) -> None:
    """Every pair of the group is remembered as different people; never proposed again."""
    if actor is not None:
        require(actor, Permission.EDIT)
    with transaction.atomic():
        locked = DuplicateGroup.objects.select_for_update().get(pk=group.pk)
        if locked.status != GroupStatus.OPEN:
            raise Conflict(f"This group is already {locked.get_status_display().lower()}.")
        ids = sorted(locked.members.values_list("record_id", flat=True))
        NotDuplicate.objects.bulk_create(
            [
                NotDuplicate(kind=locked.kind, a=a, b=b, decided_by=actor)
                for i, a in enumerate(ids)
                for b in ids[i + 1 :]
            ],
            ignore_conflicts=True,
        )
        locked.status = GroupStatus.DISMISSED
        locked.resolved_by = actor
        locked.resolved_at = timezone.now()
        locked.save(update_fields=["status", "resolved_by", "resolved_at", "updated_at"])


def merge_group(
    group: DuplicateGroup,
    *,
    actor: User | None,
    channel: Channel | str = Channel.UI,
    survivor_id: int | None = None,
    choices: dict[str, int] | None = None,
    versions: dict[int, int] | None = None,
) -> Merge:
    if group.status != GroupStatus.OPEN:
        raise Conflict(f"This group is already {group.get_status_display().lower()}.")
    ids = list(group.members.values_list("record_id", flat=True))
    return merge_records(
        group.kind,
        ids,
        actor=actor,
        channel=channel,
        survivor_id=survivor_id,
        choices=choices,
        versions=versions,
        group=group,
    )


@dataclass
class BulkOutcome:
    merged: int = 0
    failed: dict[int, str] | None = None


def accept_groups(
    kind: str,
    *,
    min_confidence: float,
    actor: User | None,
    channel: Channel | str = Channel.UI,
    limit: int | None = None,
) -> BulkOutcome:
    """Merge every open group at or above the confidence, by the survivorship rule; a group
    that cannot be merged (a record changed, one is not visible) is reported and left open."""
    outcome = BulkOutcome(failed={})
    groups = DuplicateGroup.objects.filter(
        kind=kind, status=GroupStatus.OPEN, confidence__gte=min_confidence
    ).order_by("-confidence", "id")
    for group in groups[:limit] if limit else groups.iterator():
        try:
            merge_group(group, actor=actor, channel=channel)
        except DomainError as exc:
            assert outcome.failed is not None
            outcome.failed[group.pk] = exc.message
        else:
            outcome.merged += 1
    return outcome
