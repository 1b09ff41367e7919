"""Segments, the filter language, bulk actions and saved views over the REST API."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Query, Router, Status

from tidycrm.accounts.api import current_user
from tidycrm.accounts.choices import Permission
from tidycrm.accounts.services import require
from tidycrm.audit.choices import Channel
from tidycrm.core.api import RecordId, errors
from tidycrm.core.pagination import paginate
from tidycrm.lists.schemas import ROW_FIELDS, ContactRowPage, PageQuery, contact_row
from tidycrm.segments import selectors
from tidycrm.segments.language.registry import FieldSpec, record_types
from tidycrm.segments.language.schema import as_json
from tidycrm.segments.models import BulkAction, SavedView, Segment, SegmentSnapshot
from tidycrm.segments.schemas import (
    BulkIn,
    BulkOut,
    CountOut,
    FieldCatalog,
    FilterIn,
    PreviewOut,
    RecomputeIn,
    RecomputeOut,
    SavedViewIn,
    SavedViewOut,
    SavedViewPatch,
    SegmentIn,
    SegmentOut,
    SegmentPatch,
    SnapshotOut,
)
from tidycrm.segments.services import segments as segment_services
from tidycrm.segments.services import views as view_services
from tidycrm.segments.services.bulk import request_bulk_action
from tidycrm.segments.services.exporting import export_bulk_action
from tidycrm.segments.services.membership import recompute_segment
from tidycrm.segments.tasks import recompute_segment_task

router = Router(tags=["segments"])
NAME_ORDER = ["sort_key", "id"]


def field_out(spec: FieldSpec) -> dict[str, Any]:
    return {
        "name": spec.name,
        "label": spec.label,
        "type": str(spec.kind),
        "group": spec.group,
        "operators": list(spec.operators),
        "choices": [[str(v), str(label)] for v, label in spec.choices],
        "help": spec.help,
        "record_type": spec.related.record_type if spec.related else None,
    }


@router.get(
    "/segments/fields",
    response={200: FieldCatalog, **errors()},
    summary="What a filter can test",
)
def fields(request: HttpRequest) -> dict[str, Any]:
    """Every field a filter can name, with its type, operators and choices; custom fields as
    `custom.<key>`; related records (`deals`, `activities`) with the fields their `where`
    takes."""
    related = {t: [field_out(s) for s in selectors.field_catalog(t)] for t in record_types()}
    related.pop("contact", None)
    return {"contact": [field_out(s) for s in selectors.field_catalog()], "related": related}


def _preview(request: HttpRequest, node: Any, limit: int) -> dict[str, Any]:
    matching = selectors.matching_contacts(current_user(request), node)
    items = (
        list(matching.only(*ROW_FIELDS, "sort_key").order_by(*NAME_ORDER)[:limit]) if limit else []
    )
    return {"count": matching.count(), "items": [contact_row(c) for c in items]}


@router.post(
    "/segments/preview",
    response={200: PreviewOut, **errors()},
    summary="Count and preview a filter",
)
def preview(request: HttpRequest, payload: FilterIn) -> dict[str, Any]:
    """How many contacts you can see match the filter now, and the first of them by name.
    Nothing is stored. A bad filter is a 422 naming the part at fault (`filter.all.1.op`)."""
    return _preview(request, as_json(payload.filter), payload.limit)


def segment_out(segment: Segment) -> dict[str, Any]:
    return {name: getattr(segment, name) for name in SegmentOut.model_fields}


@router.get("/segments", response={200: list[SegmentOut], **errors()}, summary="List segments")
def index(request: HttpRequest) -> list[dict[str, Any]]:
    return [segment_out(s) for s in selectors.all_segments()]


@router.post(
    "/segments", response={201: SegmentOut, **errors(403, 409)}, summary="Create a segment"
)
def create(request: HttpRequest, payload: SegmentIn) -> Status[dict[str, Any]]:
    segment = segment_services.create_segment(
        name=payload.name,
        description=payload.description,
        filter=as_json(payload.filter),
        refresh_minutes=payload.refresh_minutes,
        actor=current_user(request),
        channel=Channel.API,
    )
    return Status(201, segment_out(segment))


@router.get(
    "/segments/{segment_id}", response={200: SegmentOut, **errors(404)}, summary="Get a segment"
)
def read(request: HttpRequest, segment_id: RecordId) -> dict[str, Any]:
    return segment_out(selectors.get_segment(segment_id))


@router.patch(
    "/segments/{segment_id}",
    response={200: SegmentOut, **errors(403, 404, 409)},
    summary="Change a segment",
)
def change(request: HttpRequest, segment_id: RecordId, payload: SegmentPatch) -> dict[str, Any]:
    changes = payload.model_dump(exclude_none=True, exclude={"version", "filter"})
    if payload.filter is not None:
        changes["filter"] = as_json(payload.filter)
    segment = segment_services.update_segment(
        selectors.get_segment(segment_id),
        changes,
        actor=current_user(request),
        channel=Channel.API,
        expected_version=payload.version,
    )
    return segment_out(segment)


@router.delete(
    "/segments/{segment_id}", response={204: None, **errors(403, 404)}, summary="Delete a segment"
)
def delete(request: HttpRequest, segment_id: RecordId) -> Status[None]:
    segment_services.delete_segment(
        selectors.get_segment(segment_id), actor=current_user(request), channel=Channel.API
    )
    return Status(204, None)


@router.get(
    "/segments/{segment_id}/count",
    response={200: CountOut, **errors(404)},
    summary="Count a segment's members now",
)
def count(request: HttpRequest, segment_id: RecordId) -> dict[str, Any]:
    segment = selectors.get_segment(segment_id)
    return {"count": selectors.matching_contacts(current_user(request), segment.filter).count()}


@router.get(
    "/segments/{segment_id}/members",
    response={200: ContactRowPage, **errors(404)},
    summary="A segment's members now",
)
def members(request: HttpRequest, segment_id: RecordId, params: Query[PageQuery]) -> dict[str, Any]:
    """The contacts you can see that match the segment's filter now, by name, one keyset page
    at a time (follow `next_cursor`)."""
    segment = selectors.get_segment(segment_id)
    queryset = selectors.matching_contacts(current_user(request), segment.filter)
    page = paginate(queryset.only(*ROW_FIELDS, "sort_key"), NAME_ORDER, params.limit, params.cursor)
    return {
        "items": [contact_row(c) for c in page.items],
        "next_cursor": page.next_cursor,
        "previous_cursor": page.previous_cursor,
    }


def snapshot_out(snapshot: SegmentSnapshot) -> dict[str, Any]:
    return {name: getattr(snapshot, name) for name in SnapshotOut.model_fields}


@router.post(
    "/segments/{segment_id}/recompute",
    response={200: RecomputeOut, 202: RecomputeOut, **errors(403, 404)},
    summary="Recompute a segment's stored membership",
)
def recompute(
    request: HttpRequest, segment_id: RecordId, payload: RecomputeIn
) -> Status[dict[str, Any]]:
    """Diff the filter's matches against the stored members; `segment.entered` and
    `segment.left` events carry the contact ids that changed."""
    require(current_user(request), Permission.EDIT)
    segment = selectors.get_segment(segment_id)
    if not payload.wait:
        recompute_segment_task.enqueue(segment.pk)
        return Status(202, {"queued": True, "snapshot": None})
    return Status(200, {"queued": False, "snapshot": snapshot_out(recompute_segment(segment))})


@router.get(
    "/segments/{segment_id}/snapshots",
    response={200: list[SnapshotOut], **errors(404)},
    summary="A segment's recent recomputes",
)
def snapshot_list(request: HttpRequest, segment_id: RecordId) -> list[dict[str, Any]]:
    return [snapshot_out(s) for s in selectors.snapshots(selectors.get_segment(segment_id))]


# -- bulk actions ----------------------------------------------------------------------------


def bulk_out(action: BulkAction) -> dict[str, Any]:
    export_url = None
    if action.kind == "export":
        export_url = reverse("api:bulk_export", kwargs={"action_id": action.pk})
    return {
        "id": action.pk,
        "kind": action.kind,
        "params": action.params,
        "target": action.target,
        "status": action.status,
        "requested": action.requested,
        "result": {k: v for k, v in (action.result or {}).items() if isinstance(v, int)},
        "error": action.error,
        "job_id": action.job_id,
        "created_at": action.created_at,
        "export_url": export_url,
    }


@router.post(
    "/bulk-actions",
    response={200: BulkOut, 202: BulkOut, **errors(403, 404)},
    summary="Run a bulk action",
)
def bulk(request: HttpRequest, payload: BulkIn) -> Status[dict[str, Any]]:
    """Act on a selection, list, segment or filter. The contacts are fixed when you ask (a
    segment's members at that moment, within what you can see). Small actions finish within
    the request (200, with `result`); big ones run as a job (202: follow GET
    /bulk-actions/{id}). Delete needs `confirm: true`. Export: download from `export_url`."""
    target = payload.target.model_dump(exclude_none=True)
    if payload.target.filter is not None:
        target["filter"] = as_json(payload.target.filter)
    requested = request_bulk_action(
        kind=payload.kind,
        params=payload.params,
        target=target,
        actor=current_user(request),
        channel=Channel.API,
        confirm=payload.confirm,
    )
    return Status(202 if requested.queued else 200, bulk_out(requested.action))


@router.get(
    "/bulk-actions/{action_id}",
    response={200: BulkOut, **errors(404)},
    summary="A bulk action and what it did",
)
def bulk_read(request: HttpRequest, action_id: RecordId) -> dict[str, Any]:
    return bulk_out(selectors.get_bulk_action(current_user(request), action_id))


@router.get(
    "/bulk-actions/{action_id}/export.csv",
    response={**errors(404)},
    url_name="bulk_export",
    summary="Download a bulk export",
    openapi_extra={
        "responses": {
            200: {
                "description": "The CSV file, streamed.",
                "content": {"text/csv": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def bulk_export(request: HttpRequest, action_id: RecordId) -> HttpResponse:
    """The contacts of an export action, as they are now, that you can still see."""
    user = current_user(request)
    return export_bulk_action(user, selectors.get_bulk_action(user, action_id))


# -- saved views -----------------------------------------------------------------------------


def view_out(view: SavedView) -> dict[str, Any]:
    return {
        "id": view.pk,
        "name": view.name,
        "owner_id": view.owner_id,
        "columns": view.columns,
        "filters": view.filters,
        "sort": view.sort,
        "team_id": view.team_id,
        "created_at": view.created_at,
        "updated_at": view.updated_at,
    }


@router.get(
    "/saved-views", response={200: list[SavedViewOut], **errors()}, summary="Your saved views"
)
def views(request: HttpRequest) -> list[dict[str, Any]]:
    """Your own views of the contacts list and those your team shares."""
    return [view_out(v) for v in selectors.views_for(current_user(request))]


@router.post("/saved-views", response={201: SavedViewOut, **errors(409)}, summary="Save a view")
def view_create(request: HttpRequest, payload: SavedViewIn) -> Status[dict[str, Any]]:
    view = view_services.save_view(payload.model_dump(), actor=current_user(request))
    return Status(201, view_out(view))


@router.get(
    "/saved-views/{view_id}", response={200: SavedViewOut, **errors(404)}, summary="A saved view"
)
def view_read(request: HttpRequest, view_id: RecordId) -> dict[str, Any]:
    return view_out(selectors.get_view(current_user(request), view_id))


@router.patch(
    "/saved-views/{view_id}",
    response={200: SavedViewOut, **errors(403, 404, 409)},
    summary="Change a saved view",
)
def view_change(request: HttpRequest, view_id: RecordId, payload: SavedViewPatch) -> dict[str, Any]:
    user = current_user(request)
    changes = payload.model_dump(exclude_none=True)
    return view_out(
        view_services.save_view(changes, actor=user, view=selectors.get_view(user, view_id))
    )


@router.delete(
    "/saved-views/{view_id}", response={204: None, **errors(403, 404)}, summary="Delete a view"
)
def view_delete(request: HttpRequest, view_id: RecordId) -> Status[None]:
    user = current_user(request)
    view_services.delete_view(selectors.get_view(user, view_id), actor=user)
    return Status(204, None)
