"""Pipelines, their stages and the loss reasons: set up by whoever manages settings."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Model

from tidycrm.accounts.choices import Permission
from tidycrm.accounts.models import User
from tidycrm.accounts.services import require
from tidycrm.audit.choices import Action, Channel
from tidycrm.audit.services import diff, record_change
from tidycrm.core import events
from tidycrm.core.door import Draft, check_version
from tidycrm.core.exceptions import Conflict, ValidationFailed
from tidycrm.deals.choices import StageKind
from tidycrm.deals.models import Deal, LossReason, Pipeline, Stage
from tidycrm.deals.services.clean import currency_code
from tidycrm.deals.services.reach import refresh_reached
from tidycrm.hygiene.fields import choice_field, count_field, text_field
from tidycrm.records.steps import unknown_fields

PIPELINE_FIELDS = ("name", "currency", "position", "is_active")
STAGE_FIELDS = ("name", "position", "probability", "kind")
REASON_FIELDS = ("name", "position", "is_active")


def _name(data: Mapping[str, Any], draft: Draft, creating: bool) -> None:
    if "name" in data or creating:
        name, problem = text_field(data.get("name"), 120)
        if problem:
            draft.error("name", problem)
        elif not name:
            draft.error("name", "is required.")
        draft.fields["name"] = name


def _count(data: Mapping[str, Any], draft: Draft, name: str, most: int | None = None) -> None:
    if name not in data or data[name] is None:
        return
    value, problem = count_field(data[name])
    if problem is None and most is not None and value > most:
        problem = f"must be from 0 to {most}."
    if problem:
        draft.error(name, problem)
    draft.fields[name] = value


def _flag(data: Mapping[str, Any], draft: Draft, name: str) -> None:
    if name in data and data[name] is not None:
        if not isinstance(data[name], bool):
            draft.error(name, "must be true or false.")
        draft.fields[name] = bool(data[name])


def _save[M: Model](
    record: M,
    draft: Draft,
    *,
    created: bool,
    actor: User,
    channel: Channel | str,
    expected_version: int | None,
    event: str,
    unique_message: str,
) -> M:
    draft.raise_if_invalid()
    with transaction.atomic():
        if not created:
            record = type(record)._default_manager.select_for_update().get(pk=record.pk)
            check_version(record, expected_version)
        before = {} if created else {k: getattr(record, k) for k in draft.fields}
        for name, value in draft.fields.items():
            setattr(record, name, value)
        changes = diff(before, dict(draft.fields))
        if not created and not changes:
            return record
        if not created and hasattr(record, "version"):
            record.version += 1
        try:
            with transaction.atomic():
                record.save()
        except IntegrityError as exc:
            raise Conflict(
                f"name: {unique_message}", field_errors={"name": [unique_message]}
            ) from exc
        record_change(
            record,
            action=Action.CREATE if created else Action.UPDATE,
            channel=channel,
            actor=actor,
            changes=changes,
        )
        events.emit(f"{event}.{'created' if created else 'updated'}", id=record.pk)
    return record


def save_pipeline(
    data: Mapping[str, Any],
    *,
    actor: User,
    pipeline: Pipeline | None = None,
    channel: Channel | str = Channel.UI,
    expected_version: int | None = None,
) -> Pipeline:
    require(actor, Permission.MANAGE_SETTINGS)
    draft = Draft()
    unknown_fields(data, PIPELINE_FIELDS, draft)
    _name(data, draft, pipeline is None)
    if "currency" in data and data["currency"] is not None:
        code, problem = currency_code(data["currency"])
        if problem:
            draft.error("currency", problem)
        draft.fields["currency"] = code
    _count(data, draft, "position")
    _flag(data, draft, "is_active")
    return _save(
        pipeline or Pipeline(),
        draft,
        created=pipeline is None,
        actor=actor,
        channel=channel,
        expected_version=expected_version,
        event="pipeline",
        unique_message="another pipeline has this name.",
    )


def save_stage(
    data: Mapping[str, Any],
    *,
    actor: User,
    pipeline: Pipeline | None = None,
    stage: Stage | None = None,
    channel: Channel | str = Channel.UI,
    expected_version: int | None = None,
) -> Stage:
    """Create a stage in `pipeline`, or change `stage`. A stage holding deals keeps its kind:
    changing it would leave those deals' status behind."""
    require(actor, Permission.MANAGE_SETTINGS)
    draft = Draft()
    unknown_fields(data, STAGE_FIELDS, draft)
    _name(data, draft, stage is None)
    _count(data, draft, "position")
    _count(data, draft, "probability", most=100)
    if "kind" in data and data["kind"] is not None:
        kind, problem = choice_field(data["kind"], StageKind.values)
        if problem or not kind:
            draft.error("kind", problem or "is required.")
        elif stage is not None and kind != stage.kind and Deal.objects.filter(stage=stage).exists():
            draft.error("kind", "cannot change while deals are in this stage; move them first.")
        draft.fields["kind"] = kind or StageKind.OPEN
    if stage is None:
        if pipeline is None:
            raise ValidationFailed({"pipeline_id": ["is required."]})
        draft.fields.setdefault("position", pipeline.stages.count())
        record = Stage(pipeline=pipeline)
    else:
        record = stage
    with transaction.atomic():
        ordering = (record.position, record.kind) if stage is not None else None
        saved = _save(
            record,
            draft,
            created=stage is None,
            actor=actor,
            channel=channel,
            expected_version=expected_version,
            event="stage",
            unique_message="this pipeline already has a stage with this name.",
        )
        if ordering is not None and ordering != (saved.position, saved.kind):
            # The furthest stage each deal reached is read by position among open stages.
            refresh_reached(Deal.objects.filter(pipeline_id=saved.pipeline_id))
    return saved


