"""API shapes of the review queue, merges, unmerges and the duplicate policy."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from annotated_types import MaxLen
from ninja import Schema
from pydantic import Field

from tidycrm.core.api import MAX_ID, RecordId, Text
from tidycrm.dedupe.choices import EntryAction, RecordKind, Survivorship

ChoiceLabel = Annotated[Text, MaxLen(80)]


class QueueQuery(Schema):
    kind: RecordKind = RecordKind.CONTACT
    min_confidence: float = Field(0.0, ge=0.0, le=1.0)
    cursor: Annotated[Text, MaxLen(500)] | None = None
    limit: int = Field(50, ge=1, le=200)


class EvidenceOut(Schema):
    field: str
    level: str
    weight: float
    detail: str


class PairOut(Schema):
    a: int
    b: int
    probability: float
    evidence: list[EvidenceOut]


class FieldOut(Schema):
    field: str = Field(description="A field group, or custom:KEY for a custom field.")
    values: dict[str, str] = Field(description="Record id -> the value as shown.")
    differs: bool
    proposed: int = Field(description="The record whose value the survivorship rule keeps.")


class GroupOut(Schema):
    id: int
    kind: str
    status: str
    origin: str
    confidence: float
    members: list[int]
    created_at: datetime


class GroupDetail(GroupOut):
    survivor_id: int = Field(description="The record the survivorship rule would keep.")
    versions: dict[str, int] = Field(description="Record id -> version; send back to merge.")
    fields: list[FieldOut]
    pairs: list[PairOut]


class GroupPage(Schema):
    items: list[GroupOut]
    next_cursor: str | None


class MergeChoices(Schema):
    survivor_id: RecordId | None = None
    choices: dict[ChoiceLabel, RecordId] = Field(
        default_factory=dict, description="Field group -> the record whose value survives."
    )
    versions: dict[ChoiceLabel, Annotated[int, Field(ge=0, le=MAX_ID)]] = Field(
        default_factory=dict,
        description="Record id -> the version you reviewed; a newer one is a 409.",
    )


class MergeIn(MergeChoices):
    kind: RecordKind = RecordKind.CONTACT
    ids: list[RecordId] = Field(min_length=2, max_length=50)


class MergeOut(Schema):
    id: int
    kind: str
    survivor_id: int
    merged_ids: list[int]
    at: datetime
    undone_at: datetime | None
    survivor_changes: dict[str, Any]


class MergeQuery(Schema):
    kind: RecordKind = RecordKind.CONTACT
    record_id: RecordId


class PolicyOut(Schema):
    actions: dict[str, dict[str, str]] = Field(description="Kind -> channel -> action.")
    survivorship: str
    trusted_sources: list[str]
    auto_merge_threshold: float


class PolicyIn(Schema):
    actions: dict[RecordKind, dict[ChoiceLabel, EntryAction]] | None = None
    survivorship: Survivorship | None = None
    trusted_sources: list[ChoiceLabel] | None = Field(None, max_length=20)
    auto_merge_threshold: float | None = Field(None, ge=0.5, le=1.0)


class ScanIn(Schema):
    kind: RecordKind = RecordKind.CONTACT
    filters: dict[ChoiceLabel, Annotated[Text, MaxLen(200)]] = Field(
        default_factory=dict, description="The contact list's filters (contacts only)."
    )


class ScanOut(Schema):
    id: int
    status: str
    done: int
    total: int | None
    result: dict[str, Any]
    error: str
