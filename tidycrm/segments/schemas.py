"""API shapes of segments, the filter catalogue, bulk actions and saved views."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from annotated_types import MaxLen, MinLen
from ninja import Schema
from pydantic import Field

from tidycrm.contacts.schemas import ContactListQuery
from tidycrm.core.api import InputSchema, RecordId, SafeJson, SortOrder, Text
from tidycrm.lists.schemas import ContactRow
from tidycrm.segments.choices import BulkKind
from tidycrm.segments.language.schema import FilterNode

RefreshMinutes = Literal[0, 60, 1440]


class SegmentIn(InputSchema):
    name: Annotated[Text, MaxLen(120)]
    description: Annotated[Text, MaxLen(500)] = ""
    filter: FilterNode
    refresh_minutes: RefreshMinutes = Field(
        0, description="Recompute the stored membership every 60 or 1440 minutes; 0: on demand."
    )


class SegmentPatch(InputSchema):
    name: Annotated[Text, MaxLen(120)] | None = None
    description: Annotated[Text, MaxLen(500)] | None = None
    filter: FilterNode | None = None
    refresh_minutes: RefreshMinutes | None = None
    version: int | None = Field(None, ge=1, lt=2**31, description="Refuse a stale edit (409).")


class SegmentOut(Schema):
    id: int
    name: str
    description: str
    filter: dict[str, Any]
    refresh_minutes: int
    created_by_id: int | None
    created_at: datetime
    updated_at: datetime
    computed_at: datetime | None = Field(description="When the stored membership was computed.")
    member_count: int | None = Field(
        description="Members at that time, over the whole database (not only those you see)."
    )
    version: int


class FilterIn(InputSchema):
    filter: FilterNode
    limit: int = Field(10, ge=0, le=200, description="How many matching contacts to return.")


class CountOut(Schema):
    count: int = Field(description="Matching contacts you can see, counted now.")


class PreviewOut(Schema):
    count: int
    items: list[ContactRow] = Field(description="The first matches by name.")


class FieldOut(Schema):
    name: str
    label: str
    type: str
    group: str
    operators: list[str]
    choices: list[list[str]] = Field(description="[value, label] pairs for choice fields.")
    help: str
    record_type: str | None = Field(
        None, description="For related records: the type whose fields `where` takes."
    )


class FieldCatalog(Schema):
    contact: list[FieldOut]
    related: dict[str, list[FieldOut]] = Field(
        description="Fields of related records, by record type (for `where`)."
    )


class SnapshotOut(Schema):
    id: int
    computed_at: datetime
    trigger: str
    members: int
    entered: int
    left: int
    seconds: float


class RecomputeIn(InputSchema):
    wait: bool = Field(
        True, description="Recompute within the request (true) or queue it on the worker (false)."
    )


class RecomputeOut(Schema):
    queued: bool
    snapshot: SnapshotOut | None


class BulkTarget(InputSchema):
    """Exactly one of these."""

    ids: Annotated[list[RecordId], MaxLen(100_000)] | None = None
    list_id: RecordId | None = None
    segment_id: RecordId | None = Field(
        None, description="Its members at the time of the request, counted live."
    )
    filter: FilterNode | None = None
    query: dict[str, Text] | None = Field(
        None, description="The parameters of GET /contacts (q, lifecycle_stage, tag, ...)."
    )


class BulkIn(InputSchema):
    kind: BulkKind
    params: dict[str, SafeJson] = Field(
        default_factory=dict,
        description='tag/untag: {"tags": ["vip"]}; add_to_list/remove_from_list: {"list_id": 3}; '
        'change_owner: {"owner_id": 7}; set_field: {"field": "lifecycle_stage" | "lead_status" | '
        '"lead_source" | "custom.<key>", "value": ...}; export and delete: {}.',
    )
    target: BulkTarget
    confirm: bool = Field(False, description="Must be true for delete.")


class BulkOut(Schema):
    id: int
    kind: str
    params: dict[str, Any]
    target: dict[str, Any]
    status: str
    requested: int = Field(description="Contacts fixed as the target when it was requested.")
    result: dict[str, int] = Field(
        description="changed, unchanged (already so) and missing (deleted or no longer visible)."
    )
    error: str
    job_id: int | None
    created_at: datetime
    export_url: str | None = None


class SavedViewIn(InputSchema):
    name: Annotated[Text, MinLen(1), MaxLen(120)]
    columns: Annotated[list[Annotated[Text, MaxLen(32)]], MaxLen(30)] = Field(default_factory=list)
    filters: dict[str, Annotated[Text, MaxLen(300)]] = Field(
        default_factory=dict, description="Parameters of the contacts list (GET /contacts)."
    )
    sort: SortOrder = "name"
    team_id: RecordId | None = Field(None, description="Share with this team (yours).")


class SavedViewPatch(InputSchema):
    name: Annotated[Text, MinLen(1), MaxLen(120)] | None = None
    columns: Annotated[list[Annotated[Text, MaxLen(32)]], MaxLen(30)] | None = None
    filters: dict[str, Annotated[Text, MaxLen(300)]] | None = None
    sort: SortOrder | None = None
    team_id: RecordId | None = None
    unshare: bool = Field(False, description="Stop sharing with the team.")


class SavedViewOut(Schema):
    id: int
    name: str
    owner_id: int
    columns: list[str]
    filters: dict[str, Any]
    sort: str
    team_id: int | None
    created_at: datetime
    updated_at: datetime


# The contacts list's filter names, which a saved view may hold.
VIEW_FILTERS = tuple(
    name for name in ContactListQuery.model_fields if name not in ("sort", "cursor", "limit")
)
