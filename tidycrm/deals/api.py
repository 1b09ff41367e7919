"""Pipelines, stages, loss reasons and deals over the REST API: parse, call, render."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Status

from tidycrm.accounts.api import current_user
from tidycrm.audit.choices import Channel
from tidycrm.core.api import RecordId, errors, filterset_data
from tidycrm.core.exceptions import ValidationFailed
from tidycrm.core.pagination import paginate
from tidycrm.deals import services
from tidycrm.deals.filters import SORTS, DealFilter
from tidycrm.deals.models import Deal, LossReason, Pipeline, Stage
from tidycrm.deals.schemas import (
    DealDetailOut,
    DealIn,
    DealListQuery,
    DealOut,
    DealPage,
    DealPatch,
    LossReasonIn,
    LossReasonOut,
    MoveIn,
    PipelineIn,
    PipelineOut,
    StageIn,
    StageOut,
)
from tidycrm.deals.selectors import (
    deal_contacts,
    get_deal,
    get_loss_reason,
    get_pipeline,
    get_stage,
    loss_reasons,
    pipelines,
    stage_history,
    visible_deals,
)

router = Router(tags=["deals"])

DEAL_FIELDS = tuple(DealOut.model_fields)


def deal_out(deal: Deal) -> dict[str, Any]:
    plain = {name: getattr(deal, name) for name in DEAL_FIELDS}
    return {**plain, "amount": f"{deal.amount:.2f}"}


def deal_detail(deal: Deal) -> dict[str, Any]:
    return {
        **deal_out(deal),
        "contacts": [
            {"contact_id": dc.contact_id, "name": dc.contact.display_name, "role": dc.role}
            for dc in deal_contacts(deal)
        ],
        "stage_history": [
            {
                "from_stage_id": change.from_stage_id,
                "to_stage_id": change.to_stage_id,
                "changed_at": change.changed_at,
                "changed_by_id": change.changed_by_id,
            }
            for change in stage_history(deal)
        ],
    }


def pipeline_out(pipeline: Pipeline) -> dict[str, Any]:
    return {
        "id": pipeline.pk,
        "name": pipeline.name,
        "currency": pipeline.currency,
        "position": pipeline.position,
        "is_active": pipeline.is_active,
        "version": pipeline.version,
        "stages": [stage_out(s) for s in pipeline.stages.all()],
    }


def stage_out(stage: Stage) -> dict[str, Any]:
    return {name: getattr(stage, name) for name in StageOut.model_fields}


def reason_out(reason: LossReason) -> dict[str, Any]:
    return {name: getattr(reason, name) for name in LossReasonOut.model_fields}


# Deals


@router.get("/deals", response={200: DealPage, **errors()}, summary="List deals")
def list_deals(request: HttpRequest, filters: Query[DealListQuery]) -> dict[str, Any]:
    """Deals you can see, filtered, newest first by default, one keyset page at a time."""
    filterset = DealFilter(
        data=filterset_data(filters, exclude={"sort", "cursor", "limit"}),
        queryset=visible_deals(current_user(request)),
    )
    if not filterset.is_valid():
        raise ValidationFailed({name: list(msgs) for name, msgs in filterset.errors.items()})
    page = paginate(filterset.qs, SORTS[filters.sort], filters.limit, filters.cursor)
    return {
        "items": [deal_out(d) for d in page.items],
        "next_cursor": page.next_cursor,
        "previous_cursor": page.previous_cursor,
    }


@router.post("/deals", response={201: DealDetailOut, **errors(403, 409)}, summary="Create a deal")
def create_deal(request: HttpRequest, payload: DealIn) -> Status[dict[str, Any]]:
    result = services.create_deal(
        payload.to_service(), actor=current_user(request), channel=Channel.API
    )
    return Status(201, deal_detail(result.record))


@router.get("/deals/{deal_id}", response={200: DealDetailOut, **errors(404)}, summary="Get a deal")
def read_deal(request: HttpRequest, deal_id: RecordId) -> dict[str, Any]:
    return deal_detail(get_deal(current_user(request), deal_id))


@router.patch(
    "/deals/{deal_id}",
    response={200: DealDetailOut, **errors(403, 404, 409)},
    summary="Change a deal",
)
def update_deal(request: HttpRequest, deal_id: RecordId, payload: DealPatch) -> dict[str, Any]:
    """Change only the fields sent; a new `stage_id` moves the deal and records the move."""
    user = current_user(request)
    result = services.update_deal(
        get_deal(user, deal_id),
        payload.to_service(),
        actor=user,
        channel=Channel.API,
        expected_version=payload.version,
    )
    return deal_detail(result.record)


@router.post(
    "/deals/{deal_id}/move",
    response={200: DealDetailOut, **errors(403, 404, 409)},
    summary="Move a deal to another stage",
)
def move_deal(request: HttpRequest, deal_id: RecordId, payload: MoveIn) -> dict[str, Any]:
    """Move within the deal's pipeline; a lost stage needs `loss_reason_id`."""
    user = current_user(request)
    result = services.move_deal(
        get_deal(user, deal_id),
        payload.stage_id,
        actor=user,
        channel=Channel.API,
        expected_version=payload.version,
        loss_reason=payload.loss_reason_id,
        loss_note=payload.loss_note,
    )
    return deal_detail(result.record)


