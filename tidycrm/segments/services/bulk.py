"""Bulk actions on a selection, list, segment or filter: tag/untag, add to/remove from a list,
change owner, set a field, export, delete.

`request_bulk_action` checks the action, fixes its contacts (targets.freeze) and runs it at once
when it is small, or as a Job on the task worker when it is big. `run_bulk_action` walks the
items in chunks of contact ids, each chunk in one transaction with its counts and checkpoint, so
a crashed worker resumes where it stopped and the result counts exactly what was done:
`changed`, `unchanged` (already so) and `missing` (deleted or no longer visible since).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from tidycrm.accounts.choices import Permission
from tidycrm.accounts.models import User
from tidycrm.accounts.services import require
from tidycrm.audit.choices import Channel
from tidycrm.core.exceptions import ValidationFailed
from tidycrm.core.jobs import JobCancelled, advance, create_job, finish_job, start_job
from tidycrm.core.models import JobStatus
from tidycrm.segments.choices import BulkKind, BulkStatus
from tidycrm.segments.models import BulkAction, BulkActionItem
from tidycrm.segments.services import bulk_ops
from tidycrm.segments.services.targets import describe, freeze, target_contacts

CHUNK = 5000
# Up to this many contacts an action runs within the request; beyond it, as a Job.
INLINE_LIMIT = 2000

Handler = Callable[[BulkAction, User, list[int]], bulk_ops.Counts]
HANDLERS: dict[str, Handler] = {
    BulkKind.TAG: bulk_ops.tag,
    BulkKind.UNTAG: bulk_ops.untag,
    BulkKind.ADD_TO_LIST: bulk_ops.add_to_list,
    BulkKind.REMOVE_FROM_LIST: bulk_ops.remove_from_list,
    BulkKind.CHANGE_OWNER: bulk_ops.change_owner,
    BulkKind.SET_FIELD: bulk_ops.set_field,
    BulkKind.DELETE: bulk_ops.delete,
}


@dataclass(frozen=True)
class Requested:
    action: BulkAction
    queued: bool


def request_bulk_action(
    *,
    kind: str,
    params: dict[str, Any],
    target: dict[str, Any],
    actor: User,
    channel: Channel | str,
    confirm: bool = False,
    inline_limit: int = INLINE_LIMIT,
) -> Requested:
    """Check, fix the contacts, and run (small) or queue (big) a bulk action."""
    if kind not in BulkKind.values:
        raise ValidationFailed(
            {"kind": [f"'{kind[:30]}' is not one of {', '.join(BulkKind.values)}."]}
        )
    require(actor, Permission.DELETE if kind == BulkKind.DELETE else Permission.VIEW)
    if kind not in (BulkKind.EXPORT, BulkKind.DELETE):
        require(actor, Permission.EDIT)
    checked = bulk_ops.check_params(kind, params, actor, channel)
    contacts = target_contacts(actor, target)
    with transaction.atomic():
        action = BulkAction.objects.create(
            kind=kind,
            params=checked,
            target=describe(target),
            created_by=actor,
            channel=str(channel),
        )
        action.requested = freeze(action, contacts)
        if kind == BulkKind.DELETE and not confirm:
            raise ValidationFailed(
                {"confirm": [f"must be true to delete {action.requested:,} contacts."]}
            )
        if kind == BulkKind.EXPORT:
            action.status = BulkStatus.DONE
            action.result = {"rows": action.requested}
        elif action.requested > inline_limit:
            action.job = create_job(
                "bulk-action",
                created_by=actor,
                params={"action": action.pk},
                total=action.requested,
            )
            _enqueue(action.pk)
        action.save()
    if action.job_id is None and action.status == BulkStatus.QUEUED:
        run_bulk_action(action.pk)
        action.refresh_from_db()
    return Requested(action=action, queued=action.job_id is not None)


def _enqueue(action_id: int) -> None:
    from tidycrm.segments.tasks import run_bulk_action_task

    transaction.on_commit(lambda: run_bulk_action_task.enqueue(action_id))


def run_bulk_action(action_id: int) -> BulkAction:
    """Run (or resume) a bulk action; safe to call again once it is done."""
    action = BulkAction.objects.select_related("created_by").get(pk=action_id)
    if action.status in (BulkStatus.DONE, BulkStatus.FAILED, BulkStatus.CANCELLED):
        return action
    handler = HANDLERS[action.kind]
    actor = action.created_by
    job = start_job(action.job_id) if action.job_id else None
    if job is not None and job.status == JobStatus.CANCELLED:
        return action
    BulkAction.objects.filter(pk=action.pk).update(status=BulkStatus.RUNNING)
    last = int((job.checkpoint if job else {}).get("after", 0))
    totals = dict(action.result or {})
    try:
        while True:
            ids = list(
                BulkActionItem.objects.filter(action=action, contact_id__gt=last)
                .order_by("contact_id")
                .values_list("contact_id", flat=True)[:CHUNK]
            )
            if not ids:
                break
            with transaction.atomic():
                counts = handler(action, actor, ids) if actor else bulk_ops.Counts(missing=ids)
                for name, value in counts.as_dict().items():
                    totals[name] = totals.get(name, 0) + value
                last = ids[-1]
                BulkAction.objects.filter(pk=action.pk).update(result=totals)
                if action.job_id:
                    done = sum(totals.get(k, 0) for k in ("changed", "unchanged", "missing"))
                    advance(action.job_id, done=done, checkpoint={"after": last})
    except JobCancelled:
        BulkAction.objects.filter(pk=action.pk).update(status=BulkStatus.CANCELLED, result=totals)
        finish_job(action.job_id, result=totals, cancelled=True)  # type: ignore[arg-type]
        action.refresh_from_db()
        return action
    except Exception as exc:
        BulkAction.objects.filter(pk=action.pk).update(
            status=BulkStatus.FAILED, error=str(exc)[:2000]
        )
        if action.job_id:
            finish_job(action.job_id, error=str(exc)[:2000])
        raise
    BulkAction.objects.filter(pk=action.pk).update(status=BulkStatus.DONE, result=totals)
    if action.job_id:
        finish_job(action.job_id, result=totals)
    action.refresh_from_db()
    return action
