"""Create, change, move and delete deals. Each write locks the row, checks `version`, writes
the stage history, records one audited change and queues events delivered after commit."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone

from tidycrm.accounts.choices import Permission
from tidycrm.accounts.models import User
from tidycrm.accounts.services import require
from tidycrm.audit.choices import Action, Channel
from tidycrm.audit.services import record_change
from tidycrm.core import events
from tidycrm.core.door import SaveResult, check_version
from tidycrm.core.jsonable import jsonable
from tidycrm.deals.choices import StageKind
from tidycrm.deals.models import Deal, DealContact, LossReason, Stage, StageChange
from tidycrm.deals.services import months, reach
from tidycrm.deals.services.clean import DealDraft, standardise_deal


def create_deal(
    data: Mapping[str, Any], *, actor: User, channel: Channel | str = Channel.UI
) -> SaveResult[Deal]:
    require(actor, Permission.EDIT)
    prepared = standardise_deal(data, actor=actor, deal=None)
    _check_loss_fields(prepared, None)
    prepared.draft.raise_if_invalid()
    with transaction.atomic():
        deal = Deal(**prepared.draft.fields)
        assert prepared.stage is not None
        now = timezone.now()
        deal.created_at = deal.updated_at = now
        _enter(deal, prepared.stage, now)
        deal.save()
        months.touch(deal.created_at, deal.closed_at)
        StageChange.objects.create(
            deal=deal, from_stage=None, to_stage=prepared.stage, changed_at=now, changed_by=actor
        )
        if prepared.contacts:
            _replace_contacts(deal, prepared.contacts)
        after = _snapshot(deal)
        changes = {k: {"before": None, "after": v} for k, v in after.items() if v not in ("", None)}
        record_change(deal, action=Action.CREATE, channel=channel, actor=actor, changes=changes)
        events.emit("deal.created", id=deal.pk, actor_id=actor.pk, channel=str(channel))
        _emit_outcome(deal, actor)
    return SaveResult(record=deal, created=True, changes=changes, warnings=[])


def update_deal(
    deal: Deal,
    data: Mapping[str, Any],
    *,
    actor: User,
    channel: Channel | str = Channel.UI,
    expected_version: int | None = None,
) -> SaveResult[Deal]:
    """Change only the fields in `data`; a new `stage_id` moves the deal (history kept)."""
    require(actor, Permission.EDIT)
    with transaction.atomic():
        locked = Deal.objects.select_for_update().select_related("pipeline").get(pk=deal.pk)
        check_version(locked, expected_version)
        prepared = standardise_deal(data, actor=actor, deal=locked)
        _check_loss_fields(prepared, locked)
        prepared.draft.raise_if_invalid()
        before = _snapshot(locked)
        stage_before = locked.stage_id
        closed_before = locked.closed_at
        for name, value in prepared.draft.fields.items():
            setattr(locked, name, value)
        now = timezone.now()
        moved = prepared.stage is not None and prepared.stage.pk != stage_before
        if moved:
            assert prepared.stage is not None
            _enter(locked, prepared.stage, now)
            StageChange.objects.create(
                deal=locked,
                from_stage_id=stage_before,
                to_stage=prepared.stage,
                changed_at=now,
                changed_by=actor,
            )
        contacts_before = _contact_rows(locked)
        if prepared.contacts is not None and prepared.contacts != contacts_before:
            _replace_contacts(locked, prepared.contacts)
        changes = _diff(before, _snapshot(locked))
        if changes:
            locked.version += 1
            locked.updated_at = now
            locked.save()
            months.touch(locked.created_at, closed_before, locked.closed_at)
            record_change(
                locked, action=Action.UPDATE, channel=channel, actor=actor, changes=changes
            )
            events.emit(
                "deal.updated",
                id=locked.pk,
                actor_id=actor.pk,
                channel=str(channel),
                fields=sorted(changes),
            )
        if moved:
            events.emit(
                "deal.stage_changed",
                id=locked.pk,
                actor_id=actor.pk,
                from_stage_id=stage_before,
                to_stage_id=locked.stage_id,
            )
            _emit_outcome(locked, actor)
    return SaveResult(record=locked, created=False, changes=changes, warnings=[])


def move_deal(
    deal: Deal,
    stage: Stage | int,
    *,
    actor: User,
    channel: Channel | str = Channel.UI,
    expected_version: int | None = None,
    loss_reason: LossReason | int | None = None,
    loss_note: str | None = None,
) -> SaveResult[Deal]:
    """Move a deal to another stage of its pipeline (the board's drag and drop)."""
    data: dict[str, Any] = {"stage_id": getattr(stage, "pk", stage)}
    if loss_reason is not None:
        data["loss_reason_id"] = getattr(loss_reason, "pk", loss_reason)
    if loss_note is not None:
        data["loss_note"] = loss_note
    return update_deal(deal, data, actor=actor, channel=channel, expected_version=expected_version)


def delete_deal(deal: Deal, *, actor: User, channel: Channel | str = Channel.UI) -> None:
    require(actor, Permission.DELETE)
    with transaction.atomic():
        snapshot = _snapshot(deal)
        changes = {k: {"before": v, "after": None} for k, v in snapshot.items()}
        record_change(deal, action=Action.DELETE, channel=channel, actor=actor, changes=changes)
        deal_id = deal.pk
        months.touch(deal.created_at, deal.closed_at)
        deal.delete()
        events.emit("deal.deleted", id=deal_id, actor_id=actor.pk, channel=str(channel))


def _enter(deal: Deal, stage: Stage, now: Any) -> None:
    """Status and dates follow the stage; leaving a lost stage drops the loss reason."""
    deal.stage = stage
    reach.enter(deal, stage)
    deal.status = stage.kind
    deal.stage_entered_at = now
    deal.closed_at = None if stage.kind == StageKind.OPEN else now
    if stage.kind != StageKind.LOST:
        deal.loss_reason = None
        deal.loss_note = ""


def _check_loss_fields(prepared: DealDraft, deal: Deal | None) -> None:
    """A lost deal says why (from the managed list); only a lost deal has a loss reason."""
    fields = prepared.draft.fields
    stage = prepared.stage or (deal.stage if deal else None)
    if stage is None:
        return
    reason = fields.get("loss_reason_id", deal.loss_reason_id if deal else None)
    if stage.kind == StageKind.LOST:
        if reason is None and LossReason.objects.filter(is_active=True).exists():
            prepared.draft.error("loss_reason_id", "is required to mark a deal lost.")
    elif fields.get("loss_reason_id") is not None or fields.get("loss_note"):
        name = "loss_reason_id" if fields.get("loss_reason_id") is not None else "loss_note"
        prepared.draft.error(name, "only a deal in a lost stage has a loss reason.")


def _emit_outcome(deal: Deal, actor: User) -> None:
    if deal.status != StageKind.OPEN:
        events.emit(f"deal.{deal.status}", id=deal.pk, actor_id=actor.pk)


def _contact_rows(deal: Deal) -> list[dict[str, Any]]:
    rows = DealContact.objects.filter(deal=deal).order_by("id").values_list("contact_id", "role")
    return [{"contact_id": contact_id, "role": role} for contact_id, role in rows]


def _replace_contacts(deal: Deal, rows: list[dict[str, Any]]) -> None:
    DealContact.objects.filter(deal=deal).delete()
    DealContact.objects.bulk_create([DealContact(deal=deal, **row) for row in rows])


def _snapshot(deal: Deal) -> dict[str, Any]:
    """What the audit log compares: plain fields, foreign keys by name (owner and team stay ids:
    the history view names them), contacts with roles."""
    names = {
        "pipeline": str(deal.pipeline) if deal.pipeline_id else None,
        "stage": str(deal.stage) if deal.stage_id else None,
        "loss_reason": str(deal.loss_reason) if deal.loss_reason_id else None,
        "company": str(deal.company) if deal.company_id else None,
    }
    plain = {
        name: getattr(deal, name)
        for name in (
            "name",
            "amount",
            "currency",
            "expected_close_date",
            "status",
            "owner_id",
            "team_id",
            "source",
            "loss_note",
        )
    }
    contacts = [f"{row['contact_id']}:{row['role']}" for row in _contact_rows(deal)]
    return jsonable({**plain, **names, "contacts": contacts})  # type: ignore[no-any-return]


def _diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        name: {"before": before.get(name), "after": value}
        for name, value in after.items()
        if before.get(name) != value
    }