@router.delete("/deals/{deal_id}", response={204: None, **errors(403, 404)}, summary="Delete")
def delete_deal(request: HttpRequest, deal_id: RecordId) -> Status[None]:
    user = current_user(request)
    services.delete_deal(get_deal(user, deal_id), actor=user, channel=Channel.API)
    return Status(204, None)


# Pipelines and stages


@router.get("/pipelines", response={200: list[PipelineOut], **errors()}, summary="Pipelines")
def list_pipelines(request: HttpRequest) -> list[dict[str, Any]]:
    return [pipeline_out(p) for p in pipelines().prefetch_related("stages")]


@router.post(
    "/pipelines", response={201: PipelineOut, **errors(403, 409)}, summary="Create a pipeline"
)
def create_pipeline(request: HttpRequest, payload: PipelineIn) -> Status[dict[str, Any]]:
    data = payload.model_dump(exclude_unset=True, exclude={"version"})
    pipeline = services.save_pipeline(data, actor=current_user(request), channel=Channel.API)
    return Status(201, pipeline_out(pipeline))


@router.get(
    "/pipelines/{pipeline_id}", response={200: PipelineOut, **errors(404)}, summary="A pipeline"
)
def read_pipeline(request: HttpRequest, pipeline_id: RecordId) -> dict[str, Any]:
    return pipeline_out(get_pipeline(pipeline_id))


@router.patch(
    "/pipelines/{pipeline_id}",
    response={200: PipelineOut, **errors(403, 404, 409)},
    summary="Change a pipeline",
)
def update_pipeline(
    request: HttpRequest, pipeline_id: RecordId, payload: PipelineIn
) -> dict[str, Any]:
    pipeline = services.save_pipeline(
        payload.model_dump(exclude_unset=True, exclude={"version"}),
        actor=current_user(request),
        pipeline=get_pipeline(pipeline_id),
        channel=Channel.API,
        expected_version=payload.version,
    )
    return pipeline_out(pipeline)


@router.delete(
    "/pipelines/{pipeline_id}",
    response={204: None, **errors(403, 404, 409)},
    summary="Delete an empty pipeline",
)
def delete_pipeline(request: HttpRequest, pipeline_id: RecordId) -> Status[None]:
    services.delete_pipeline(
        get_pipeline(pipeline_id), actor=current_user(request), channel=Channel.API
    )
    return Status(204, None)


@router.post(
    "/pipelines/{pipeline_id}/stages",
    response={201: StageOut, **errors(403, 404, 409)},
    summary="Add a stage",
)
def create_stage(
    request: HttpRequest, pipeline_id: RecordId, payload: StageIn
) -> Status[dict[str, Any]]:
    stage = services.save_stage(
        payload.model_dump(exclude_unset=True),
        actor=current_user(request),
        pipeline=get_pipeline(pipeline_id),
        channel=Channel.API,
    )
    return Status(201, stage_out(stage))


@router.patch(
    "/stages/{stage_id}",
    response={200: StageOut, **errors(403, 404, 409)},
    summary="Change a stage",
)
def update_stage(request: HttpRequest, stage_id: RecordId, payload: StageIn) -> dict[str, Any]:
    stage = services.save_stage(
        payload.model_dump(exclude_unset=True),
        actor=current_user(request),
        stage=get_stage(stage_id),
        channel=Channel.API,
    )
    return stage_out(stage)


@router.delete(
    "/stages/{stage_id}",
    response={204: None, **errors(403, 404, 409)},
    summary="Delete a stage no deal ever entered",
)
def delete_stage(request: HttpRequest, stage_id: RecordId) -> Status[None]:
    services.delete_stage(get_stage(stage_id), actor=current_user(request), channel=Channel.API)
    return Status(204, None)


# Loss reasons


@router.get("/loss-reasons", response={200: list[LossReasonOut], **errors()}, summary="Reasons")
def list_loss_reasons(request: HttpRequest) -> list[dict[str, Any]]:
    return [reason_out(r) for r in loss_reasons()]


@router.post(
    "/loss-reasons",
    response={201: LossReasonOut, **errors(403, 409)},
    summary="Add a loss reason",
)
def create_loss_reason(request: HttpRequest, payload: LossReasonIn) -> Status[dict[str, Any]]:
    reason = services.save_loss_reason(
        payload.model_dump(exclude_unset=True), actor=current_user(request), channel=Channel.API
    )
    return Status(201, reason_out(reason))


@router.patch(
    "/loss-reasons/{reason_id}",
    response={200: LossReasonOut, **errors(403, 404, 409)},
    summary="Change a loss reason",
)
def update_loss_reason(
    request: HttpRequest, reason_id: RecordId, payload: LossReasonIn
) -> dict[str, Any]:
    reason = services.save_loss_reason(
        payload.model_dump(exclude_unset=True),
        actor=current_user(request),
        reason=get_loss_reason(reason_id),
        channel=Channel.API,
    )
    return reason_out(reason)


@router.delete(
    "/loss-reasons/{reason_id}",
    response={204: None, **errors(403, 404, 409)},
    summary="Delete an unused loss reason",
)
def delete_loss_reason(request: HttpRequest, reason_id: RecordId) -> Status[None]:
    services.delete_loss_reason(
        get_loss_reason(reason_id), actor=current_user(request), channel=Channel.API
    )
    return Status(204, None)
