"""Duplicates over the REST API: review queue, merge, unmerge, not duplicates, policy, scans."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Status

from tidycrm.accounts.api import current_user
from tidycrm.accounts.selectors import visible
from tidycrm.audit.choices import Channel
from tidycrm.core.api import RecordId, errors
from tidycrm.core.exceptions import NotFound, ValidationFailed
from tidycrm.core.models import Job
from tidycrm.core.pagination import paginate
from tidycrm.dedupe.choices import SCAN_JOB
from tidycrm.dedupe.kinds import kind_of
from tidycrm.dedupe.models import DuplicateGroup, Merge
from tidycrm.dedupe.schemas import (
    GroupDetail,
    GroupPage,
    MergeChoices,
    MergeIn,
    MergeOut,
    MergeQuery,
    PolicyIn,
    PolicyOut,
    QueueQuery,
    ScanIn,
    ScanOut,
)
from tidycrm.dedupe.selectors import get_group, group_view, merges_of, open_groups, visible_members
from tidycrm.dedupe.services.merge import merge_records, unmerge
from tidycrm.dedupe.services.policy import current_policy, update_policy
from tidycrm.dedupe.services.queue import mark_not_duplicates, merge_group
from tidycrm.dedupe.services.scan import start_scan

router = Router(tags=["duplicates"])


def _group_out(group: DuplicateGroup, members: list[int]) -> dict[str, Any]:
    return {
        "id": group.pk,
        "kind": group.kind,
        "status": group.status,
        "origin": group.origin,
        "confidence": group.confidence,
        "members": sorted(members),
        "created_at": group.created_at,
    }


def _merge_out(merge: Merge) -> dict[str, Any]:
    return {
        "id": merge.pk,
        "kind": merge.kind,
        "survivor_id": merge.survivor_id,
        "merged_ids": list(merge.merged_ids),
        "at": merge.at,
        "undone_at": merge.undone_at,
        "survivor_changes": merge.survivor_changes,
    }


def _versions(raw: dict[str, int]) -> dict[int, int]:
    bad = [k for k in raw if not k.isdigit()]
    if bad:
        raise ValidationFailed({"versions": [f"'{bad[0]}' is not a record id."]})
    return {int(k): v for k, v in raw.items()}


@router.get("/duplicates/groups", response={200: GroupPage, **errors()}, summary="Review queue")
def list_groups(request: HttpRequest, query: Query[QueueQuery]) -> dict[str, Any]:
    """Open duplicate groups, most certain first; groups with a record you cannot see are left
    out (so a page can hold fewer than `limit`)."""
    page = paginate(
        open_groups(query.kind, min_confidence=query.min_confidence),
        ["-confidence", "id"],
        query.limit,
        query.cursor,
    )
    members = visible_members(page.items, current_user(request))
    items = [_group_out(g, members[g.pk]) for g in page.items if len(members.get(g.pk, ())) >= 2]
    return {"items": items, "next_cursor": page.next_cursor}


@router.get(
    "/duplicates/groups/{group_id}",
    response={200: GroupDetail, **errors(404)},
    summary="A duplicate group side by side",
)
def read_group(request: HttpRequest, group_id: RecordId) -> dict[str, Any]:
    group = get_group(current_user(request), group_id)
    view = group_view(group)
    return {
        **_group_out(group, [r.pk for r in view.records]),
        "survivor_id": view.survivor_id,
        "versions": {str(k): v for k, v in view.versions.items()},
        "fields": [
            {
                "field": row.label,
                "values": {str(pk): value for pk, value in row.values},
                "differs": row.differs,
                "proposed": row.proposed,
            }
            for row in view.rows
        ],
        "pairs": [
            {"a": p.a, "b": p.b, "probability": p.probability, "evidence": p.evidence}
            for p in view.pairs
        ],
    }


@router.post(
    "/duplicates/groups/{group_id}/merge",
    response={201: MergeOut, **errors(403, 404, 409)},
    summary="Merge a group",
)
def merge_a_group(
    request: HttpRequest, group_id: RecordId, payload: MergeChoices
) -> Status[dict[str, Any]]:
    actor = current_user(request)
    group = get_group(actor, group_id)
    merge = merge_group(
        group,
        actor=actor,
        channel=Channel.API,
        survivor_id=payload.survivor_id,
        choices=dict(payload.choices),
        versions=_versions(dict(payload.versions)),
    )
    return Status(201, _merge_out(merge))


@router.post(
    "/duplicates/groups/{group_id}/not-duplicates",
    response={204: None, **errors(403, 404, 409)},
    summary="Mark a group as different records",
)
def not_duplicates(request: HttpRequest, group_id: RecordId) -> Status[None]:
    """Remembered: these records are never proposed together again."""
    actor = current_user(request)
    mark_not_duplicates(get_group(actor, group_id), actor=actor)
    return Status(204, None)


@router.post(
    "/duplicates/merges", response={201: MergeOut, **errors(403, 404, 409)}, summary="Merge records"
)
def merge(request: HttpRequest, payload: MergeIn) -> Status[dict[str, Any]]:
    """Merge any records of one kind; the survivor and values follow the survivorship rule
    unless `survivor_id` and `choices` say otherwise."""
    result = merge_records(
        payload.kind,
        list(payload.ids),
        actor=current_user(request),
        channel=Channel.API,
        survivor_id=payload.survivor_id,
        choices=dict(payload.choices),
        versions=_versions(dict(payload.versions)),
    )
    return Status(201, _merge_out(result))


@router.get(
    "/duplicates/merges",
    response={200: list[MergeOut], **errors(404)},
    summary="Merges into a record",
)
def list_merges(request: HttpRequest, query: Query[MergeQuery]) -> list[dict[str, Any]]:
    records = kind_of(query.kind).model._default_manager.filter(pk=query.record_id)
    if not visible(records, current_user(request)).exists():
        raise NotFound(f"{query.kind} {query.record_id} does not exist or is not visible to you.")
    return [_merge_out(m) for m in merges_of(query.kind, query.record_id)[:100]]


@router.post(
    "/duplicates/merges/{merge_id}/unmerge",
    response={200: MergeOut, **errors(403, 404, 409)},
    summary="Undo a merge",
)
def undo_merge(request: HttpRequest, merge_id: RecordId) -> dict[str, Any]:
    """The merged-away records come back with their ids, values and related records; edits
    made to the survivor since the merge stay."""
    return _merge_out(unmerge(merge_id, actor=current_user(request), channel=Channel.API))


@router.get("/duplicates/policy", response={200: PolicyOut, **errors()}, summary="Duplicate policy")
def read_policy(request: HttpRequest) -> dict[str, Any]:
    return vars(current_policy())


@router.patch(
    "/duplicates/policy", response={200: PolicyOut, **errors(403)}, summary="Change the policy"
)
def change_policy(request: HttpRequest, payload: PolicyIn) -> dict[str, Any]:
    """Per record kind and channel: off, warn, link (queue for review), block, merge (above
    the automatic merge threshold); and how merges choose surviving values."""
    actions = (
        {str(k): {c: str(a) for c, a in v.items()} for k, v in payload.actions.items()}
        if payload.actions is not None
        else None
    )
    view = update_policy(
        actor=current_user(request),
        actions=actions,
        survivorship=payload.survivorship,
        trusted_sources=payload.trusted_sources,
        auto_merge_threshold=payload.auto_merge_threshold,
    )
    return vars(view)


def _scan_out(job: Job) -> dict[str, Any]:
    return {
        "id": job.pk,
        "status": job.status,
        "done": job.done,
        "total": job.total,
        "result": job.result,
        "error": job.error,
    }


@router.post(
    "/duplicates/scans", response={202: ScanOut, **errors(403)}, summary="Start a duplicate scan"
)
def scan(request: HttpRequest, payload: ScanIn) -> Status[dict[str, Any]]:
    job = start_scan(payload.kind, actor=current_user(request), filters=dict(payload.filters))
    return Status(202, _scan_out(job))


@router.get(
    "/duplicates/scans/{scan_id}",
    response={200: ScanOut, **errors(404)},
    summary="A scan's progress",
)
def read_scan(request: HttpRequest, scan_id: RecordId) -> dict[str, Any]:
    job = Job.objects.filter(pk=scan_id, kind=SCAN_JOB).first()
    if job is None:
        raise NotFound(f"scan {scan_id} does not exist.")
    return _scan_out(job)
