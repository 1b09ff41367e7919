"""API shapes of lists, and the compact contact row that lists and segments page through."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from annotated_types import MaxLen, MinLen
from ninja import Schema
from pydantic import Field

from tidycrm.contacts.models import Contact
from tidycrm.core.api import InputSchema, RecordId, Text

MAX_IDS = 10_000


class ListIn(InputSchema):
    name: Annotated[Text, MaxLen(120)]
    description: Annotated[Text, MaxLen(500)] = ""


class ListPatch(InputSchema):
    name: Annotated[Text, MaxLen(120)] | None = None
    description: Annotated[Text, MaxLen(500)] | None = None


class ListOut(Schema):
    id: int
    name: str
    description: str
    created_by_id: int | None
    created_at: datetime
    updated_at: datetime
    member_count: int | None = Field(
        None, description="Members you can see (in the index and after a change)."
    )


class MemberIds(InputSchema):
    contact_ids: Annotated[list[RecordId], MinLen(1), MaxLen(MAX_IDS)] = Field(
        description=f"Up to {MAX_IDS:,} contact ids; use a bulk action for more."
    )


class MembershipResult(Schema):
    changed: int = Field(description="Contacts added (or removed).")
    unchanged: int = Field(description="Contacts that already were (or were not) members.")
    missing: int = Field(description="Ids that name no contact you can see.")


class UnmatchedRow(Schema):
    row: int
    value: str
    reason: str


class ListImportResult(Schema):
    rows: int = Field(description="Non-empty rows read.")
    matched: int
    added: int
    already_members: int
    unmatched_count: int
    unmatched: list[UnmatchedRow] = Field(description="The first 1,000 rows that matched nobody.")


class ContactRow(Schema):
    """A contact as a member of a list or segment: enough to show a row and open the record."""

    id: int
    display_name: str
    lifecycle_stage: str
    owner_id: int | None
    country: str
    city: str
    job_title: str
    updated_at: datetime


class ContactRowPage(Schema):
    items: list[ContactRow]
    next_cursor: str | None
    previous_cursor: str | None


class PageQuery(Schema):
    cursor: Annotated[Text, MaxLen(1000)] | None = Field(
        None, description="next_cursor or previous_cursor of a page."
    )
    limit: int = Field(50, ge=1, le=200)


ROW_FIELDS = tuple(ContactRow.model_fields)


def contact_row(contact: Contact) -> dict[str, Any]:
    return {name: getattr(contact, name) for name in ROW_FIELDS}
