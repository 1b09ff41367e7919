"""Static lists over the REST API: CRUD, members with keyset paging, add/remove, file import."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import File, Query, Router, Status
from ninja.files import UploadedFile

from tidycrm.accounts.api import current_user
from tidycrm.audit.choices import Channel
from tidycrm.core.api import RecordId, errors
from tidycrm.core.pagination import paginate
from tidycrm.lists import services
from tidycrm.lists.importing import MAX_BYTES, import_members
from tidycrm.lists.models import ContactList
from tidycrm.lists.schemas import (
    ROW_FIELDS,
    ContactRowPage,
    ListImportResult,
    ListIn,
    ListOut,
    ListPatch,
    MemberIds,
    MembershipResult,
    PageQuery,
    contact_row,
)
from tidycrm.lists.selectors import get_list, list_members, lists_with_counts

router = Router(tags=["lists"])
NAME_ORDER = ["sort_key", "id"]


def _out(contact_list: ContactList) -> dict[str, Any]:
    return {
        "id": contact_list.pk,
        "name": contact_list.name,
        "description": contact_list.description,
        "created_by_id": contact_list.created_by_id,
        "created_at": contact_list.created_at,
        "updated_at": contact_list.updated_at,
        "member_count": getattr(contact_list, "member_count", None),
    }


@router.get("/lists", response={200: list[ListOut], **errors()}, summary="List the lists")
def index(request: HttpRequest) -> list[dict[str, Any]]:
    """Every list, with the number of its members you can see."""
    return [_out(item) for item in lists_with_counts(current_user(request))]


@router.post("/lists", response={201: ListOut, **errors(403, 409)}, summary="Create a list")
def create(request: HttpRequest, payload: ListIn) -> Status[dict[str, Any]]:
    contact_list = services.create_list(
        name=payload.name,
        description=payload.description,
        actor=current_user(request),
        channel=Channel.API,
    )
    return Status(201, _out(contact_list))


@router.get("/lists/{list_id}", response={200: ListOut, **errors(404)}, summary="Get a list")
def read(request: HttpRequest, list_id: RecordId) -> dict[str, Any]:
    user = current_user(request)
    contact_list = get_list(list_id)
    contact_list.member_count = list_members(user, contact_list).count()  # type: ignore[attr-defined]
    return _out(contact_list)


@router.patch(
    "/lists/{list_id}", response={200: ListOut, **errors(403, 404, 409)}, summary="Change a list"
)
def change(request: HttpRequest, list_id: RecordId, payload: ListPatch) -> dict[str, Any]:
    contact_list = services.update_list(
        get_list(list_id),
        actor=current_user(request),
        channel=Channel.API,
        name=payload.name,
        description=payload.description,
    )
    return _out(contact_list)


@router.delete(
    "/lists/{list_id}", response={204: None, **errors(403, 404)}, summary="Delete a list"
)
def delete(request: HttpRequest, list_id: RecordId) -> Status[None]:
    """The contacts stay; only their membership of this list goes."""
    services.delete_list(get_list(list_id), actor=current_user(request), channel=Channel.API)
    return Status(204, None)


@router.get(
    "/lists/{list_id}/members",
    response={200: ContactRowPage, **errors(404)},
    summary="Members of a list",
)
def members(request: HttpRequest, list_id: RecordId, params: Query[PageQuery]) -> dict[str, Any]:
    """Members you can see, by name, one keyset page at a time (follow `next_cursor`)."""
    queryset = list_members(current_user(request), get_list(list_id)).only(*ROW_FIELDS, "sort_key")
    page = paginate(queryset, NAME_ORDER, params.limit, params.cursor)
    return {
        "items": [contact_row(c) for c in page.items],
        "next_cursor": page.next_cursor,
        "previous_cursor": page.previous_cursor,
    }


@router.post(
    "/lists/{list_id}/members",
    response={200: MembershipResult, **errors(403, 404)},
    summary="Add contacts to a list",
)
def add(request: HttpRequest, list_id: RecordId, payload: MemberIds) -> dict[str, Any]:
    result = services.add_members(
        get_list(list_id), payload.contact_ids, actor=current_user(request), channel=Channel.API
    )
    return result.as_dict()


@router.post(
    "/lists/{list_id}/members/remove",
    response={200: MembershipResult, **errors(403, 404)},
    summary="Remove contacts from a list",
)
def remove(request: HttpRequest, list_id: RecordId, payload: MemberIds) -> dict[str, Any]:
    result = services.remove_members(
        get_list(list_id), payload.contact_ids, actor=current_user(request), channel=Channel.API
    )
    return result.as_dict()


@router.post(
    "/lists/{list_id}/import",
    response={200: ListImportResult, **errors(403, 404)},
    summary="Add contacts to a list from a file",
)
def import_file(
    request: HttpRequest, list_id: RecordId, file: File[UploadedFile]
) -> dict[str, Any]:
    """A CSV or text file of e-mail addresses or external ids (a header `email` or
    `external_id` picks the column). Rows that match no contact you can see are reported with
    their row number."""
    contact_list = get_list(list_id)
    data = file.read(MAX_BYTES + 1)
    report = import_members(contact_list, data, actor=current_user(request), channel=Channel.API)
    return report.as_dict()