def save_loss_reason(
    data: Mapping[str, Any],
    *,
    actor: User,
    reason: LossReason | None = None,
    channel: Channel | str = Channel.UI,
) -> LossReason:
    require(actor, Permission.MANAGE_SETTINGS)
    draft = Draft()
    unknown_fields(data, REASON_FIELDS, draft)
    _name(data, draft, reason is None)
    _count(data, draft, "position")
    _flag(data, draft, "is_active")
    return _save(
        reason or LossReason(),
        draft,
        created=reason is None,
        actor=actor,
        channel=channel,
        expected_version=None,
        event="loss_reason",
        unique_message="another loss reason has this name.",
    )


def _delete(record: Model, *, actor: User, channel: Channel | str, in_use: str | None) -> None:
    if in_use:
        raise Conflict(in_use)
    with transaction.atomic():
        record_change(
            record,
            action=Action.DELETE,
            channel=channel,
            actor=actor,
            changes={"name": {"before": str(record), "after": None}},
        )
        record.delete()


def delete_pipeline(
    pipeline: Pipeline, *, actor: User, channel: Channel | str = Channel.UI
) -> None:
    """Only an empty pipeline goes; one with deals is archived instead (is_active false)."""
    require(actor, Permission.MANAGE_SETTINGS)
    in_use = Deal.objects.filter(pipeline=pipeline).exists()
    _delete(
        pipeline,
        actor=actor,
        channel=channel,
        in_use="This pipeline has deals: archive it instead." if in_use else None,
    )


def delete_stage(stage: Stage, *, actor: User, channel: Channel | str = Channel.UI) -> None:
    require(actor, Permission.MANAGE_SETTINGS)
    in_use = (
        Deal.objects.filter(stage=stage).exists()
        or stage.pipeline.deals.filter(stage_changes__to_stage=stage).exists()
    )
    _delete(
        stage,
        actor=actor,
        channel=channel,
        in_use="Deals are or were in this stage: its history would be lost." if in_use else None,
    )


def delete_loss_reason(
    reason: LossReason, *, actor: User, channel: Channel | str = Channel.UI
) -> None:
    """A reason lost deals name stays (retire it instead), so reports keep counting it."""
    require(actor, Permission.MANAGE_SETTINGS)
    in_use = Deal.objects.filter(loss_reason=reason).exists()
    _delete(
        reason,
        actor=actor,
        channel=channel,
        in_use="Lost deals name this reason: retire it instead." if in_use else None,
    )
