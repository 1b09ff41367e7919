"""The batch scan: all records (or a filter's) as a Job with progress, filling the review queue.

Phases, each a checkpoint: "loaded" (records read), "trained" (the model is stored, so a
restarted scan does not train again), "done" (groups written together with the checkpoint, in
one transaction). A worker that dies mid-phase leaves the job running; `resume_stalled` (or
`tidycrm duplicates scan` again) picks it up from the last checkpoint.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.http import QueryDict
from django.utils import timezone

from tidycrm.accounts.choices import Permission
from tidycrm.accounts.models import User
from tidycrm.accounts.selectors import visible
from tidycrm.accounts.services import require
from tidycrm.companies.match_keys import all_company_records
from tidycrm.companies.models import Company
from tidycrm.contacts.models import Contact
from tidycrm.contacts.services.match_keys import all_person_records
from tidycrm.core import planner
from tidycrm.core.collector import paused_collection
from tidycrm.core.exceptions import ValidationFailed
from tidycrm.core.jobs import FINISHED, JobCancelled, advance, create_job, finish_job, start_job
from tidycrm.core.models import Job, JobStatus
from tidycrm.dedupe.choices import SCAN_JOB, RecordKind
from tidycrm.dedupe.models import DuplicateGroup, DuplicateMember, DuplicatePair
from tidycrm.dedupe.services import models_store
from tidycrm.dedupe.services.queue import Proposed, add_groups, not_duplicate_pairs, ordered
from tidycrm.matching import (
    DEFAULT_THRESHOLD,
    Match,
    Table,
    cluster,
    scan_companies,
    scan_people,
)

log = logging.getLogger(__name__)
Progress = Callable[[int, int | None], None]
STALLED_AFTER = 15 * 60
QUEUE_TABLES = tuple(m._meta.db_table for m in (DuplicateGroup, DuplicateMember, DuplicatePair))


def start_scan(
    kind: str = RecordKind.CONTACT,
    *,
    actor: User | None,
    filters: Mapping[str, str] | None = None,
    inline: bool = False,
) -> Job:
    """Create the scan job; queued for the worker unless the caller runs it (inline)."""
    if actor is not None:
        require(actor, Permission.EDIT)
    if kind not in RecordKind.values:
        raise ValidationFailed({"kind": [f"must be one of {', '.join(RecordKind.values)}."]})
    chosen = dict(filters or {})
    _selected_ids(kind, chosen, actor)  # a bad filter is refused now, not in the job
    job = create_job(SCAN_JOB, created_by=actor, params={"kind": kind, "filters": chosen})
    if not inline:
        from tidycrm.dedupe.tasks import scan_task

        transaction.on_commit(lambda: scan_task.enqueue(job.pk))
    return job


def _selected_ids(kind: str, filters: Mapping[str, str], actor: User | None) -> list[int] | None:
    """The ids a filtered or restricted scan covers; None for every record."""
    model = Contact if kind == RecordKind.CONTACT else Company
    if not filters and (actor is None or actor.visibility == "all"):
        return None
    records: Any = model.objects.all()
    if actor is not None:
        records = visible(records, actor)
    if filters and kind == RecordKind.CONTACT:
        from tidycrm.contacts.filters import ContactFilter

        query = QueryDict(mutable=True)
        query.update(filters)
        filterset = ContactFilter(query, queryset=records)
        if not filterset.is_valid():
            raise ValidationFailed(
                {f"filters.{k}": [str(m) for m in v] for k, v in filterset.errors.items()}
            )
        records = filterset.qs
    return sorted(set(records.values_list("pk", flat=True)))


def run_scan(job_id: int, progress: Progress | None = None) -> Job:
    """Run (or resume) a scan job to the end; safe to call again after a crash."""
    job = start_job(job_id)
    if job.status in FINISHED:
        return job
    try:
        result = _phases(job, progress)
    except JobCancelled:
        return finish_job(job_id, cancelled=True)
    except Exception:
        log.exception("duplicate scan %s failed", job_id)
        return finish_job(job_id, error="The scan stopped on an unexpected error.")
    return finish_job(job_id, result=result)


def _phases(job: Job, progress: Progress | None) -> dict[str, Any]:
    kind = job.params.get("kind", RecordKind.CONTACT)
    checkpoint = dict(job.checkpoint or {})
    if checkpoint.get("phase") == "done":
        return dict(checkpoint.get("result", {}))
    ids = _selected_ids(kind, job.params.get("filters") or {}, job.created_by)
    if kind == RecordKind.CONTACT:
        matches = _scan_people(job, ids, checkpoint, progress)
    else:
        matches = _scan_companies(job, ids, checkpoint, progress)
    # the groups and the queue's rows: millions of objects, none in a cycle, while the
    # matches stay alive (each collection would walk them all again)
    with paused_collection():
        return _write_groups(job, kind, checkpoint, matches)


def _write_groups(
    job: Job, kind: str, checkpoint: dict[str, Any], matches: list[Match]
) -> dict[str, Any]:
    """Phase "done": the groups, in one transaction with the checkpoint."""
    kept = _not_refused(kind, matches)
    groups = cluster(kept, threshold=DEFAULT_THRESHOLD)
    proposed = _proposals(groups, kept)
    result = {"kind": kind, "pairs": len(kept), "groups_found": len(groups)}
    with transaction.atomic():
        locked = Job.objects.select_for_update().get(pk=job.pk)
        if locked.status != JobStatus.RUNNING or locked.checkpoint.get("phase") == "done":
            return result  # cancelled, or another runner of a resumed scan finished first
        result["groups_added"] = add_groups(kind, proposed, scan_id=job.pk)
        locked.checkpoint = {**checkpoint, "phase": "done", "result": result}
        locked.save(update_fields=["checkpoint"])
    # the queue's tables may have grown by millions of rows: the review page and the export
    # would otherwise be planned as for empty tables
    written = sum(1 + len(p.ids) + len(p.pairs) for p in proposed)
    planner.refresh_after(written, QUEUE_TABLES, what=f"duplicate scan {job.pk}")
    return result


def _not_refused(kind: str, matches: list[Match]) -> list[Match]:
    """The matches no one has said are different people."""
    refused = not_duplicate_pairs(kind)
    if not refused:
        return matches
    return [m for m in matches if ordered(int(m.a), int(m.b)) not in refused]


def _proposals(groups: list[list[str]], matches: list[Match]) -> list[Proposed]:
    """Each group with its scored pairs (those inside it), strongest first."""
    proposed = [Proposed([int(i) for i in group], []) for group in groups]
    group_of = {
        member: proposal
        for group, proposal in zip(groups, proposed, strict=True)
        for member in group
    }
    for m in matches:
        found = group_of.get(m.a)
        if found is not None and found is group_of.get(m.b):
            found.pairs.append(m)
    return proposed


def _load(
    job: Job, batches: Iterator[list[Any]], total: int, progress: Progress | None
) -> Iterator[Any]:
    """Phase "loaded": the records, streamed batch by batch with progress."""
    advance(job.pk, done=0, total=total)
    done = 0
    for batch in batches:
        yield from batch
        done += len(batch)
        advance(job.pk, done=done)
        if progress:
            progress(done, total)


def _due(kind: str, count: int, checkpoint: dict[str, Any]) -> bool:
    """Is the model to be trained (again) before this scan?"""
    return checkpoint.get("phase") != "trained" and models_store.needs_training(kind, count)


def _trained(job: Job, checkpoint: dict[str, Any], count: int) -> None:
    """Phase "trained": the model is stored, a resumed scan does not train again."""
    checkpoint["phase"] = "trained"
    advance(job.pk, done=count, checkpoint=checkpoint)


def _scan_people(
    job: Job, ids: list[int] | None, checkpoint: dict[str, Any], progress: Progress | None
) -> list[Match]:
    total = len(ids) if ids is not None else Contact.objects.count()
    # streamed into the table the scan reads: a million records held at once took a
    # gigabyte, their table a fraction of it
    records = _load(job, all_person_records(ids), total, progress)
    people: Iterator[Any] | Table = records
    if _due(RecordKind.CONTACT, total, checkpoint):
        # training builds the records' table; the scan takes it instead of building it again
        people = models_store.train_people_for_scan(records)
        _trained(job, checkpoint, len(people))

    def scored(done: int, pairs: int) -> None:
        advance(job.pk, done=total)  # shows the scan alive (see resume_stalled)
        if progress:
            progress(total, total)

    return scan_people(people, models_store.person_model(), progress=scored)


def _scan_companies(
    job: Job, ids: list[int] | None, checkpoint: dict[str, Any], progress: Progress | None
) -> list[Match]:
    total = len(ids) if ids is not None else Company.objects.count()
    records = list(_load(job, all_company_records(ids), total, progress))
    if _due(RecordKind.COMPANY, len(records), checkpoint):
        models_store.train_companies(records)
        _trained(job, checkpoint, len(records))
    return scan_companies(records, models_store.company_model())


def resume_stalled(*, running_after: float = STALLED_AFTER, queued_after: float = 60) -> list[int]:
    """Queue again the scans a dead worker left: running without progress for
    `running_after` seconds (a live scan reports progress every few seconds), or queued for
    `queued_after` seconds. The Duplicates page calls it; a worker can call it when it starts.
    A scan resumed twice only wastes work: its groups are written once (see `_phases`)."""
    from tidycrm.dedupe.tasks import scan_task

    now = timezone.now()
    stalled = Job.objects.filter(
        kind=SCAN_JOB,
        status=JobStatus.RUNNING,
        updated_at__lt=now - timedelta(seconds=running_after),
    ) | Job.objects.filter(
        kind=SCAN_JOB, status=JobStatus.QUEUED, updated_at__lt=now - timedelta(seconds=queued_after)
    )
    resumed = []
    for job in stalled:
        scan_task.enqueue(job.pk)
        resumed.append(job.pk)
    return resumed


def latest_unfinished(kind: str) -> Job | None:
    """A scan of this kind a crash left unfinished, to resume instead of starting over."""
    return (
        Job.objects.filter(kind=SCAN_JOB, params__kind=kind, status=JobStatus.RUNNING)
        .order_by("-created_at")
        .first()
    )
