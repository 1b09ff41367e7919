"""API shapes of pipelines, stages, loss reasons and deals."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from annotated_types import MaxLen
from ninja import Schema
from pydantic import Field

from tidycrm.core.api import MAX_ID, FilterDateTime, InputSchema, RecordId, Text
from tidycrm.deals.choices import ContactRole, DealSource, DealStatus, StageKind

Amount = Annotated[Decimal, Field(ge=0, lt=10**12, max_digits=14, decimal_places=2)]
Currency = Annotated[Text, MaxLen(3)]
Name = Annotated[Text, MaxLen(120)]
Position = Annotated[int, Field(ge=0, lt=2**31)]


class StageIn(InputSchema):
    name: Name | None = None
    position: Position | None = None
    probability: Annotated[int, Field(ge=0, le=100)] | None = Field(
        None, description="Chance in percent that a deal in this stage is won."
    )
    kind: StageKind | None = None


class StageOut(Schema):
    id: int
    pipeline_id: int
    name: str
    position: int
    probability: int
    kind: str
    version: int


class PipelineIn(InputSchema):
    name: Name | None = None
    currency: Currency | None = Field(None, description="ISO 4217 code new deals take.")
    position: Position | None = None
    is_active: bool | None = None
    version: int | None = Field(None, description="Refuse the change if the pipeline is newer.")


class PipelineOut(Schema):
    id: int
    name: str
    currency: str
    position: int
    is_active: bool
    version: int
    stages: list[StageOut]


class LossReasonIn(InputSchema):
    name: Name | None = None
    position: Position | None = None
    is_active: bool | None = None


class LossReasonOut(Schema):
    id: int
    name: str
    position: int
    is_active: bool


class DealContactIn(InputSchema):
    contact_id: RecordId
    role: ContactRole = ContactRole.OTHER


class DealContactOut(Schema):
    contact_id: int
    name: str
    role: str


class DealIn(InputSchema):
    """Every field is optional on update; on create `name` is required and the deal starts in
    the first open stage of the first active pipeline unless told otherwise."""

    name: Annotated[Text, MaxLen(255)] | None = None
    amount: Amount | None = None
    currency: Currency | None = Field(None, description="ISO 4217; default the pipeline's.")
    expected_close_date: date | None = None
    pipeline_id: RecordId | None = None
    stage_id: RecordId | None = None
    owner_id: RecordId | None = None
    team_id: RecordId | None = None
    company_id: RecordId | None = None
    contacts: list[DealContactIn] | None = Field(
        None, max_length=50, description="Replaces the people on the deal and their roles."
    )
    source: DealSource | Literal[""] | None = None
    loss_reason_id: RecordId | None = Field(None, description="Required to enter a lost stage.")
    loss_note: Annotated[Text, MaxLen(2000)] | None = None

    def to_service(self) -> dict[str, Any]:
        data = self.model_dump(exclude_unset=True, exclude={"version"})
        if "contacts" in data and data["contacts"] is not None:
            data["contacts"] = [dict(row) for row in data["contacts"]]
        return data


class DealPatch(DealIn):
    version: int | None = Field(None, description="Refuse to overwrite a newer edit (409).")


class MoveIn(InputSchema):
    stage_id: RecordId
    version: int | None = Field(None, description="Refuse to move a deal changed since (409).")
    loss_reason_id: RecordId | None = Field(None, description="Required to enter a lost stage.")
    loss_note: Annotated[Text, MaxLen(2000)] | None = None


class StageChangeOut(Schema):
    from_stage_id: int | None
    to_stage_id: int
    changed_at: datetime
    changed_by_id: int | None


class DealOut(Schema):
    id: int
    name: str
    amount: str = Field(description='Decimal amount as a string, e.g. "1250.00".')
    currency: str
    expected_close_date: date | None
    pipeline_id: int
    stage_id: int
    status: str
    stage_entered_at: datetime
    closed_at: datetime | None
    owner_id: int | None
    team_id: int | None
    company_id: int | None
    source: str
    loss_reason_id: int | None
    loss_note: str
    version: int
    created_at: datetime
    updated_at: datetime


class DealDetailOut(DealOut):
    contacts: list[DealContactOut]
    stage_history: list[StageChangeOut]


class DealPage(Schema):
    items: list[DealOut]
    next_cursor: str | None
    previous_cursor: str | None


class DealListQuery(Schema):
    q: Annotated[Text, MaxLen(200)] | None = Field(None, description="Words in the deal's name.")
    pipeline: int | None = Field(None, ge=1, le=MAX_ID)
    stage: int | None = Field(None, ge=1, le=MAX_ID)
    status: DealStatus | None = None
    source: DealSource | None = None
    owner: int | None = Field(None, ge=1, le=MAX_ID, description="Owner's user id.")
    team: int | None = Field(None, ge=1, le=MAX_ID)
    company: int | None = Field(None, ge=1, le=MAX_ID)
    contact: int | None = Field(None, ge=1, le=MAX_ID)
    amount_min: Amount | None = None
    amount_max: Amount | None = None
    close_after: date | None = Field(None, description="Expected close on or after this day.")
    close_before: date | None = Field(None, description="Expected close before this day.")
    created_after: FilterDateTime | None = None
    created_before: FilterDateTime | None = None
    sort: Literal["-created", "created", "-updated", "updated"] = "-created"
    cursor: Annotated[Text, MaxLen(1000)] | None = Field(
        None, description="next_cursor or previous_cursor of a page."
    )
    limit: int = Field(50, ge=1, le=200)
